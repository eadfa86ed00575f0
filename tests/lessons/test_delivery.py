"""Age-appropriate delivery: who sees which lesson, and what staff see."""

from __future__ import annotations

from sqlalchemy import select

from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonAssignment, LessonProgress

from ..conftest import count_queries, login, post


def _assign(app, school_class, lesson_id):
    with app.app_context():
        db.session.add(LessonAssignment(school_id=school_class.school_id, class_id=school_class.id,
                                        lesson_id=lesson_id))
        db.session.commit()


def test_pupils_see_their_bands_lessons_only(app, client, install, make_school, make_user, make_class):
    ids = install()
    school = make_school()
    young = make_user(school, "pupil", year_group=1)
    older = make_user(school, "pupil", year_group=4)
    make_class(school, "1A", 1, pupils=[young])
    make_class(school, "4A", 4, pupils=[older])
    login(client, young)
    page = client.get("/lessons/").get_data(as_text=True)
    assert "Keeping things private" in page or "keeping" in page.lower()
    assert client.get(f"/lessons/{ids['keeping-things-private-4-7']}").status_code == 200
    assert client.get(f"/lessons/{ids['kind-messages-7-11']}").status_code == 404
    other = app.test_client()
    login(other, older)
    assert client.get(f"/lessons/{ids['kind-messages-7-11']}").status_code == 404
    assert other.get(f"/lessons/{ids['keeping-things-private-4-7']}").status_code == 404


def test_working_at_band_overrides_year_group(app, client, install, make_school, make_user, make_class):
    ids = install()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=9)
    make_class(school, "Willow", 9, pupils=[pupil], band="4-7")
    login(client, pupil)
    assert client.get(f"/lessons/{ids['keeping-things-private-4-7']}").status_code == 200


def test_teacher_led_lessons_appear_only_when_set(app, client, install, make_school, make_user, make_class):
    ids = install()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=4)
    teacher = make_user(school, "teacher")
    school_class = make_class(school, "4A", 4, teachers=[teacher], pupils=[pupil])
    login(client, pupil)
    lesson_id = ids["kind-messages-7-11"]
    assert client.get(f"/lessons/{lesson_id}").status_code == 404
    assert "Set by your teacher" not in client.get("/lessons/").get_data(as_text=True)

    staff = app.test_client()
    login(staff, teacher)
    response = post(staff, f"/lessons/{lesson_id}/preview", {"class_id": school_class.id, "due_date": "2026-12-01"})
    assert response.status_code == 302
    page = client.get("/lessons/").get_data(as_text=True)
    assert "Set by your teacher" in page and "Due 1 December 2026" in page
    assert client.get(f"/lessons/{lesson_id}").status_code == 200


def test_teacher_cannot_set_a_lesson_for_someone_elses_class(app, client, install, make_school, make_user,
                                                              make_class):
    ids = install()
    school = make_school()
    mine, theirs = make_user(school, "teacher"), make_user(school, "teacher")
    make_class(school, "4A", 4, teachers=[mine])
    other_class = make_class(school, "4B", 4, teachers=[theirs])
    login(client, mine)
    response = post(client, f"/lessons/{ids['kind-messages-7-11']}/preview", {"class_id": other_class.id})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LessonAssignment)) is None


def test_staff_preview_shows_notes_and_answers_and_counts_nothing(app, client, install, make_school, make_user):
    ids = install()
    teacher = make_user(make_school(), "teacher")
    login(client, teacher)
    lesson_id = ids["kind-messages-7-11"]
    assert client.get(f"/lessons/{lesson_id}").status_code == 302
    page = client.get(f"/lessons/{lesson_id}/preview").get_data(as_text=True)
    assert "Teacher notes" in page and "Right" in page and "Misconception:" in page
    with app.app_context():
        assert db.session.scalar(select(LessonProgress)) is None


def test_lesson_pages_move_the_progress_bar_and_use_few_queries(app, client, install, make_school, make_user,
                                                                 make_class):
    ids = install()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    make_class(school, "1A", 1, pupils=[pupil])
    login(client, pupil)
    lesson_id = ids["keeping-things-private-4-7"]
    first = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert 'value="1"' in first and "Part 1 of" in first
    with count_queries(app) as statements:
        second = client.get(f"/lessons/{lesson_id}?part=2").get_data(as_text=True)
    assert "Part 2 of" in second
    assert len(statements) <= 4, statements
    assert client.get(f"/lessons/{lesson_id}?part=999").status_code == 200
    assert client.get(f"/lessons/{lesson_id}?part=abc").status_code == 200
    easy = client.get(f"/lessons/{lesson_id}?view=easy").get_data(as_text=True)
    assert "Full lesson" in easy


def test_online_leaders_see_training(app, client, install, make_school, make_user, make_class):
    from ..conftest import CORE_PACK

    ids = install(CORE_PACK)
    school = make_school()
    leader = make_user(school, "pupil", year_group=6, leader=True)
    pupil = make_user(school, "pupil", year_group=6)
    make_class(school, "6A", 6, pupils=[leader, pupil])
    login(client, leader)
    assert "Online Leader training" in client.get("/lessons/").get_data(as_text=True)
    assert client.get(f"/lessons/{ids['leader-listening-7-11']}").status_code == 200
    other = app.test_client()
    login(other, pupil)
    assert "Online Leader training" not in other.get("/lessons/").get_data(as_text=True)
    assert other.get(f"/lessons/{ids['leader-listening-7-11']}").status_code == 404


def test_lesson_without_quiz_is_completed_at_the_end(app, client, make_school, make_user, make_class, tmp_path):
    from esafe_learn.content.services import install_pack

    pack = tmp_path / "no-quiz"
    (pack / "l").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        'schema_version: 1\nid: no-quiz\ntitle: No quiz\nversion: "1"\ndescription: d\nlanguage: en-GB\n'
        "licence: CC0\nauthors: [us]\naudience: pupils\nmisconceptions: {}\n")
    (pack / "l" / "a.md").write_text(
        "---\nid: reading-only\ntitle: Reading only\nstrand: online-reputation\nages: 7-11\nminutes: 5\n"
        "objectives:\n  - I can read.\n---\nHello.\n\n## One\n\nText.\n")
    with app.app_context():
        install_pack(pack)
        db.session.commit()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=4)
    make_class(school, "4A", 4, pupils=[pupil])
    login(client, pupil)
    with app.app_context():
        from esafe_learn.content.models import Lesson

        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "reading-only"))
    assert "I have finished" in client.get(f"/lessons/{lesson_id}?part=2").get_data(as_text=True)
    assert post(client, f"/lessons/{lesson_id}/finish").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(LessonProgress)).completed_at is not None
