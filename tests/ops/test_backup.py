"""`esafe-learn backup` while pupils keep writing, `esafe-learn restore` into an empty database, and the
backup `esafe-learn db upgrade` takes first on SQLite."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from esafe_learn import create_app
from esafe_learn.content.models import Lesson
from esafe_learn.extensions import db
from esafe_learn.paths import MIGRATIONS_DIR

from ..conftest import CSRF_META, base_config, login
from ..pg import PostgresLeg
from .live import REPO, new_secret, server_env

WRITERS = 4
MAX_TRIES_EACH = 150
LESSON = "keeping-things-private-4-7"
COMMAND_TIMEOUT = 120


def esafe_learn(args: list[str], database_url: str, folder: Path) -> subprocess.CompletedProcess:
    """The real command in a process of its own, as an operator runs it beside the app."""
    script = Path(sys.executable).with_name("esafe-learn")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from esafe_learn.cli import main; main()"]
    return subprocess.run(command + args, cwd=REPO, env=server_env(database_url, new_secret(), folder),
                          capture_output=True, text=True, timeout=COMMAND_TIMEOUT)


class Writers:
    """Pupils sending quizzes through the app in threads until told to stop; remembers what was committed."""

    def __init__(self, app, pupils, lesson_id: int, right: dict, wrong: dict):
        self.app, self.pupils, self.lesson_id, self.right, self.wrong = app, pupils, lesson_id, right, wrong
        self.committed: list[tuple[float, str, str]] = []  # (when the app answered, token, pick)
        self.finished_lesson: set[int] = set()  # pupils whose first (right) attempt completed the lesson
        self.failures: list[str] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(pupil,), daemon=True) for pupil in pupils]

    def _run(self, pupil) -> None:
        try:
            client = self.app.test_client()
            login(client, pupil)
            for attempt in range(MAX_TRIES_EACH):
                if self.stop.is_set():
                    return
                page = client.get(f"/lessons/{self.lesson_id}/quiz").get_data(as_text=True)
                token = re.search(r'name="attempt_token" value="([^"]+)"', page).group(1)
                pick = "wrong" if attempt % 2 else "right"
                data = {"csrf_token": CSRF_META.search(page).group(1), "attempt_token": token}
                data |= {f"q-{key}": values for key, values in (self.wrong if attempt % 2 else self.right).items()}
                response = client.post(f"/lessons/{self.lesson_id}/quiz", data=data)
                if response.status_code != 302:
                    raise AssertionError(f"status {response.status_code}")
                with self._lock:
                    self.committed.append((time.monotonic(), token, pick))
                    if pick == "right":
                        self.finished_lesson.add(pupil.id)
        except Exception as error:  # reported by the test
            self.failures.append(repr(error))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in self.threads), "a writer did not stop within 60 s"

    def tokens(self, before: float = float("inf")) -> set[str]:
        with self._lock:
            return {token for when, token, _pick in self.committed if when < before}


def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {name: connection.scalar(text(f'SELECT count(*) FROM "{name}"'))
                    for name in inspect(connection).get_table_names()}
    finally:
        engine.dispose()


def _restored_facts(url: str) -> tuple[set[str], int, int, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tokens = set(connection.scalars(text("SELECT attempt_token FROM quiz_attempt")))
            attempts = connection.scalar(text("SELECT coalesce(sum(attempts), 0) FROM lesson_progress"))
            wrong = connection.scalar(text("SELECT count(*) FROM quiz_attempt WHERE NOT full_marks"))
            tags = connection.scalar(text("SELECT count(*) FROM misconception_choice"))
            return tokens, attempts, wrong, tags
    finally:
        engine.dispose()


@pytest.fixture
def restore_target(app, request, tmp_path):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'esafe-learn.sqlite'}"
    admin = request.getfixturevalue("postgres_leg").admin_url.render_as_string(hide_password=False)
    target = PostgresLeg(admin)
    target.create()
    request.addfinalizer(target.drop)
    return target.url


@pytest.mark.slow
def test_backup_while_pupils_write_then_restore_finds_every_committed_row(app, install, make_school, make_user,
                                                                           make_class, restore_target, tmp_path):
    install()
    school = make_school()
    pupils = [make_user(school, "pupil", year_group=1) for _ in range(WRITERS)]
    make_class(school, "1A", 1, pupils=pupils)
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == LESSON))
        right = {q["key"]: [o["key"] for o in q["options"] if o["correct"]] for q in lesson.quiz}
        wrong_options = {q["key"]: next(o for o in q["options"] if not o["correct"]) for q in lesson.quiz}
        wrong = {key: [option["key"]] for key, option in wrong_options.items()}
        tags_per_wrong = sum(1 for option in wrong_options.values() if option.get("misconception"))
        lesson_id = lesson.id
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    backup_file = tmp_path / ("backup.sqlite" if source.startswith("sqlite") else "backup.dump")

    writers = Writers(app, pupils, lesson_id, right, wrong)
    writers.start()
    try:
        deadline = time.monotonic() + 60
        # Every pupil has completed the lesson (and earned its badges) before the backup starts, so while it
        # runs only attempts, their misconceptions and updates to existing progress rows are written.
        while (len(writers.tokens()) < 2 * WRITERS or len(writers.finished_lesson) < WRITERS) \
                and time.monotonic() < deadline and not writers.failures:
            time.sleep(0.05)
        assert len(writers.finished_lesson) == WRITERS, "not every pupil finished the lesson before the backup"
        started = time.monotonic()
        backup = esafe_learn(["backup", str(backup_file)], source, tmp_path)
        ended = time.monotonic()
    finally:
        writers.finish()
    assert writers.failures == []
    assert backup.returncode == 0, backup.stderr + backup.stdout
    before, during, everything = writers.tokens(started), writers.tokens(ended) - writers.tokens(started), \
        writers.tokens()
    assert len(before) >= 2 * WRITERS and during, "the pupils kept writing while the backup ran"
    assert backup_file.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    restored = esafe_learn(["restore", str(backup_file)], restore_target, tmp_path)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    target_app = create_app(base_config(restore_target, tmp_path))
    again = target_app.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert again.exit_code != 0 and "not empty" in again.output

    tokens, progress_attempts, wrong_tries, tags = _restored_facts(restore_target)
    assert before <= tokens <= everything  # every row committed before the backup began; nothing invented
    assert progress_attempts == len(tokens)  # each attempt and its progress count, never one without the other
    assert tags == wrong_tries * tags_per_wrong
    source_counts, restored_counts = _row_counts(source), _row_counts(restore_target)
    written = {"quiz_attempt", "misconception_choice"}
    assert {k: v for k, v in restored_counts.items() if k not in written} == \
        {k: v for k, v in source_counts.items() if k not in written}
    assert restored_counts["quiz_attempt"] == len(tokens)
    if source.startswith("sqlite"):
        assert "integrity check ok" in backup.stdout
        reported = int(re.search(r"(\d+) rows\)", backup.stdout).group(1))
        assert reported == sum(restored_counts.values())  # the restore holds exactly what the backup held
        with sqlite3.connect(restore_target.removeprefix("sqlite:///")) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert check.execute("PRAGMA foreign_key_check").fetchall() == []


def test_restore_refuses_what_is_not_a_backup_and_backup_keeps_existing_files(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path))
    runner = app.test_cli_runner()
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database")
    result = runner.invoke(args=["restore", str(garbage)])
    assert result.exit_code != 0 and "not an esafe-learn backup" in result.output
    dump = tmp_path / "other.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    result = runner.invoke(args=["restore", str(dump)])
    assert result.exit_code != 0 and "PostgreSQL backup" in result.output
    assert not (tmp_path / "empty.sqlite").exists()  # nothing was created while refusing
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    assert runner.invoke(args=["backup", str(tmp_path / "one.sqlite")]).exit_code == 0
    again = runner.invoke(args=["backup", str(tmp_path / "one.sqlite")])
    assert again.exit_code != 0 and "already exists" in again.output
    assert runner.invoke(args=["backup", "--force", str(tmp_path / "one.sqlite")]).exit_code == 0


def test_db_upgrade_backs_up_sqlite_first(tmp_path):
    base_revision = ScriptDirectory(str(MIGRATIONS_DIR)).get_bases()[0]
    app = create_app(base_config(f"sqlite:///{tmp_path / 'up.sqlite'}", tmp_path))
    runner = app.test_cli_runner()
    backups = tmp_path / "backups"
    try:
        first = runner.invoke(args=["db", "upgrade", base_revision])
        assert first.exit_code == 0, first.output
        assert "Backed up" not in first.output  # an empty database: nothing to keep
        made = runner.invoke(args=["create-school", "--name", "Elm Primary", "--slug", "elm"])
        assert made.exit_code == 0, made.output

        second = runner.invoke(args=["db", "upgrade"])
        assert second.exit_code == 0, second.output
        saved = sorted(backups.glob("*.sqlite"))
        assert len(saved) == 1 and f"Backed up the database to {saved[0]}" in second.output
        assert re.fullmatch(r"\d{8}T\d{6}Z\.sqlite", saved[0].name)
        with sqlite3.connect(saved[0]) as copy:  # the database as it was before the upgrade
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(base_revision,)]
            assert copy.execute("SELECT slug FROM school").fetchall() == [("elm",)]

        third = runner.invoke(args=["db", "upgrade"])  # already at the newest schema: no backup needed
        assert third.exit_code == 0 and "Backed up" not in third.output
        assert len(list(backups.glob("*.sqlite"))) == 1
        with app.app_context():
            from esafe_learn.schools.models import School

            assert db.session.scalar(select(func.count(School.id))) == 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgresql
def test_postgresql_backup_says_what_to_install_when_pg_dump_is_missing(postgres_leg, tmp_path, monkeypatch):
    app = create_app(base_config(postgres_leg.url, tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code != 0
    assert "pg_dump was not found" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "x.dump").exists()
