"""The Online Leaders' mentoring log: saving, the clear errors that save nothing, privacy and review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esafe_learn import signals
from esafe_learn.auth.models import User
from esafe_learn.extensions import db
from esafe_learn.mentoring import services
from esafe_learn.mentoring.models import MentoringSession

from ..concerns.helpers import concern_count
from ..conftest import login, post
from .helpers import add_log, count_logs, entry


@pytest.fixture
def world(make_school, make_user, make_class):
    school = make_school("Oak Primary")
    leader = make_user(school, "pupil", name="Lena Leader", year_group=6, leader=True)
    mentee = make_user(school, "pupil", name="Milo Mentee", year_group=4)
    mentee2 = make_user(school, "pupil", name="Mia Mentee", year_group=4)
    school_class = make_class(school, "4M", 4, pupils=[mentee, mentee2])
    return {
        "school": school, "leader": leader, "mentee": mentee, "mentee2": mentee2, "class": school_class,
        "other_leader": make_user(school, "pupil", name="Olly Other", year_group=6, leader=True),
        "supervisor": make_user(school, "teacher", name="Mr Super", supervises=True),
        "teacher": make_user(school, "teacher", name="Ms Plain"),
        "dsl": make_user(school, "dsl", name="Mrs Safe"),
    }


def form_data(**overrides) -> dict:
    data = {
        "session_date": services.school_today().isoformat(), "kind": "one_to_one", "mentee_mode": "unnamed",
        "unnamed_year_group": "4", "strands": ["online-bullying"], "what_we_did": "We talked about blocking",
        "what_helped": "Listening", "duration_minutes": "15",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_leader_logs_a_session_with_named_pupils(app, client, world):
    login(client, world["leader"])
    page = client.get("/mentoring/new").get_data(as_text=True)
    assert f'value="{services.school_today().isoformat()}"' in page  # today by default
    assert "Milo Mentee (4M)" in page
    assert "Other pupils never see it" in page and "tell a trusted adult straight away" in page
    response = post(client, "/mentoring/new", form_data(
        mentee_mode="named", mentees=[str(world["mentee"].id), str(world["mentee2"].id)],
        strands=["online-bullying", "privacy-and-security"], follow_up_needed="y", kind="small_group"))
    assert response.status_code == 302
    with app.app_context():
        log = db.session.scalar(db.select(MentoringSession))
        assert log.leader_id == world["leader"].id and log.school_id == world["school"].id
        assert {m.pupil_id for m in log.mentees} == {world["mentee"].id, world["mentee2"].id}
        assert log.strand_slugs == ["online-bullying", "privacy-and-security"]
        assert log.pupils_helped == 2 and log.follow_up_needed and log.kind == "small_group"
        assert log.worry_raised is False
    assert "Small group" in client.get("/mentoring/").get_data(as_text=True)


def test_free_text_is_stored_as_text_and_shown_escaped(app, client, world):
    login(client, world["leader"])
    post(client, "/mentoring/new", form_data(what_we_did="<script>alert(1)</script> & more"))
    with app.app_context():
        log = db.session.scalar(db.select(MentoringSession))
        assert log.what_we_did == "<script>alert(1)</script> & more"
        log_id = log.id
    staff = app.test_client()
    login(staff, world["supervisor"])
    page = staff.get(f"/mentoring/review/{log_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("overrides, field_message", [
    ({"kind": None, "mentee_mode": None, "unnamed_year_group": None, "strands": None, "what_we_did": None,
      "what_helped": None, "duration_minutes": None, "session_date": None}, "Write what you did."),
    ({"what_we_did": "x" * 1001}, "Please keep this to 1000 letters or fewer."),
    ({"what_helped": "x" * 1001}, "Please keep this to 1000 letters or fewer."),
    ({"duration_minutes": "241"}, "from 1 to 240"),
    ({"duration_minutes": "0"}, "from 1 to 240"),
    ({"duration_minutes": "ten"}, "Type a whole number"),
    ({"session_date": "31/31/2020"}, "Type a date like 2025-09-01."),
    ({"mentee_mode": "group", "group_size": None}, "how many pupils were in the group"),
    ({"mentee_mode": "named"}, "Pick the pupils you helped."),
    ({"strands": ["not-a-strand"]}, "Pick the topics from the list."),
])
def test_bad_logs_give_a_clear_error_and_save_nothing(app, client, world, overrides, field_message):
    login(client, world["leader"])
    response = post(client, "/mentoring/new", form_data(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please check the form" in page and field_message in page
    assert count_logs(app) == 0


def test_an_empty_log_names_every_missing_answer(app, client, world):
    login(client, world["leader"])
    page = post(client, "/mentoring/new", {}).get_data(as_text=True)
    for message in ("Pick what kind of session it was.", "Pick who you helped.", "Write what you did.",
                    "Type how many minutes it took"):
        assert message in page
    assert count_logs(app) == 0
    page = post(client, "/mentoring/new", form_data(session_date="")).get_data(as_text=True)
    assert "Type a date like 2025-09-01." in page
    assert count_logs(app) == 0


def test_a_date_in_the_future_is_refused(app, client, world):
    login(client, world["leader"])
    tomorrow = services.school_today() + timedelta(days=1)
    page = post(client, "/mentoring/new", form_data(session_date=tomorrow.isoformat())).get_data(as_text=True)
    assert "The date can&#39;t be in the future." in page
    assert count_logs(app) == 0
    with app.app_context(), pytest.raises(services.MentoringError) as error:
        services.save_log(db.session.get(User, world["leader"].id), entry(session_date=tomorrow))
    assert "session_date" in error.value.problems


def test_a_mentee_from_another_school_is_refused(app, client, world, make_school, make_user):
    stranger = make_user(make_school("Elm Primary"), "pupil", name="Sam Elsewhere")
    login(client, world["leader"])
    assert "Sam Elsewhere" not in client.get("/mentoring/new").get_data(as_text=True)
    page = post(client, "/mentoring/new", form_data(mentee_mode="named", mentees=[str(stranger.id)])).get_data(
        as_text=True)
    assert "One of the pupils you picked is not in your school. Pick again." in page
    assert count_logs(app) == 0
    with app.app_context():  # the service refuses it too, whoever calls it
        with pytest.raises(services.MentoringError) as error:
            services.save_log(db.session.get(User, world["leader"].id),
                              entry(mentee_mode="named", mentee_ids=[stranger.id]))
        assert error.value.problems == {"mentees": "One of the pupils you picked is not in your school. Pick again."}
        db.session.rollback()
    assert count_logs(app) == 0


def test_only_online_leaders_keep_a_log(app, world):
    with app.app_context(), pytest.raises(services.MentoringError):
        services.save_log(db.session.get(User, world["mentee"].id), entry())


def test_a_leader_never_sees_another_leaders_log(app, client, world):
    other_log = add_log(app, world["other_leader"], what_we_did="Private words of Olly")
    login(client, world["leader"])
    assert client.get(f"/mentoring/{other_log.id}").status_code == 404
    assert post(client, f"/mentoring/{other_log.id}", form_data(what_we_did="changed")).status_code == 404
    assert "Private words of Olly" not in client.get("/mentoring/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MentoringSession, other_log.id).what_we_did == "Private words of Olly"


def test_logs_are_never_shown_to_other_pupils(app, client, world):
    add_log(app, world["leader"], mentee_mode="named", mentee_ids=[world["mentee"].id], what_we_did="Secret words")
    login(client, world["mentee"])
    assert client.get("/mentoring/").status_code == 403
    assert "Secret words" not in client.get("/home").get_data(as_text=True)


def test_leader_edits_until_reviewed_then_the_log_is_locked(app, client, world):
    log = add_log(app, world["leader"])
    login(client, world["leader"])
    assert client.get(f"/mentoring/{log.id}").status_code == 200
    assert post(client, f"/mentoring/{log.id}", form_data(what_we_did="Edited words")).status_code == 302
    staff = app.test_client()
    login(staff, world["supervisor"])
    assert post(staff, f"/mentoring/review/{log.id}", {"comment": "Great listening"}).status_code == 302
    response = post(client, f"/mentoring/{log.id}", form_data(what_we_did="Sneaky change"))
    assert response.status_code == 302
    page = client.get(f"/mentoring/{log.id}").get_data(as_text=True)
    assert "can&#39;t be changed now" in page and "Great listening" in page
    with app.app_context():
        saved = db.session.get(MentoringSession, log.id)
        assert saved.what_we_did == "Edited words"
        assert saved.reviewed_by_id == world["supervisor"].id and saved.reviewed_at is not None
        with pytest.raises(services.MentoringError):
            services.save_log(db.session.get(User, world["leader"].id), entry(), saved)


def test_editing_keeps_the_same_mentees_without_duplicates(app, client, world):
    log = add_log(app, world["leader"], mentee_mode="named", mentee_ids=[world["mentee"].id],
                  strands=["online-bullying"])
    login(client, world["leader"])
    response = post(client, f"/mentoring/{log.id}", form_data(
        mentee_mode="named", mentees=[str(world["mentee"].id), str(world["mentee2"].id)],
        strands=["online-bullying", "online-reputation"]))
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(MentoringSession, log.id)
        assert sorted(m.pupil_id for m in saved.mentees) == sorted([world["mentee"].id, world["mentee2"].id])
        assert saved.strand_slugs == ["online-bullying", "online-reputation"]


def test_review_is_for_staff_who_supervise_online_leaders(app, client, world):
    log = add_log(app, world["leader"])
    login(client, world["teacher"])
    assert client.get(f"/mentoring/review/{log.id}").status_code == 404
    assert client.get("/mentoring/leaders").status_code == 403
    supervisor = app.test_client()
    login(supervisor, world["supervisor"])
    assert supervisor.get("/mentoring/leaders").status_code == 200
    received = []

    def badge_receiver(sender, leader, log):
        received.append((leader.id, log.id))
        return [{"name": "Online Leader star", "description": "", "image": ""}]

    with signals.mentoring_reviewed.connected_to(badge_receiver):
        response = post(supervisor, f"/mentoring/review/{log.id}", {"comment": "Kind and clear"},
                        follow_redirects=True)
    assert received == [(world["leader"].id, log.id)]
    page = response.get_data(as_text=True)
    assert "Log marked as reviewed." in page and "Lena Leader earned: Online Leader star." in page


def test_staff_see_sessions_pupils_helped_and_strands_per_leader(app, client, world):
    add_log(app, world["leader"], mentee_mode="named", mentee_ids=[world["mentee"].id, world["mentee2"].id],
            strands=["online-bullying", "privacy-and-security"])
    add_log(app, world["leader"], mentee_mode="group", group_size=12, strands=["online-bullying"])
    add_log(app, world["other_leader"], strands=["online-reputation"])
    login(client, world["supervisor"])
    page = client.get("/mentoring/leaders").get_data(as_text=True)
    assert "Lena Leader" in page and "Olly Other" in page
    assert "Online bullying (2)" in page and "Privacy and security (1)" in page
    with app.app_context():
        summaries = {s.leader.display_name: s for s in services.leader_summaries(
            world["school"].id, services.school_today() - timedelta(days=1), services.school_today())}
    assert summaries["Lena Leader"].sessions == 2 and summaries["Lena Leader"].pupils_helped == 14
    assert summaries["Olly Other"].strands == {"online-reputation": 1}
    assert client.get(f"/mentoring/leaders/{world['leader'].id}").status_code == 200


def test_mentoring_figures_count_only_the_period_and_the_school(app, world, make_school, make_user):
    today = services.school_today()
    add_log(app, world["leader"], mentee_mode="named", mentee_ids=[world["mentee"].id, world["mentee2"].id],
            strands=["online-bullying", "privacy-and-security"], duration_minutes=20)
    add_log(app, world["leader"], mentee_mode="group", group_size=12, strands=["online-bullying"],
            follow_up_needed=True, kind="class_talk", duration_minutes=30)
    add_log(app, world["other_leader"], mentee_mode="named", mentee_ids=[world["mentee"].id],
            session_date=today - timedelta(days=40))
    elsewhere = make_user(make_school("Elm"), "pupil", leader=True)
    add_log(app, elsewhere)
    with app.app_context():
        figures = services.mentoring_figures(world["school"].id, today - timedelta(days=7), today)
    assert figures.sessions == 2 and figures.leaders_active == 1
    assert figures.pupils_helped == 14 and figures.named_pupils == 2 and figures.minutes == 50
    assert figures.follow_ups == 1 and figures.by_kind["class_talk"] == 1
    assert figures.strands["online-bullying"] == 2 and figures.strands_covered == 2
    with app.app_context():
        year = services.mentoring_figures(world["school"].id, today - timedelta(days=60), today)
    assert year.sessions == 3 and year.named_pupils == 2


def test_evidence_page_shows_figures_and_concern_figures_only_to_the_dsl(app, client, world):
    add_log(app, world["leader"])
    login(client, world["supervisor"])
    page = client.get("/mentoring/evidence").get_data(as_text=True)
    assert "Sessions logged" in page and "Median time to acknowledge" not in page
    dsl = app.test_client()
    login(dsl, world["dsl"])
    assert "Median time to acknowledge" in dsl.get("/mentoring/evidence?period=1").get_data(as_text=True)
    assert dsl.get("/mentoring/evidence?period=nonsense").status_code == 200


def test_leader_sees_the_log_link_and_panel(app, client, world):
    login(client, world["leader"])
    page = client.get("/home").get_data(as_text=True)
    assert "My mentoring log" in page and "Log a session" in page
    mentee = app.test_client()
    login(mentee, world["mentee"])
    assert "My mentoring log" not in mentee.get("/home").get_data(as_text=True)


def test_nothing_is_saved_when_the_worry_part_is_incomplete(app, client, world):
    login(client, world["leader"])
    page = post(client, "/mentoring/new", form_data(worried="y")).get_data(as_text=True)
    assert "Pick what the worry is about." in page and "Pick yes or not yet." in page
    assert count_logs(app) == 0 and concern_count(app) == 0
    # every problem at once: the worry questions (the form's) and the log's own (the service's)
    page = post(client, "/mentoring/new", form_data(worried="y", what_we_did="", duration_minutes="0")).get_data(
        as_text=True)
    assert "Pick what the worry is about." in page and "Write what you did." in page and "from 1 to 240" in page
    assert count_logs(app) == 0 and concern_count(app) == 0
