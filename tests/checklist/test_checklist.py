"""The checklist pages: seeding, who may open them, rating against the suggestion, thresholds, items of the
school's own, item exports and the DSL's home panel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from esafe_learn.checklist import services
from esafe_learn.checklist.models import ChecklistItem
from esafe_learn.extensions import db
from esafe_learn.timeutil import utcnow

from ..conftest import login, post
from .helpers import item, items, seed_checklist

SEED_COUNT = 17
CURRICULUM = ("Schools should have a broad and balanced e-safeguarding curriculum where pupils are taught the risks "
              "and safe practice when age appropriate.")


@pytest.fixture
def lead(app, make_school, make_user, make_class):
    school = make_school("Birch Primary")
    dsl = make_user(school, "dsl", name="Dee Lead")
    pupils = [make_user(school, "pupil", year_group=4) for _ in range(4)]
    make_class(school, "4B", 4, pupils=pupils)
    return {"school": school, "dsl": dsl, "pupils": pupils}


def test_the_checklist_yaml_holds_every_item_of_the_seed_worded_as_there():
    checklist = services.load_checklist()
    texts = {item.text: item for item in checklist.items}
    assert len(checklist.items) == SEED_COUNT
    assert texts[CURRICULUM].area == "Curriculum" and texts[CURRICULUM].evidence == "coverage"
    assert texts["Are any e-safeguarding incidents recorded in a log?"].evidence == "concerns"
    assert texts["Online Leaders are effective in their use of peer mentoring and support."].evidence == "mentoring"
    assert texts["All staff receive e-safeguarding training at least once a year."].evidence == "training"
    assert texts["All staff and other key partners sign an acceptable use policy."].evidence == "aup"
    assert any("3G/4G which allows them" in text for text in texts)
    assert {item.area for item in checklist.items} == set(checklist.areas)


def test_the_checklist_is_seeded_once_on_the_first_visit(app, client, lead, monkeypatch):
    login(client, lead["dsl"])
    assert client.get("/checklist/").status_code == 200
    assert client.get("/checklist/").status_code == 200
    assert len(items(app, lead["school"])) == SEED_COUNT
    with app.app_context():
        services.seed(lead["school"].id)  # again: nothing to add
        db.session.commit()
    assert len(items(app, lead["school"])) == SEED_COUNT

    checklist = services.load_checklist()
    extra = services.SeedItem("parents-workshop", "Strategy", "Parents are offered online safety sessions.", None, 99)
    monkeypatch.setattr(services, "load_checklist", lambda: services.Checklist(checklist.areas,
                                                                               (*checklist.items, extra)))
    page = client.get("/checklist/").get_data(as_text=True)
    assert "Parents are offered online safety sessions." in page
    keys = [row.key for row in items(app, lead["school"])]
    assert len(keys) == SEED_COUNT + 1 and len(set(keys)) == len(keys)


def test_a_teacher_pupil_or_admin_cannot_open_the_checklist(app, client, lead, make_user):
    for role in ("teacher", "pupil", "school_admin"):
        other = app.test_client()
        login(other, make_user(lead["school"], role))
        assert other.get("/checklist/").status_code == 403
        assert other.get(f"/checklist/items/{seed_checklist(app, lead['school'])['curriculum']}").status_code == 404


def test_another_schools_checklist_answers_404(app, client, lead, make_school, make_user):
    mine = seed_checklist(app, lead["school"])
    other_school = make_school("Elm Academy")
    other_dsl = make_user(other_school, "dsl")
    login(client, other_dsl)
    for key in ("curriculum", "designated-lead"):
        assert client.get(f"/checklist/items/{mine[key]}").status_code == 404
        assert client.get(f"/checklist/items/{mine[key]}/export").status_code == 404
        assert post(client, f"/checklist/items/{mine[key]}", {"rating": "green"}).status_code == 404
        assert post(client, f"/checklist/items/{mine[key]}/accept").status_code == 404
    assert item(app, mine["designated-lead"]).rating == "unrated"
    assert client.get("/checklist/").status_code == 200  # their own checklist
    assert len(items(app, other_school)) == SEED_COUNT


def test_rating_against_the_suggestion_needs_a_reason_and_keeps_both(app, client, lead):
    ids = seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    url = f"/checklist/items/{ids['curriculum']}"
    refused = post(client, url, {"rating": "green", "notes": "Taught in PSHE"})
    assert refused.status_code == 200
    assert "The platform suggests red. Say why you chose green instead." in refused.get_data(as_text=True)
    assert item(app, ids["curriculum"]).rating == "unrated"

    saved = post(client, url, {"rating": "green", "reason": "Year 4 is taught in PSHE lessons off the platform.",
                               "notes": "Taught in PSHE", "owner": "Dee Lead", "review_date": "2030-01-31"})
    assert saved.status_code == 302
    row = item(app, ids["curriculum"])
    assert (row.rating, row.suggested_rating, row.owner, row.review_date) == ("green", "red", "Dee Lead",
                                                                              date(2030, 1, 31))
    assert row.suggestion_reason.startswith("Red because 0% of pupils (0 of 4)")
    page = client.get(url).get_data(as_text=True)
    assert "Year 4 is taught in PSHE lessons off the platform." in page and "suggested red" in page


def test_accepting_the_suggestion(app, client, lead):
    ids = seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    assert post(client, f"/checklist/items/{ids['curriculum']}/accept").status_code == 302
    row = item(app, ids["curriculum"])
    assert (row.rating, row.suggested_rating, row.rating_reason) == ("red", "red", "")
    assert post(client, f"/checklist/items/{ids['designated-lead']}/accept").status_code == 404  # nothing to accept


def test_other_items_take_any_rating_without_a_reason_and_bad_input_saves_nothing(app, client, lead):
    ids = seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    url = f"/checklist/items/{ids['designated-lead']}"
    for bad in ({"rating": "purple"}, {"rating": "green", "review_date": "31st of June"},
                {"rating": "green", "owner": "x" * 121}, {"rating": "green", "notes": "x" * 5001}):
        response = post(client, url, bad)
        assert response.status_code == 200 and "Please check the form" in response.get_data(as_text=True)
    assert item(app, ids["designated-lead"]).rating == "unrated"
    assert post(client, url, {"rating": "amber", "actions": "Name a deputy"}).status_code == 302
    assert item(app, ids["designated-lead"]).rating == "amber"


def test_thresholds_are_validated_and_change_the_suggestion(app, client, lead):
    seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    for bad, message in (({"green_percent": "101", "amber_percent": "50", "min_strands": "6"}, "from 0 to 100"),
                         ({"green_percent": "40", "amber_percent": "50", "min_strands": "6"}, "below amber"),
                         ({"green_percent": "80", "amber_percent": "50", "min_strands": "0"}, "from 1 to 8"),
                         ({"green_percent": "80", "amber_percent": "50", "min_strands": "9"}, "from 1 to 8"),
                         ({"green_percent": "lots", "amber_percent": "50", "min_strands": "6"}, "whole number"),
                         ({"green_percent": "", "amber_percent": "50", "min_strands": "6"}, "Type a percentage")):
        response = post(client, "/checklist/thresholds", bad)
        assert response.status_code == 200 and message in response.get_data(as_text=True), bad
    with app.app_context():
        assert services.thresholds_for(lead["school"].id).green_percent == 80
    assert post(client, "/checklist/thresholds", {"green_percent": "0", "amber_percent": "0",
                                                  "min_strands": "1"}).status_code == 302
    with app.app_context():
        assert services.thresholds_for(lead["school"].id).as_dict() == {"green_percent": 0, "amber_percent": 0,
                                                                        "min_strands": 1}
    assert "Green because 0% of pupils (0 of 4)" in client.get("/checklist/").get_data(as_text=True)


def test_the_school_adds_and_deletes_its_own_items(app, client, lead):
    ids = seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    assert "Type the item." in post(client, "/checklist/items/new", {"area": "Strategy", "text": " "}).get_data(
        as_text=True)
    assert post(client, "/checklist/items/new", {"area": "Nowhere", "text": "A"}).status_code == 200
    assert post(client, "/checklist/items/new", {"area": "Policies", "text": "Governors review the policy."}
                ).status_code == 302
    with app.app_context():
        own = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key.is_(None)))
        own_id = own.id
    assert "Governors review the policy." in client.get("/checklist/").get_data(as_text=True)
    assert post(client, f"/checklist/items/{own_id}", {"rating": "green", "area": "Strategy",
                                                       "text": "Governors review it yearly."}).status_code == 302
    assert (item(app, own_id).area, item(app, own_id).text) == ("Strategy", "Governors review it yearly.")
    assert post(client, f"/checklist/items/{ids['designated-lead']}/delete").status_code == 302
    assert post(client, f"/checklist/items/{own_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistItem.id))) == SEED_COUNT


def test_an_item_exports_as_commentary_evidence_and_action_plan(app, client, lead):
    ids = seed_checklist(app, lead["school"])
    login(client, lead["dsl"])
    post(client, f"/checklist/items/{ids['incident-log']}", {"rating": "green", "notes": "Every concern is logged.",
                                                             "actions": "Share the log with governors.",
                                                             "owner": "Dee Lead", "review_date": "2030-07-01"})
    page = client.get(f"/checklist/items/{ids['incident-log']}/export").get_data(as_text=True)
    for part in ("Commentary", "Evidence", "Action plan", "Rating: Green.", "Every concern is logged.",
                 "0 concerns recorded in the log", "Share the log with governors.", "Owner: Dee Lead.",
                 "Review by: 1 July 2030."):
        assert part in page
    download = client.get(f"/checklist/items/{ids['incident-log']}/export?download=1")
    assert download.mimetype == "text/plain" and "attachment" in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True).startswith("Strategy: Are any e-safeguarding incidents recorded in a log?")


def test_the_dsl_home_panel_shows_items_not_rated_and_due_for_review(app, client, lead):
    login(client, lead["dsl"])
    assert "ready to start" in client.get("/home").get_data(as_text=True)
    ids = seed_checklist(app, lead["school"])
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    post(client, f"/checklist/items/{ids['mobile-phone-policy']}", {"rating": "green", "review_date": yesterday})
    home = client.get("/home").get_data(as_text=True)
    assert f"{SEED_COUNT - 1} items not yet rated." in home
    assert "1 due for review:" in home and "The school has a mobile phone policy" in home
    nav = client.get("/home").get_data(as_text=True)
    assert 'href="/checklist/"' in nav
