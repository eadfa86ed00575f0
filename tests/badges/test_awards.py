"""Staff recognition, revoking, the badge wall and class pages, and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from esafe_learn.auth.models import User
from esafe_learn.badges import services
from esafe_learn.badges.models import BadgeAward, SchoolBadge
from esafe_learn.content.models import PackBadge
from esafe_learn.extensions import db
from esafe_learn.signals import lesson_completed
from esafe_learn.timeutil import utcnow

from ..conftest import login, post
from .helpers import award_count, complete, held, make_pack, school_badge, send

# --- staff recognise pupils ------------------------------------------------------------------------


@pytest.fixture
def classroom(app, make_school, make_user, make_class):
    school = make_school()
    teacher = make_user(school, "teacher", name="Ms Patel")
    pupils = [make_user(school, "pupil", name=name) for name in ("Ada", "Ben", "Cai")]
    school_class = make_class(school, "5A", 5, teachers=[teacher], pupils=pupils)
    other_teacher = make_user(school, "teacher")
    other_pupil = make_user(school, "pupil", name="Dot")
    other_class = make_class(school, "5B", 5, teachers=[other_teacher], pupils=[other_pupil])
    return {"school": school, "teacher": teacher, "pupils": pupils, "class": school_class,
            "other_teacher": other_teacher, "other_pupil": other_pupil, "other_class": other_class,
            "badge": school_badge(app, school)}


def test_teacher_recognises_several_pupils_at_once_and_they_see_why(app, client, classroom):
    ada, ben, cai = classroom["pupils"]
    login(client, classroom["teacher"])
    url = f"/badges/classes/{classroom['class'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Give a badge" in page and "Ada" in page and "Dot" not in page
    response = post(client, url, {"pupils": [ada.id, ben.id], "badge": f"school-{classroom['badge']}",
                                  "reason": "helped a friend change their privacy settings"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Badge given to Ada, Ben." in page
    assert "helped a friend change their privacy settings" in page
    assert held(app, ada) == ["Helper"] and held(app, ben) == ["Helper"] and held(app, cai) == []
    with app.app_context():
        award = db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == ada.id))
        assert award.awarded_by_id == classroom["teacher"].id and award.reason.startswith("helped a friend")
    post(client, url, {"pupils": [ben.id, cai.id], "badge": f"school-{classroom['badge']}", "reason": "Again"})
    page = client.get(url).get_data(as_text=True)
    assert "Badge given to Cai." in page and "Already had this badge: Ben." in page
    assert award_count(app) == 3
    pupil_client = app.test_client()
    login(pupil_client, ada)
    wall = pupil_client.get("/badges/").get_data(as_text=True)
    assert "Helper" in wall and "helped a friend change their privacy settings" in wall and "Ms Patel said" in wall


def test_staff_award_a_packs_staff_awarded_badge_but_not_an_automatic_one(app, client, classroom):
    pack = make_pack(app, [], [{"slug": "kind", "name": "Kind online", "criteria": {"kind": "staff-awarded"}},
                               {"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}}])
    login(client, classroom["teacher"])
    url = f"/badges/classes/{classroom['class'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Kind online" in page and "First steps" not in page
    ada = classroom["pupils"][0]
    assert post(client, url, {"pupils": [ada.id], "badge": f"pack-{pack.badges['first']}",
                              "reason": "x"}).status_code == 200
    assert award_count(app) == 0
    post(client, url, {"pupils": [ada.id], "badge": f"pack-{pack.badges['kind']}", "reason": "Kind words"})
    assert held(app, ada) == ["Kind online"]


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "Write a short reason the pupil will see."),
    ({"reason": "x" * 201}, "Keep the reason to 200 characters or fewer."),
    ({"pupils": []}, "Choose at least one pupil."),
    ({"pupils": "other"}, "Choose pupils from this class."),
    ({"pupils": ["abc"]}, "Choose at least one pupil."),
    ({"badge": "school-999999"}, "Choose a badge from the list."),
    ({"badge": ""}, "Choose a badge from the list."),
])
def test_award_form_explains_bad_input_and_saves_nothing(app, client, classroom, data, message):
    login(client, classroom["teacher"])
    form = {"pupils": [classroom["pupils"][0].id], "badge": f"school-{classroom['badge']}", "reason": "Kind"}
    form.update(data)
    if form["pupils"] == "other":
        form["pupils"] = [classroom["other_pupil"].id]
    response = post(client, f"/badges/classes/{classroom['class'].id}", form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert award_count(app) == 0


def test_a_teacher_of_another_class_or_school_cannot_award_to_or_see_a_pupils_badges(
        app, client, classroom, make_school, make_user, make_class):
    ada = classroom["pupils"][0]
    with app.app_context():
        award = services.award_badge(db.session.get(User, ada.id), db.session.get(SchoolBadge, classroom["badge"]),
                                     reason="Kind")
        db.session.commit()
        award_id = award.id
    far_school = make_school()
    far_teacher = make_user(far_school, "teacher")
    far_admin = make_user(far_school, "school_admin")
    make_class(far_school, "5A", 5, teachers=[far_teacher])
    class_id = classroom["class"].id
    for outsider in (classroom["other_teacher"], far_teacher, far_admin):
        outsider_client = app.test_client()
        login(outsider_client, outsider)
        for path in (f"/badges/classes/{class_id}", f"/badges/classes/{class_id}/board", f"/badges/pupils/{ada.id}",
                     f"/badges/awards/{award_id}/revoke"):
            assert outsider_client.get(path).status_code == 404, (outsider.username, path)
        assert post(outsider_client, f"/badges/classes/{class_id}",
                    {"pupils": [ada.id], "badge": f"school-{classroom['badge']}", "reason": "x"}).status_code == 404
        assert post(outsider_client, f"/badges/pupils/{ada.id}",
                    {"badge": f"school-{classroom['badge']}", "reason": "x"}).status_code == 404
        assert post(outsider_client, f"/badges/awards/{award_id}/revoke",
                    {"reason": services.REVOCATION_REASONS[0]}).status_code == 404
    # nor give a badge of another school to their own pupil
    far_pupil = make_user(far_school, "pupil")
    school_badge(app, far_school, "Their own badge")
    far_class = make_class(far_school, "6F", 6, teachers=[far_teacher], pupils=[far_pupil])
    far_client = app.test_client()
    login(far_client, far_teacher)
    response = post(far_client, f"/badges/classes/{far_class.id}",
                    {"pupils": [far_pupil.id], "badge": f"school-{classroom['badge']}", "reason": "x"})
    assert "Choose a badge from the list." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(BadgeAward, award_id).revoked_at is None
    assert award_count(app) == 1


def test_pupils_see_only_their_own_badges(app, client, classroom):
    ada, ben, _cai = classroom["pupils"]
    with app.app_context():
        services.award_badge(db.session.get(User, ben.id), db.session.get(SchoolBadge, classroom["badge"]),
                             reason="Secret reason for Ben")
        db.session.commit()
    login(client, ada)
    wall = client.get("/badges/").get_data(as_text=True)
    assert "Helper" not in wall and "Secret reason for Ben" not in wall and "Ben" not in wall
    assert "You have no badges yet." in wall
    for path in (f"/badges/classes/{classroom['class'].id}/board", f"/badges/pupils/{ben.id}"):
        assert client.get(path).status_code == 404


def test_revoking_hides_the_badge_from_the_pupil(app, client, classroom):
    ada = classroom["pupils"][0]
    login(client, classroom["teacher"])
    post(client, f"/badges/pupils/{ada.id}", {"badge": f"school-{classroom['badge']}", "reason": "Kind"})
    with app.app_context():
        award_id = db.session.scalar(select(BadgeAward.id))
    page = client.get(f"/badges/awards/{award_id}/revoke").get_data(as_text=True)
    assert "Take back a badge" in page
    response = post(client, f"/badges/awards/{award_id}/revoke", {"reason": "Made up reason"})
    assert "Choose a reason from the list." in response.get_data(as_text=True)
    response = post(client, f"/badges/awards/{award_id}/revoke", {"reason": "Awarded to the wrong pupil"})
    assert response.status_code == 302
    with app.app_context():
        award = db.session.get(BadgeAward, award_id)
        assert award.revoked_at is not None and award.revoked_by_id == classroom["teacher"].id
        assert award.revocation_reason == "Awarded to the wrong pupil"
    assert "Taken back on" in client.get(f"/badges/pupils/{ada.id}").get_data(as_text=True)
    assert "Kind" not in client.get(f"/badges/classes/{classroom['class'].id}").get_data(as_text=True).split(
        "Given this term")[1].split("No badge yet")[0]
    assert held(app, ada) == []
    pupil_client = app.test_client()
    login(pupil_client, ada)
    assert "Helper" not in pupil_client.get("/badges/").get_data(as_text=True)
    assert "Helper" not in pupil_client.get("/home").get_data(as_text=True)


def test_class_page_shows_this_terms_badges_and_who_has_none(app, client, classroom):
    ada, ben, cai = classroom["pupils"]
    badge_id = classroom["badge"]
    old_badge = school_badge(app, classroom["school"], "Old one")
    with app.app_context():
        services.award_badge(db.session.get(User, ada.id), db.session.get(SchoolBadge, badge_id), reason="This term")
        old = services.award_badge(db.session.get(User, ben.id), db.session.get(SchoolBadge, old_badge),
                                   reason="Last year")
        old.awarded_at = utcnow() - timedelta(days=400)
        db.session.commit()
    login(client, classroom["teacher"])
    page = client.get(f"/badges/classes/{classroom['class'].id}").get_data(as_text=True)
    this_term, without = page.split("Given this term")[1].split("No badge yet this term")
    assert "This term" in this_term and "Last year" not in this_term
    assert "Ada" in this_term
    assert "Ben" in without and "Cai" in without and "Ada" not in without
    assert without.count("no badges at all yet") == 1  # Cai; Ben had one last year


def test_the_board_shows_the_class_badges_to_staff(app, client, classroom):
    ada = classroom["pupils"][0]
    with app.app_context():
        services.award_badge(db.session.get(User, ada.id), db.session.get(SchoolBadge, classroom["badge"]),
                             reason="Private reason")
        db.session.commit()
    login(client, classroom["teacher"])
    page = client.get(f"/badges/classes/{classroom['class'].id}/board").get_data(as_text=True)
    assert "Our badges" in page and "Ada" in page and "Helper" in page
    assert "Private reason" not in page  # the reason is for the pupil, not the whole class


def test_school_badges_are_made_and_changed_by_staff(app, client, classroom):
    login(client, classroom["teacher"])
    response = post(client, "/badges/school", {"name": "", "description": "", "icon": "rocket"})
    page = response.get_data(as_text=True)
    assert "Type a name for the badge." in page and "Choose one of the pictures." in page
    response = post(client, "/badges/school", {"name": "Upstander", "description": "Stood up for someone.",
                                               "icon": "shield", "strand": "online-bullying"})
    assert response.status_code == 302
    response = post(client, "/badges/school", {"name": "upstander", "description": "Again", "icon": "star"})
    assert "Your school already has a badge with that name." in response.get_data(as_text=True)
    with app.app_context():
        badge = db.session.scalar(select(SchoolBadge).where(SchoolBadge.name == "Upstander"))
        assert badge.strand == "online-bullying" and badge.icon == "shield"
        badge_id = badge.id
    assert post(client, f"/badges/school/{badge_id}", {"name": "Upstander", "description": "Stood up.",
                                                      "icon": "heart", "strand": "", "retired": "y"}).status_code == 302
    with app.app_context():
        badge = db.session.get(SchoolBadge, badge_id)
        assert badge.retired and badge.strand is None and badge.icon == "heart"
    assert ">Upstander</option>" not in client.get(f"/badges/classes/{classroom['class'].id}").get_data(as_text=True)


def test_wall_shows_what_is_left_without_ranking(app, client, make_school, make_user, make_class):
    school = make_school()
    pupil = make_user(school, "pupil", year_group=5)
    make_class(school, "5D", 5, pupils=[pupil])
    strand = "privacy-and-security"
    pack = make_pack(app, [{"slug": s, "strand": strand, "ages": ["7-11"]} for s in ("a", "b", "c")], [
        {"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}},
        {"slug": "strand", "name": "Privacy protector", "criteria": {"kind": "strand-complete", "strand": strand}},
        {"slug": "five", "name": "Keeping going", "criteria": {"kind": "lessons-completed", "count": 5}},
        {"slug": "mentor", "name": "Peer mentor", "criteria": {"kind": "mentoring-sessions", "count": 5}},
    ])
    complete(app, pupil, pack.lessons["a"])
    send(app, lesson_completed, pupil, lesson=pack.lessons["a"], progress=None)
    login(client, pupil)
    page = client.get("/badges/").get_data(as_text=True)
    earned, goals = page.split("Badges I can get")
    assert "First steps" in earned
    assert "2 more lessons in Privacy and security." in goals and "Finish 4 more lessons." in goals
    assert "Peer mentor" not in page  # only Online Leaders mentor
    for word in ("leaderboard", "rank", "streak", "points"):
        assert word not in page.lower()
    home = client.get("/home").get_data(as_text=True)
    assert "My badges" in home and "First steps" in home


def test_the_wall_uses_a_fixed_number_of_queries(app, client, make_school, make_user, make_class):
    from ..conftest import count_queries

    school = make_school()
    pupil = make_user(school, "pupil", year_group=5)
    make_class(school, "5E", 5, pupils=[pupil])
    strands = ["privacy-and-security", "online-bullying", "online-reputation"]

    def add_pack(n: int):
        lessons = [{"slug": f"{s}-{i}", "strand": s, "ages": ["7-11"]} for s in strands for i in range(2)]
        badges = [{"slug": f"s-{s}", "criteria": {"kind": "strand-complete", "strand": s}} for s in strands[:n]]
        badges += [{"slug": f"c{i}", "criteria": {"kind": "lessons-completed", "count": i + 2}} for i in range(n)]
        pack = make_pack(app, lessons, badges)
        complete(app, pupil, pack.lessons[f"{strands[0]}-0"])

    add_pack(1)
    login(client, pupil)
    client.get("/badges/")  # warm up whatever the app caches on a first page
    with count_queries(app) as few:
        assert client.get("/badges/").status_code == 200
    add_pack(3)
    add_pack(3)
    with count_queries(app) as many:
        page = client.get("/badges/").get_data(as_text=True)
    assert page.count("1 more lesson in") == 3  # the hints really were worked out

    def badge_queries(statements):  # leave out the sign-in session's own bookkeeping
        return [s for s in statements if "user_session" not in s]

    assert len(badge_queries(many)) == len(badge_queries(few)) <= 10


def test_a_pupil_sees_new_badges_the_moment_a_quiz_earns_them(app, client, install, make_school, make_user,
                                                               make_class):
    from ..conftest import quiz_form

    ids = install()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    make_class(school, "1A", 1, pupils=[pupil])
    login(client, pupil)
    lesson_id = ids["keeping-things-private-4-7"]
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    response = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New badge: First steps!" in page and "New badge: Private things expert!" in page
    assert held(app, pupil) == ["First steps", "Private things expert"]
    with app.app_context():
        assert db.session.scalar(select(func.count(PackBadge.id))) == 5


def test_a_pupil_who_has_left_is_not_listed_as_without_a_badge(app, client, classroom):
    from esafe_learn.schools.services import archive_user

    cai = classroom["pupils"][2]
    with app.app_context():
        archive_user(db.session.get(User, cai.id))
        db.session.commit()
    login(client, classroom["teacher"])
    page = client.get(f"/badges/classes/{classroom['class'].id}").get_data(as_text=True)
    without = page.split("No badge yet this term")[1]
    assert "Ben" in without and "Cai" not in without
