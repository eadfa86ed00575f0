"""The CSV export behind a password, the email that says only "a concern is waiting", and the figures."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import timedelta

import pytest

from esafe_learn.auth.models import User
from esafe_learn.concerns import services
from esafe_learn.concerns.alerts import SUBJECT
from esafe_learn.concerns.models import Concern
from esafe_learn.csvfiles import safe_cell
from esafe_learn.extensions import db
from esafe_learn.schools.terms import Period
from esafe_learn.timeutil import utcnow

from ..conftest import DEFAULT_PASSWORD, login, post
from .helpers import add_concern, audit_actions, concern_count
from .smtp import free_port

SECRET_WORDS = "He said meet me at the park and send a photo"


@pytest.fixture
def world(make_school, make_user):
    school = make_school("Oak Primary")
    return {
        "school": school,
        "pupil": make_user(school, "pupil", name="Pip Pupil", year_group=3),
        "teacher": make_user(school, "teacher", name="Ms Teach"),
        "dsl": make_user(school, "dsl", name="Mrs Safe"),
        "deputy": make_user(school, "dsl", name="Mr Deputy"),
    }


def set_email(app, user, address):
    with app.app_context():
        db.session.get(User, user.id).email = address
        db.session.commit()


# --- export ------------------------------------------------------------------------------------


def test_csv_cells_that_start_a_formula_are_escaped():
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [safe_cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "fine", None, 3)] == [
        "'+1", "'-1", "'@SUM(A1)", "'\tx", "fine", "", 3]


def test_export_needs_the_password_again(app, client, world):
    add_concern(app, world["pupil"])
    login(client, world["dsl"])
    response = post(client, "/concerns/export", {"password": "not my password"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "That is not your password." in response.get_data(as_text=True)
    assert post(client, "/concerns/export", {}).mimetype == "text/html"
    assert [action for _actor, action in audit_actions(app)] == ["export_refused"]


def test_export_is_a_safe_csv_of_the_schools_concerns(app, client, world, make_school, make_user):
    add_concern(app, world["pupil"], description='=HYPERLINK("http://evil.example","click")',
                about=world["pupil"])
    add_concern(app, world["teacher"], source="staff", category="commerce", description="-2+3 scam")
    add_concern(app, make_user(make_school("Elm"), "teacher"), source="staff", description="Elm only")
    login(client, world["dsl"])
    first_id = None
    with app.app_context():
        first_id = db.session.scalar(db.select(Concern.id).order_by(Concern.id))
    post(client, f"/concerns/{first_id}/acknowledge")
    post(client, f"/concerns/{first_id}/actions", {"kind": "spoke_to_pupil", "note": "@home call"})
    response = post(client, "/concerns/export", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2 and all(row["Category"] == "Online safeguarding" for row in rows)
    first, second = rows
    assert first["Description"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert first["Sub-category"] == "Contact" and first["About pupil"] == "Pip Pupil"
    assert first["Status"] == "Actions recorded" and first["Acknowledged by"] == "Mrs Safe"
    assert "@home call" in first["Actions"] and first["Time to acknowledge (minutes)"] != ""
    assert second["Description"] == "'-2+3 scam" and second["Source"] == "Staff"
    assert "Elm only" not in response.get_data(as_text=True)
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())
    assert "exported" in [action for _actor, action in audit_actions(app)]


def test_export_between_two_dates(app, client, world):
    old = add_concern(app, world["pupil"], description="Long ago")
    add_concern(app, world["pupil"], description="This week")
    with app.app_context():
        db.session.get(Concern, old.id).created_at = utcnow() - timedelta(days=100)
        db.session.commit()
    login(client, world["dsl"])
    today = utcnow().date()
    response = post(client, "/concerns/export", {"password": DEFAULT_PASSWORD,
                                                 "start": (today - timedelta(days=7)).isoformat(),
                                                 "end": today.isoformat()})
    text = response.get_data(as_text=True)
    assert "This week" in text and "Long ago" not in text
    page = post(client, "/concerns/export", {"password": DEFAULT_PASSWORD, "start": today.isoformat(),
                                             "end": (today - timedelta(days=1)).isoformat()}).get_data(as_text=True)
    assert "The end date is before the start date." in page


# --- the email -----------------------------------------------------------------------------------


def test_the_dsls_are_emailed_without_the_concerns_content(app, client, world, smtp_server):
    set_email(app, world["dsl"], "dsl@oak.sch.uk")
    set_email(app, world["deputy"], "deputy@oak.sch.uk")
    set_email(app, world["teacher"], "teacher@oak.sch.uk")
    login(client, world["pupil"])
    response = post(client, "/worry", {"choice": "stranger", "words": SECRET_WORDS, "about": "me",
                                       "told_adult": "not_yet"})
    assert response.status_code == 302
    assert sorted(smtp_server.inbox.recipients) == ["deputy@oak.sch.uk", "dsl@oak.sch.uk"]
    for message in smtp_server.inbox.messages:
        raw = message.as_string()
        body = message.get_payload(decode=True).decode()
        assert message["Subject"] == SUBJECT and message["From"] == "alerts@esafe.test"
        assert "new safeguarding concern" in body and "http://esafe.test/concerns/" in body
        for secret in (SECRET_WORDS, "park", "Pip", "stranger", "contact", "Contact"):
            assert secret not in raw


def test_a_staff_concern_is_emailed_too(app, client, world, smtp_server):
    set_email(app, world["dsl"], "dsl@oak.sch.uk")
    login(client, world["teacher"])
    post(client, "/concerns/raise", {"category": "conduct", "about": "0", "description": SECRET_WORDS,
                                     "told_adult": "yes"})
    assert smtp_server.inbox.recipients == ["dsl@oak.sch.uk"]
    assert SECRET_WORDS not in smtp_server.inbox.messages[0].as_string()


def test_a_mail_failure_never_loses_the_concern(app, client, world, caplog):
    caplog.set_level(logging.INFO, logger="esafe_learn.security")
    set_email(app, world["dsl"], "dsl@oak.sch.uk")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    try:
        login(client, world["pupil"])
        response = post(client, "/worry", {"choice": "other", "words": SECRET_WORDS, "about": "me",
                                           "told_adult": "yes"})
    finally:
        app.config.update(MAIL_SERVER="")
    assert response.status_code == 302
    assert concern_count(app) == 1
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "esafe_learn.security"]
    assert "concern_alert_failed" in [e["event"] for e in events]
    assert SECRET_WORDS not in caplog.text


def test_no_mail_server_means_no_email_and_no_error(app, client, world):
    set_email(app, world["dsl"], "dsl@oak.sch.uk")
    login(client, world["pupil"])
    assert post(client, "/worry", {"choice": "other", "about": "me", "told_adult": "yes"}).status_code == 302
    assert concern_count(app) == 1


# --- figures -------------------------------------------------------------------------------------


def test_concern_figures_by_source_and_time_to_acknowledge(app, world, make_school, make_user):
    leader = make_user(world["school"], "pupil", leader=True)
    ids = [add_concern(app, world["pupil"]).id, add_concern(app, world["pupil"]).id,
           add_concern(app, world["teacher"], source="staff", category="content").id,
           add_concern(app, leader, source="leader", category="conduct").id]
    add_concern(app, make_user(make_school("Elm"), "teacher"), source="staff")
    now = utcnow()
    with app.app_context():
        waits = {ids[0]: timedelta(minutes=10), ids[1]: timedelta(hours=3), ids[2]: timedelta(minutes=30)}
        for concern_id, wait in waits.items():
            concern = db.session.get(Concern, concern_id)
            concern.created_at = now - timedelta(days=1)
            concern.acknowledged_at = concern.created_at + wait
        db.session.commit()
        last_month = Period("", (now - timedelta(days=30)).date(), now.date())
        figures = services.concern_figures(world["school"].id, last_month)
        empty = services.concern_figures(world["school"].id, Period("", (now - timedelta(days=90)).date(),
                                                                   (now - timedelta(days=60)).date()))
    assert (figures.total, figures.from_pupils, figures.from_staff, figures.from_leaders) == (4, 2, 1, 1)
    assert figures.by_category["contact"] == 2 and figures.by_category["commerce"] == 0
    assert figures.acknowledged == 3 and figures.waiting == 1
    assert figures.median_time_to_acknowledge == timedelta(minutes=30)
    assert figures.longest_time_to_acknowledge == timedelta(hours=3)
    assert empty.total == 0 and empty.median_time_to_acknowledge is None
    assert services.format_duration(timedelta(hours=3, minutes=5)) == "3 hours 5 minutes"
    assert services.format_duration(timedelta(days=2, hours=1)) == "2 days 1 hour"
    assert services.format_duration(timedelta(seconds=20)) == "0 minutes"


def _linked_and_worked_on(app, world, count: int) -> None:
    """`count` concerns about different pupils, each acknowledged with an action and a note, linked in a chain."""
    with app.app_context():
        dsl = db.session.get(User, world["dsl"].id)
        school = world["school"]
        made = []
        for number in range(count):
            pupil = User(school_id=school.id, username=f"chain-{count}-{number}", display_name=f"Pupil {number}",
                         role="pupil", year_group=4)
            db.session.add(pupil)
            db.session.flush()
            concern = services.raise_concern(pupil, "pupil", about=pupil, category="contact",
                                             description=f"Worry {number}", told_adult="not_yet")
            services.acknowledge(concern, dsl)
            services.record_action(concern, dsl, "spoke_to_pupil", "talked")
            services.add_note(concern, dsl, "A note")
            if made:
                services.link(concern, made[-1], dsl)
            made.append(concern)
        db.session.commit()


def test_the_list_and_the_export_cost_the_same_queries_for_any_number_of_concerns(app, client, world):
    from ..conftest import any_csrf_token, count_queries

    login(client, world["dsl"])
    client.get("/concerns/")
    measured = []
    for count in (2, 6):
        _linked_and_worked_on(app, world, count)
        with count_queries(app) as listing:
            page = client.get("/concerns/").get_data(as_text=True)
        assert f"Pupil {count - 1}" in page
        form = {"password": DEFAULT_PASSWORD, "csrf_token": any_csrf_token(client)}
        with count_queries(app) as exporting:
            rows = list(csv.DictReader(io.StringIO(client.post("/concerns/export", data=form).get_data(as_text=True))))
        assert sum(bool(row["Related concerns"]) for row in rows) == len(rows)  # chains: every one is linked
        measured.append((len(listing), len(exporting)))
    assert measured[0] == measured[1], measured  # 2 concerns or 8: the same statements, not more per concern
