"""Backups while the app runs, and restores into an empty database. No Flask request objects here.

SQLite uses its online backup API: the whole database is copied in one step inside a read
transaction, so the copy is one consistent moment even while app processes keep writing (WAL lets
them). PostgreSQL uses pg_dump's custom format, a consistent snapshot too, and pg_restore. Every
backup is checked before it is kept (SQLite's integrity check; pg_restore can read the archive's
table of contents), written beside FILE first and only then renamed to FILE, and readable by its
owner only: it holds pupils' personal data.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
SQLITE_TIMEOUT_S = 30
PG_CLIENT_HINT = ("Install the PostgreSQL client tools (on Debian or Ubuntu: apt install postgresql-client), "
                  "the same major version as the server or newer, then run the command again.")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with a message for the operator."""


@dataclass
class BackupReport:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows (SQLite, and after any restore)
    tables: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def database_kind(url: str | URL) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"esafe-learn backs up SQLite and PostgreSQL databases only, not {backend}.")
    return backend


def sqlite_file(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("DATABASE_URL names no SQLite file to back up or restore.")
    return Path(database)


def file_kind(path: Path) -> str:
    """What a backup file is, from its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    raise BackupError(f"{path} is not an esafe-learn backup (neither a SQLite database nor a pg_dump archive).")


def _partial(target: Path) -> Path:
    return target.with_name(target.name + ".partial")


def _prepare_target(target: Path, overwrite: bool) -> None:
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists. Choose a new file name (or use --force to replace it).")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")


def _keep(partial: Path, target: Path) -> None:
    os.chmod(partial, 0o600)
    os.replace(partial, target)


# --- SQLite ---------------------------------------------------------------------------------------


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    return [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def sqlite_rows(connection: sqlite3.Connection) -> dict[str, int]:
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in sqlite_tables(connection)}


def sqlite_problems(connection: sqlite3.Connection) -> list[str]:
    """Integrity and foreign-key problems; an empty list means the database is sound."""
    integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    problems = [] if integrity == ["ok"] else integrity[:10]
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        problems.append(f"{len(broken)} row(s) point at rows that do not exist (first in table {broken[0][0]})")
    return problems


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")
    return connection


def sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    connection = _connect(path)
    try:
        return bool(sqlite_tables(connection))
    finally:
        connection.close()


def backup_sqlite(source: Path, target: Path, overwrite: bool = False) -> BackupReport:
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    _prepare_target(target, overwrite)
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    live, copy = _connect(source), _connect(partial)
    try:
        live.backup(copy)  # every page in one step: one consistent moment, writers carry on (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = sqlite_problems(copy)
        rows = sqlite_rows(copy)
    finally:
        copy.close()
        live.close()
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError("The copy failed its integrity check, so it was not kept: " + "; ".join(problems))
    _keep(partial, target)
    return BackupReport(target, "sqlite", rows, len(rows))


def restore_sqlite(backup: Path, target: Path) -> BackupReport:
    if file_kind(backup) != "sqlite":
        raise BackupError(f"{backup} is a PostgreSQL backup (pg_dump), but DATABASE_URL is a SQLite database. "
                          "Restore it into PostgreSQL.")
    if sqlite_has_tables(target):
        raise BackupError(f"The database at {target} is not empty. Restore only into an empty database: "
                          "stop the app, move that file away (keep it!) or point DATABASE_URL at a new file.")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT_S)
    try:
        problems = sqlite_problems(source)
        if problems:
            raise BackupError(f"{backup} failed its integrity check, so nothing was restored: " + "; ".join(problems))
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = _connect(target)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")  # the app's own setting
            problems = sqlite_problems(destination)
            rows = sqlite_rows(destination)
        finally:
            destination.close()
    finally:
        source.close()
    if problems:
        raise BackupError("The restored database failed its integrity check: " + "; ".join(problems))
    return BackupReport(target, "sqlite", rows, len(rows))


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on this computer. {PG_CLIENT_HINT}")
    return path


def libpq_target(url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it (never on the command line)."""
    url = make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError((f"{what} failed: " + " ".join(detail[-3:])) if detail else f"{what} failed.")
    return result.stdout


def backup_postgresql(url: str | URL, target: Path, overwrite: bool = False) -> BackupReport:
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    _prepare_target(target, overwrite)
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    conninfo, env = libpq_target(url)
    try:
        _run([pg_dump, "--format=custom", "--lock-wait-timeout=60s", f"--file={partial}", f"--dbname={conninfo}"],
             env, "pg_dump")
        contents = _run([pg_restore, "--list", str(partial)], env, "Checking the archive with pg_restore --list")
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    tables = sum(1 for line in contents.splitlines() if " TABLE DATA " in line)
    _keep(partial, target)
    return BackupReport(target, "postgresql", {}, tables)


def postgresql_rows(url: str | URL) -> dict[str, int]:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT table_schema, table_name, quote_ident(table_schema) || '.' || quote_ident(table_name) "
                "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")).all()
            return {(name if schema == "public" else f"{schema}.{name}"):
                    connection.scalar(text(f"SELECT count(*) FROM {quoted}")) for schema, name, quoted in tables}
    finally:
        engine.dispose()


def restore_postgresql(url: str | URL, backup: Path) -> BackupReport:
    if file_kind(backup) != "postgresql":
        raise BackupError(f"{backup} is a SQLite backup, but DATABASE_URL is a PostgreSQL database. "
                          "Restore it with DATABASE_URL pointing at a SQLite file.")
    pg_restore = pg_tool("pg_restore")
    existing = postgresql_rows(url)
    if existing:
        database = make_url(url).database
        raise BackupError(f"The database {database} is not empty ({len(existing)} tables). Restore only into an "
                          "empty database: create a new one (createdb) and point DATABASE_URL at it.")
    conninfo, env = libpq_target(url)
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={conninfo}", str(backup)], env, "pg_restore")
    rows = postgresql_rows(url)
    return BackupReport(backup, "postgresql", rows, len(rows))


# --- either ---------------------------------------------------------------------------------------


def backup_database(url: str | URL, target: Path, overwrite: bool = False) -> BackupReport:
    if database_kind(url) == "sqlite":
        return backup_sqlite(sqlite_file(url), target, overwrite)
    return backup_postgresql(url, target, overwrite)


def restore_database(url: str | URL, backup: Path) -> BackupReport:
    if not backup.is_file():
        raise BackupError(f"There is no backup file at {backup}.")
    if database_kind(url) == "sqlite":
        return restore_sqlite(backup, sqlite_file(url))
    return restore_postgresql(url, backup)
