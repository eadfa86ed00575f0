"""The embedded SQLite database behind several gunicorn workers, with 8 pupils sending quizzes at once:
no "database is locked" (nor any other error) reaches anyone, and no write is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress
from esafe_learn.quizzes.models import QuizAttempt

from .live import AppServer, WebClient, build_school, new_secret, quiz_fields, server_env, start_servers, stop_servers

pytestmark = pytest.mark.slow

WRITERS = 8
TRIES_EACH = 10
WORKERS = 4


@pytest.fixture
def sqlite_server(tmp_path):
    school = build_school(f"sqlite:///{tmp_path / 'school.sqlite'}", tmp_path, WRITERS)
    server = AppServer(server_env(school.database_url, new_secret(), tmp_path), tmp_path / "gunicorn.log", WORKERS)
    try:
        start_servers([server])
        yield school, server
    finally:
        stop_servers([server])
        with school.app.app_context():
            db.session.remove()
            db.engine.dispose()


def _writer(school, server, number: int) -> list:
    _id, username = school.pupils[number]
    browser = WebClient()
    browser.sign_in(server.url, username)
    results = []
    for attempt in range(TRIES_EACH):
        page = browser.get(f"{server.url}/lessons/{school.lesson_id}/quiz")
        fields = quiz_fields(page.text, school.right if attempt % 2 else school.wrong)
        response = browser.post(f"{server.url}/lessons/{school.lesson_id}/quiz", fields)
        results.append((page.status, response.status, dict(fields)["attempt_token"], page.text + response.text))
    return results


def test_eight_concurrent_writers_on_several_workers_never_see_a_locked_database(sqlite_server):
    school, server = sqlite_server
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(_writer, school, server, number) for number in range(WRITERS)]
        results = [row for future in futures for row in future.result(timeout=180)]

    assert len(results) == WRITERS * TRIES_EACH
    assert [(page, sent) for page, sent, _token, _text in results] == [(200, 302)] * len(results)
    assert not [text for *_rest, text in results if "locked" in text.lower()]
    log = server.log()
    assert "locked" not in log.lower() and "Traceback" not in log, log[-3000:]
    with school.app.app_context():
        tokens = set(db.session.scalars(select(QuizAttempt.attempt_token)))
        assert tokens == {token for _page, _sent, token, _text in results}  # every write kept, once
        assert db.session.scalar(select(func.sum(LessonProgress.attempts))) == WRITERS * TRIES_EACH
        assert db.session.scalar(select(func.count(LessonProgress.id))) == WRITERS
