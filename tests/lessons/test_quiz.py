"""Quizzes: scored on the server, stored once, tampering refused, signals sent, answers kept on expiry."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress, Reflection
from esafe_learn.quizzes.models import MisconceptionChoice, QuizAttempt
from esafe_learn.signals import lesson_completed, quiz_scored

from ..conftest import login, post, quiz_form


@pytest.fixture
def young_pupil(app, client, install, make_school, make_user, make_class):
    ids = install()
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    make_class(school, "1A", 1, pupils=[pupil])
    login(client, pupil)
    return pupil, ids["keeping-things-private-4-7"]


def _attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(QuizAttempt.id)))


def test_right_answers_complete_the_lesson_and_send_signals(app, client, young_pupil):
    pupil, lesson_id = young_pupil
    received = []
    quiz_scored.connect(lambda sender, **kw: received.append(("scored", kw["attempt"].score)), weak=False)
    lesson_completed.connect(lambda sender, **kw: received.append(("completed", kw["lesson"].id)), weak=False)
    try:
        with app.app_context():
            data = quiz_form(client, lesson_id, "right")
        response = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    finally:
        quiz_scored.receivers.clear()
        lesson_completed.receivers.clear()
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Well done!" in page and "Not yet" not in page
    assert received == [("scored", 100), ("completed", lesson_id)]
    with app.app_context():
        progress = db.session.scalar(select(LessonProgress))
        assert progress.completed_at is not None and progress.best_score == 100 and progress.band == "4-7"


def test_wrong_answers_show_not_yet_with_explanations_and_record_misconceptions(app, client, young_pupil):
    _pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "wrong")
    response = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not yet" in page and "have another go" in page
    assert "explanation" in page
    with app.app_context():
        progress = db.session.scalar(select(LessonProgress))
        assert progress.completed_at is None and progress.attempts == 1
        assert db.session.scalar(select(func.count(MisconceptionChoice.id))) >= 1


def test_double_submit_is_stored_once(app, client, young_pupil):
    _pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    first = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    second = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert _attempts(app) == 1
    with app.app_context():
        assert db.session.scalar(select(LessonProgress)).attempts == 1


def test_each_new_try_is_stored(app, client, young_pupil):
    _pupil, lesson_id = young_pupil
    for pick in ("wrong", "right", "right"):
        with app.app_context():
            data = quiz_form(client, lesson_id, pick)
        client.post(f"/lessons/{lesson_id}/quiz", data=data)
    assert _attempts(app) == 3


@pytest.mark.parametrize("tamper", ["foreign-option", "missing-question", "unknown-question", "two-for-single",
                                    "no-token"])
def test_tampered_forms_get_a_clear_message_and_are_not_stored(app, client, young_pupil, tamper):
    _pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    first_key = next(k for k in data if k.startswith("q-"))
    if tamper == "foreign-option":
        data[first_key] = ["zz"]
    elif tamper == "missing-question":
        del data[first_key]
    elif tamper == "unknown-question":
        data["q-q99"] = ["a"]
    elif tamper == "two-for-single":
        single = next(k for k, v in data.items() if k.startswith("q-") and len(v) == 1)
        data[single] = ["a", "b"]
    else:
        data["attempt_token"] = ""
    response = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert _attempts(app) == 0


def test_a_lesson_of_another_band_cannot_be_submitted(app, client, young_pupil, install):
    ids = install()
    response = client.post(f"/lessons/{ids['kind-messages-7-11']}/quiz", data={"attempt_token": "x"})
    assert response.status_code in (400, 404)
    assert _attempts(app) == 0


def test_someone_elses_attempt_is_not_found(app, client, young_pupil, make_user):
    pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    location = client.post(f"/lessons/{lesson_id}/quiz", data=data).headers["Location"]
    with app.app_context():
        from esafe_learn.schools.models import School

        school = db.session.get(School, pupil.school_id)
    other = app.test_client()
    login(other, make_user(school, "pupil", year_group=1))
    assert other.get(location).status_code == 404


def test_expired_csrf_on_a_quiz_keeps_the_answers(app, client, young_pupil):
    _pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    data["csrf_token"] = "expired-or-forged"
    response = client.post(f"/lessons/{lesson_id}/quiz", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "still ticked below" in page
    chosen = [v for k, values in data.items() if k.startswith("q-") for v in values]
    assert page.count(" checked") == len(chosen)
    assert _attempts(app) == 0


def test_reflection_is_stored_as_text_and_limited(app, client, young_pupil):
    _pupil, lesson_id = young_pupil
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    location = client.post(f"/lessons/{lesson_id}/quiz", data=data).headers["Location"]
    too_long = post(client, location, {"text": "x" * 301})
    assert too_long.status_code == 200 and "300 letters or fewer" in too_long.get_data(as_text=True)
    assert post(client, location, {"text": "<b>I will ask</b> before I share"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Reflection.text)) == "<b>I will ask</b> before I share"
