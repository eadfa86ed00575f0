"""The worry tick box on the mentoring log raises a concern the leader can no longer open."""

from __future__ import annotations

from esafe_learn.auth.models import User
from esafe_learn.concerns.models import Concern
from esafe_learn.extensions import db
from esafe_learn.mentoring.models import MentoringSession

from ..conftest import login, post
from .test_log import form_data, world  # noqa: F401  (the fixture)

WORRY = "Milo said an older boy online keeps asking for photos"


def test_ticking_the_worry_box_raises_a_concern_and_emails_the_dsl(app, client, world, smtp_server):  # noqa: F811
    with app.app_context():
        db.session.get(User, world["dsl"].id).email = "dsl@oak.sch.uk"
        db.session.commit()
    login(client, world["leader"])
    response = post(client, "/mentoring/new", form_data(
        mentee_mode="named", mentees=[str(world["mentee"].id)], worried="y", worry_choice="stranger",
        worry_words=WORRY, worry_told_adult="not_yet"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your worry has been sent" in page and "tell a trusted adult in person too" in page
    with app.app_context():
        log = db.session.scalar(db.select(MentoringSession))
        concern = db.session.scalar(db.select(Concern))
        assert log.worry_raised is True
        assert (concern.source, concern.category, concern.mentoring_session_id) == ("leader", "contact", log.id)
        assert concern.about_id == world["mentee"].id and concern.reported_by_id == world["leader"].id
        assert concern.description == WORRY and concern.told_adult == "not_yet"
        log_id, concern_id = log.id, concern.id
    assert smtp_server.inbox.recipients == ["dsl@oak.sch.uk"]
    assert "older boy" not in smtp_server.inbox.messages[0].as_string()
    # Once sent, the leader cannot open the concern; the log only says a worry was sent.
    assert client.get(f"/concerns/{concern_id}").status_code == 404
    page = client.get(f"/mentoring/{log_id}").get_data(as_text=True)
    assert "You sent a worry with this log" in page and WORRY not in page
    assert "we got your worry" in client.get("/worry/sent").get_data(as_text=True)
    # Saving the log again does not raise a second concern.
    post(client, f"/mentoring/{log_id}", form_data(mentee_mode="named", mentees=[str(world["mentee"].id)],
                                                   worried="y", worry_choice="other", worry_told_adult="yes"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Concern.id))) == 1
    # The DSL sees the log the worry came from.
    dsl = app.test_client()
    login(dsl, world["dsl"])
    page = dsl.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert WORRY in page and "From the Online Leader's log" in page and "Milo Mentee" in page
