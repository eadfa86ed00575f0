"""A quiz sent while the database is briefly unavailable: a clear "try again" page (503) that keeps the
pupil's answers and the attempt token, so sending it again stores it exactly once. The outages are real:
SQLite locked by another connection for longer than the busy timeout; a PostgreSQL server process
killed in the middle of the write; PostgreSQL refusing every connection."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask_migrate import stamp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from esafe_learn import create_app
from esafe_learn.extensions import db
from esafe_learn.quizzes.models import QuizAttempt
from esafe_learn.schools.models import SchoolClass

from ..conftest import EXAMPLE_PACK, _truncate_all, base_config, database_legs, login, post, quiz_form

SHORT_BUSY_MS = 250
LESSON = "keeping-things-private-4-7"


@pytest.fixture(params=database_legs())
def outage_app(request, tmp_path):
    """The app on either leg, waiting only SHORT_BUSY_MS for a SQLite lock."""
    leg = None
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'outage.sqlite'}"
    else:
        leg = request.getfixturevalue("postgres_leg")
        uri = leg.url
    app = create_app(base_config(uri, tmp_path) | {"SQLITE_BUSY_TIMEOUT_MS": SHORT_BUSY_MS})
    app.extensions["test_leg"] = leg
    with app.app_context():
        db.create_all()
        stamp()
    yield app
    with app.app_context():
        db.session.remove()
        if leg is not None:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def pupil_at_quiz(outage_app, make_school, make_user, make_class):
    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import install_pack

    with outage_app.app_context():
        install_pack(EXAMPLE_PACK)
        db.session.commit()
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == LESSON))
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    make_class(school, "1A", 1, pupils=[pupil])
    client = outage_app.test_client()
    login(client, pupil)
    with outage_app.app_context():
        form = quiz_form(client, lesson_id, "right")
    return client, lesson_id, form


# make_school / make_user / make_class take the `app` fixture: point it at this module's app.
@pytest.fixture
def app(outage_app):
    return outage_app


def _attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(QuizAttempt.id)))


def _form_on(page: str) -> dict:
    """What the page would send: its hidden fields and the ticked answers."""
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag))
        ticked = re.search(r"\schecked\b", tag) is not None
        if attrs.get("type") == "hidden" or ticked:
            data.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    return data


def _chosen(form: dict) -> list[tuple[str, str]]:
    return sorted((key, value) for key, values in form.items() if key.startswith("q-") for value in values)


@contextmanager
def database_unavailable(app):
    """SQLite: another connection holds the write lock. PostgreSQL: the INSERT of an attempt kills its own
    server process (a crash or failover in the middle of the write)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        blocker = sqlite3.connect(make_url(uri).database, isolation_level=None, timeout=5)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    with _pg(app) as connection:
        connection.execute("CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                           "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN NEW; END $$")
        connection.execute("CREATE TRIGGER die BEFORE INSERT ON quiz_attempt FOR EACH ROW EXECUTE FUNCTION die()")
        try:
            yield
        finally:
            connection.execute("DROP TRIGGER die ON quiz_attempt")
            connection.execute("DROP FUNCTION die()")


def _pg(app, database: str | None = None):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                           dbname=database or url.database, autocommit=True)


def test_a_quiz_sent_while_the_database_is_unavailable_keeps_the_answers_and_a_retry_stores_it_once(
        outage_app, pupil_at_quiz):
    client, lesson_id, form = pupil_at_quiz
    with database_unavailable(outage_app):
        response = client.post(f"/lessons/{lesson_id}/quiz", data=form)
        page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "could not save your answers just now" in page and "still ticked" in page
    assert "locked" not in page.lower()
    shown = _form_on(page)
    assert shown["attempt_token"] == [form["attempt_token"]]  # the same attempt, not a new one
    assert _chosen(shown) == _chosen({k: v for k, v in form.items() if k.startswith("q-")})
    assert _attempts(outage_app) == 0

    retry = client.post(f"/lessons/{lesson_id}/quiz", data=shown)
    assert retry.status_code == 302 and "/attempts/" in retry.headers["Location"]
    again = client.post(f"/lessons/{lesson_id}/quiz", data=shown)
    assert again.headers["Location"] == retry.headers["Location"]
    assert _attempts(outage_app) == 1


@pytest.mark.parametrize("outage_app", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_quiz_sent_while_postgresql_refuses_connections_is_kept_to_send_again(outage_app, pupil_at_quiz):
    client, lesson_id, form = pupil_at_quiz
    leg = outage_app.extensions["test_leg"]
    with _pg(outage_app, leg.admin_url.database) as admin:
        admin.execute(f'ALTER DATABASE "{leg.name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (leg.name,))
        try:
            response = client.post(f"/lessons/{lesson_id}/quiz", data=form)
        finally:
            admin.execute(f'ALTER DATABASE "{leg.name}" ALLOW_CONNECTIONS true')
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your answers are not saved yet" in page and "Send my answers again" in page
    kept = _form_on(page)
    assert kept["attempt_token"] == [form["attempt_token"]]
    assert _chosen(kept) == _chosen({k: v for k, v in form.items() if k.startswith("q-")})

    retry = client.post(f"/lessons/{lesson_id}/quiz", data=kept)
    assert retry.status_code == 302 and "/attempts/" in retry.headers["Location"]
    assert client.post(f"/lessons/{lesson_id}/quiz", data=kept).headers["Location"] == retry.headers["Location"]
    assert _attempts(outage_app) == 1


@pytest.mark.parametrize("outage_app", ["sqlite"], indirect=True)
def test_any_other_form_gets_a_plain_try_again_page_and_nothing_half_saved(outage_app, make_school, make_user):
    admin = make_user(make_school(), "school_admin")
    client = outage_app.test_client()
    login(client, admin)
    path = Path(make_url(outage_app.config["SQLALCHEMY_DATABASE_URI"]).database)
    blocker = sqlite3.connect(path, isolation_level=None, timeout=5)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = post(client, "/school/classes", {"name": "4B", "year_group": "4", "working_at_band": ""})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "busy right now" in page and "locked" not in page.lower()
    with outage_app.app_context():
        assert db.session.scalar(select(func.count(SchoolClass.id))) == 0


def _close_every_server_connection(app) -> None:
    """What a PostgreSQL restart does to the connections an app process keeps in its pool."""
    leg = app.extensions["test_leg"]
    with _pg(app, leg.admin_url.database) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (leg.name,))


@pytest.mark.parametrize("outage_app", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_pooled_connection_closed_while_idle_is_replaced_before_a_page_uses_it(outage_app, make_school,
                                                                                  make_user, monkeypatch):
    import esafe_learn.database

    client = outage_app.test_client()
    login(client, make_user(make_school(), "teacher"))
    assert client.get("/home").status_code == 200

    # Used a moment ago, the connection is not pinged: a server restart in between reaches the page.
    _close_every_server_connection(outage_app)
    assert client.get("/home").status_code == 503
    assert client.get("/home").status_code == 200  # the failure dropped the pool's old connections

    # Idle for longer than the ping threshold: checked and replaced, and the page never notices.
    monkeypatch.setattr(esafe_learn.database, "IDLE_PING_SECONDS", 0.0)
    _close_every_server_connection(outage_app)
    assert client.get("/home").status_code == 200
