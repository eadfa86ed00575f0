"""Fixtures: one app per database leg (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
factory fixtures for schools, classes and people, and a client that signs in through the real form."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import stamp
from sqlalchemy import event, text

from esafe_learn import create_app
from esafe_learn.extensions import db

from .pg import PostgresLeg

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
DEFAULT_PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def database_legs() -> list:
    legs = [pytest.param("sqlite", id="sqlite")]
    legs.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql))
    return legs


@pytest.fixture(scope="session")
def postgres_leg():
    """A database of its own for this run on the PostgreSQL server, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL leg skipped: TEST_DATABASE_URL is not set")
    leg = PostgresLeg(url)
    leg.create()
    yield leg
    leg.drop()


def base_config(database_uri: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SECRET_KEY": "test-" + uuid.uuid4().hex,
        "ARGON2_PARAMS": FAST_ARGON2,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "esafe.test",
        "BACKUP_DIR": str(instance / "backups"),  # never the checkout's instance folder
        "MFA_REQUIRED_ROLES": (),  # login() signs DSL and admins in with a password; tests/privacy turn MFA on
    }


@pytest.fixture(params=database_legs())
def app(request, tmp_path):
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        uri = request.getfixturevalue("postgres_leg").url
    application = create_app(base_config(uri, tmp_path))
    with application.app_context():
        db.create_all()
        stamp()  # the schema is at head, as `db upgrade` would leave it (tests/test_migrations.py checks that)
    yield application
    with application.app_context():
        db.session.remove()
        if request.param == "postgresql":
            _truncate_all()
        db.engine.dispose()


def _truncate_all() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def ctx(app):
    """An app context for tests that use no client: requests made inside one would share its `g`."""
    with app.app_context():
        yield app


def _saved(obj):
    """Commit, then load every column so the object can be used after its app context ends."""
    db.session.commit()
    db.session.refresh(obj)
    return obj


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------------------------------


@pytest.fixture
def make_school(app):
    from esafe_learn.schools.services import create_school

    def make(name: str = "Oak Primary", slug: str | None = None):
        with app.app_context():
            return _saved(create_school(name, slug or f"s{uuid.uuid4().hex[:8]}"))

    return make


@pytest.fixture
def make_user(app):
    from esafe_learn.schools.models import School
    from esafe_learn.schools.services import create_user

    def make(school, role: str = "pupil", *, name: str | None = None, password: str | None = DEFAULT_PASSWORD,
             year_group: int | None = None, leader: bool = False, supervises: bool = False, username=None):
        username = username or f"{role.replace('_', '')}-{uuid.uuid4().hex[:8]}"
        if role == "pupil" and year_group is None:
            year_group = 5
        with app.app_context():
            school = db.session.get(School, school.id) if school is not None else None
            user = create_user(school, username, name or username, role, password=password, year_group=year_group)
            user.is_online_leader = leader
            user.supervises_leaders = supervises
            return _saved(user)

    return make


@pytest.fixture
def make_class(app):
    from esafe_learn.auth.models import User
    from esafe_learn.schools.models import School
    from esafe_learn.schools.services import add_pupil_to_class, create_class, set_class_teachers

    def make(school, name: str | None = None, year_group: int = 5, *, teachers=(), pupils=(), band=None):
        with app.app_context():
            school = db.session.get(School, school.id)
            school_class = create_class(school, name or f"C{uuid.uuid4().hex[:5]}", year_group, band)
            set_class_teachers(school_class, [db.session.get(User, t.id) for t in teachers])
            for pupil in pupils:
                add_pupil_to_class(db.session.get(User, pupil.id), school_class)
            return _saved(school_class)

    return make


# --- signing in -------------------------------------------------------------------------------------


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def login(client, user, password: str = DEFAULT_PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def any_csrf_token(client) -> str:
    """A CSRF token for this client's session, signed in or not."""
    page = client.get("/account/password")
    if page.status_code != 200:
        page = client.get("/login")
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, "no page gave a CSRF token"
    return match.group(1)


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST with a valid CSRF token for the client's session."""
    data = dict(data or {})
    data.setdefault("csrf_token", any_csrf_token(client))
    return client.post(path, data=data, **kwargs)


# --- content --------------------------------------------------------------------------------------

EXAMPLE_PACK = Path(__file__).parent / "fixtures" / "packs" / "example-pack"
CORE_PACK = Path(__file__).parent.parent / "lessons" / "core-online-safety"


@pytest.fixture
def install(app):
    """Install a pack folder; returns {lesson slug: lesson id}."""
    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import install_pack

    def run(path: Path = EXAMPLE_PACK) -> dict[str, int]:
        with app.app_context():
            install_pack(path)
            db.session.commit()
            return {lesson.slug: lesson.id for lesson in db.session.scalars(db.select(Lesson))}

    return run


def quiz_form(client, lesson_id: int, pick: str = "right") -> dict:
    """A filled quiz form: the right answers, or the first wrong option of every question."""
    from esafe_learn.content.models import Lesson

    page = client.get(f"/lessons/{lesson_id}/quiz").get_data(as_text=True)
    token = re.search(r'name="attempt_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": CSRF_META.search(page).group(1), "attempt_token": token}
    lesson = db.session.get(Lesson, lesson_id)
    for question in lesson.quiz:
        if pick == "right":
            data[f"q-{question['key']}"] = [o["key"] for o in question["options"] if o["correct"]]
        else:
            wrong = next(o for o in question["options"] if not o["correct"])
            data[f"q-{question['key']}"] = [wrong["key"]]
    return data


@contextmanager
def count_queries(app):
    """Every SQL statement the app sends (transaction control and the once-a-minute session touch aside)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        text = statement.lstrip().upper()
        if text.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            return
        if text.startswith("UPDATE USER_SESSION"):  # sign-in keeps last-seen fresh once a minute, on any page
            return
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
