"""Concerns: raising them, who may open them, the audit of every opening, and the DSL's steps."""

from __future__ import annotations

import pytest

from esafe_learn.auth.models import User
from esafe_learn.concerns import services
from esafe_learn.concerns.models import AuditLogIsAppendOnly, Concern, ConcernAudit
from esafe_learn.extensions import db

from ..conftest import login, post
from .helpers import add_concern, audit_actions, concern_count


def test_a_pupil_tells_us_about_a_worry(app, client, world):
    login(client, world["pupil"])
    page = client.get("/worry").get_data(as_text=True)
    for words in ("Someone was unkind to me online", "I saw something upsetting",
                  "Someone I don&#39;t know contacted me", "Something else", "Have you told an adult in person?"):
        assert words in page
    response = post(client, "/worry", {"choice": "stranger", "words": "A man asked where I live",
                                       "about": "me", "told_adult": "not_yet"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your worry has been sent. An adult will talk to you soon." in page
    assert "we got your worry" in page and "A man asked where I live" not in page
    with app.app_context():
        concern = db.session.scalar(db.select(Concern))
        assert (concern.source, concern.category, concern.pupil_choice) == ("pupil", "contact", "stranger")
        assert concern.about_id == concern.reported_by_id == world["pupil"].id
        assert concern.description == "A man asked where I live" and concern.told_adult == "not_yet"
        assert concern.status == "new" and concern.legal_hold is False and concern.date_of_birth is None


def test_a_young_pupil_may_send_a_choice_without_words(app, client, world):
    login(client, world["pupil"])
    response = post(client, "/worry", {"choice": "unkind", "about": "someone_else", "told_adult": "yes"})
    assert response.status_code == 302
    with app.app_context():
        concern = db.session.scalar(db.select(Concern))
        assert concern.category == "conduct" and concern.description == "" and concern.about_id is None


@pytest.mark.parametrize("data, message", [
    ({}, "Pick what your worry is about."),
    ({"choice": "other", "about": "me", "told_adult": "yes", "words": "x" * 2001}, "Please use 2000 letters or fewer."),
    ({"choice": "nonsense", "about": "me", "told_adult": "yes"}, "Pick what your worry is about."),
])
def test_a_bad_worry_gives_a_clear_error_and_saves_nothing(app, client, world, data, message):
    login(client, world["pupil"])
    response = post(client, "/worry", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert concern_count(app) == 0


def test_every_pupil_page_links_to_the_worry_page(app, client, world):
    login(client, world["pupil"])
    for path in ("/home", "/worry/sent", "/account/password"):
        assert 'href="/worry"' in client.get(path).get_data(as_text=True), path
    staff = app.test_client()
    login(staff, world["teacher"])
    page = staff.get("/home").get_data(as_text=True)
    assert 'href="/worry"' not in page and 'href="/concerns/raise"' in page


@pytest.mark.parametrize("role", ["pupil", "other_pupil", "leader", "teacher", "school_admin", "deployment_admin"])
def test_only_the_safeguarding_leads_open_a_concern(app, client, world, role):
    concern = add_concern(app, world["pupil"], description="Private words")
    login(client, world[role])
    response = client.get(f"/concerns/{concern.id}")
    assert response.status_code == 404 and "Private words" not in response.get_data(as_text=True)
    assert client.get("/concerns/").status_code == 403
    assert client.get("/concerns/export").status_code == 403
    assert post(client, f"/concerns/{concern.id}/acknowledge").status_code == 404
    assert ("opened" not in [action for _actor, action in audit_actions(app)])
    with app.app_context():
        assert db.session.get(Concern, concern.id).status == "new"


def test_a_safeguarding_lead_of_another_school_gets_404(app, client, world, make_school, make_user):
    concern = add_concern(app, world["pupil"])
    elsewhere = make_user(make_school("Elm"), "dsl")
    login(client, elsewhere)
    for path in (f"/concerns/{concern.id}",):
        assert client.get(path).status_code == 404
    for action in ("acknowledge", "actions", "notes", "close", "links"):
        assert post(client, f"/concerns/{concern.id}/{action}", {"kind": "spoke_to_pupil", "body": "x"}).status_code \
            == 404
    assert world["pupil"].display_name not in client.get("/concerns/").get_data(as_text=True)
    assert audit_actions(app, concern.id) == []


def test_every_reading_of_a_concern_is_audited(app, client, world):
    concern = add_concern(app, world["pupil"], description="Private words")
    login(client, world["dsl"])
    deputy = app.test_client()
    login(deputy, world["deputy"])
    for _ in range(2):
        assert "Private words" in client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    deputy.get(f"/concerns/{concern.id}")
    opened = [actor for actor, action in audit_actions(app, concern.id) if action == "opened"]
    assert opened == [world["dsl"].id, world["dsl"].id, world["deputy"].id]
    with app.app_context():
        rows = db.session.scalars(db.select(ConcernAudit).where(ConcernAudit.concern_id == concern.id)).all()
        assert all(row.at.utcoffset().total_seconds() == 0 for row in rows)
        assert rows[0].actor_name == "Mrs Safe" and rows[0].actor_role == "dsl"
        assert all("Private words" not in row.detail for row in rows)
    # A page that shows the concern again after a refused form is also an opening.
    post(client, f"/concerns/{concern.id}/notes", {"body": ""})
    assert [a for _actor, a in audit_actions(app, concern.id)].count("opened") == 4


def test_the_dsl_moves_a_concern_from_new_to_closed(app, client, world):
    concern = add_concern(app, world["pupil"])
    login(client, world["dsl"])
    assert "1 new concern" in client.get("/home").get_data(as_text=True)
    page = post(client, f"/concerns/{concern.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "Record at least one action" in page
    page = post(client, f"/concerns/{concern.id}/actions", {"kind": "spoke_to_pupil"},
                follow_redirects=True).get_data(as_text=True)
    assert "Acknowledge the concern before recording actions." in page
    assert post(client, f"/concerns/{concern.id}/acknowledge").status_code == 302
    assert "No new concerns" in client.get("/home").get_data(as_text=True)
    deputy = app.test_client()
    login(deputy, world["deputy"])
    assert post(deputy, f"/concerns/{concern.id}/actions", {"kind": "informed_parents", "note": "Phoned mum"}
                ).status_code == 302
    post(client, f"/concerns/{concern.id}/actions", {"kind": "no_further_action"})
    page = post(client, f"/concerns/{concern.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "Concern closed." in page and "after it was raised" in page and "Phoned mum" in page
    with app.app_context():
        saved = db.session.get(Concern, concern.id)
        assert saved.status == "closed"
        assert saved.acknowledged_by_id == world["dsl"].id and saved.acknowledged_at is not None
        assert saved.actions_recorded_by_id == world["deputy"].id and saved.actions_recorded_at is not None
        assert saved.closed_by_id == world["dsl"].id and saved.closed_at >= saved.acknowledged_at
        assert [a.kind for a in saved.actions] == ["informed_parents", "no_further_action"]
        assert services.time_to_acknowledge(saved) is not None
    changes = [(actor, action) for actor, action in audit_actions(app, concern.id) if action != "opened"]
    assert changes == [(world["dsl"].id, "acknowledged"), (world["deputy"].id, "action_recorded"),
                       (world["dsl"].id, "action_recorded"), (world["dsl"].id, "closed")]
    page = post(client, f"/concerns/{concern.id}/actions", {"kind": "spoke_to_pupil"},
                follow_redirects=True).get_data(as_text=True)
    assert "This concern is closed." in page


def test_notes_are_audited_and_never_shown_to_the_pupil(app, client, world):
    concern = add_concern(app, world["pupil"])
    login(client, world["dsl"])
    assert post(client, f"/concerns/{concern.id}/notes", {"body": "Staff-only note about home"}).status_code == 302
    page = post(client, f"/concerns/{concern.id}/notes", {"body": "n" * 2001}).get_data(as_text=True)
    assert "Use 2000 characters or fewer." in page
    assert "note_added" in [action for _actor, action in audit_actions(app, concern.id)]
    pupil = app.test_client()
    login(pupil, world["pupil"])
    page = pupil.get("/worry/sent").get_data(as_text=True)
    assert "we got your worry" in page and "Staff-only note" not in page
    post(client, f"/concerns/{concern.id}/acknowledge")
    assert "An adult has read it and will talk to you." in pupil.get("/worry/sent").get_data(as_text=True)


def test_related_concerns_are_linked_within_the_school(app, client, world, make_school, make_user):
    first = add_concern(app, world["pupil"])
    second = add_concern(app, world["other_pupil"], category="conduct")
    foreign = add_concern(app, make_user(make_school("Elm"), "teacher"), source="staff")
    login(client, world["dsl"])
    page = client.get(f"/concerns/{first.id}").get_data(as_text=True)
    assert f"C{second.id:05d}" in page and f"C{foreign.id:05d}" not in page
    assert post(client, f"/concerns/{first.id}/links", {"other": str(foreign.id)}).status_code == 200
    assert post(client, f"/concerns/{first.id}/links", {"other": str(second.id)}).status_code == 302
    assert f"C{first.id:05d}" in client.get(f"/concerns/{second.id}").get_data(as_text=True)
    with app.app_context():
        concern = db.session.get(Concern, first.id)
        assert [c.id for c in services.related(concern)] == [second.id]
        with pytest.raises(services.ConcernError):
            services.link(concern, db.session.get(Concern, second.id), db.session.get(User, world["dsl"].id))
    assert ("linked" in [a for _x, a in audit_actions(app, first.id)]
            and "linked" in [a for _x, a in audit_actions(app, second.id)])


def test_staff_raise_a_concern_and_cannot_open_it_afterwards(app, client, world, make_school, make_user):
    login(client, world["teacher"])
    page = client.get("/concerns/raise").get_data(as_text=True)
    assert "Pip Pupil (3P)" in page
    stranger = make_user(make_school("Elm"), "pupil", name="Sam Elsewhere")
    page = post(client, "/concerns/raise", {"category": "conduct", "about": str(stranger.id),
                                            "description": "Saw a fight video", "told_adult": "yes"}
                ).get_data(as_text=True)
    assert "Pick a pupil of your school from the list." in page and concern_count(app) == 0
    page = post(client, "/concerns/raise", {"category": "conduct", "about": "0", "description": "d" * 2001,
                                            "told_adult": "yes"}).get_data(as_text=True)
    assert "Use 2000 characters or fewer." in page and concern_count(app) == 0
    response = post(client, "/concerns/raise", {"category": "conduct", "about": str(world["pupil"].id),
                                                "description": "Saw a fight video", "told_adult": "yes"})
    assert response.status_code == 302
    with app.app_context():
        concern = db.session.scalar(db.select(Concern))
        assert (concern.source, concern.about_id, concern.reported_by_id) == (
            "staff", world["pupil"].id, world["teacher"].id)
    assert client.get(f"/concerns/{concern.id}").status_code == 404


def test_the_service_refuses_what_the_forms_refuse(app, world, make_school, make_user):
    stranger = make_user(make_school("Elm"), "pupil")
    with app.app_context():
        pupil = db.session.get(User, world["pupil"].id)
        teacher = db.session.get(User, world["teacher"].id)
        for reporter, source, kwargs in [
            (pupil, "pupil", {"category": "contact", "description": "x" * 2001}),
            (pupil, "pupil", {"category": "contact", "description": ""}),
            (pupil, "pupil", {"category": "nonsense", "description": "words"}),
            (teacher, "pupil", {"category": "contact", "description": "words"}),
            (pupil, "staff", {"category": "contact", "description": "words"}),
            (teacher, "staff", {"category": "contact", "description": "w",
                                "about": db.session.get(User, stranger.id)}),
        ]:
            with pytest.raises(services.ConcernError):
                services.raise_concern(reporter, source, told_adult="yes", **kwargs)
    assert concern_count(app) == 0


def test_the_audit_log_cannot_be_changed_or_deleted(app, world):
    concern = add_concern(app, world["pupil"])
    with app.app_context():
        services.audit(world["school"].id, db.session.get(User, world["dsl"].id), "opened",
                       db.session.get(Concern, concern.id))
        db.session.commit()
        row = db.session.scalar(db.select(ConcernAudit))
        row.action = "nothing to see"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.delete(db.session.scalar(db.select(ConcernAudit)))
            db.session.flush()
        db.session.rollback()
        for statement in (db.update(ConcernAudit).values(action="x"), db.delete(ConcernAudit)):
            with pytest.raises(AuditLogIsAppendOnly):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.scalar(db.select(ConcernAudit)).action == "opened"


def test_the_dsl_sets_an_alert_email_and_pupils_never_have_one(app, client, world):
    login(client, world["dsl"])
    page = post(client, "/concerns/alerts", {"email": "not an email"}).get_data(as_text=True)
    assert "Type an email address" in page
    assert post(client, "/concerns/alerts", {"email": "dsl@oak.sch.uk"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, world["dsl"].id).email == "dsl@oak.sch.uk"
        assert services.safeguarding_lead_emails(world["school"].id) == ["dsl@oak.sch.uk"]
    pupil = app.test_client()
    login(pupil, world["pupil"])
    assert post(pupil, "/concerns/alerts", {"email": "kid@example.com"}).status_code == 403
    with app.app_context():
        assert db.session.get(User, world["pupil"].id).email is None
