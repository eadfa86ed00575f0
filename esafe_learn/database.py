"""Engine settings that keep the embedded SQLite default safe with several writers.

WAL lets readers work during a write, and a busy timeout makes a writer wait rather than fail.
A transaction that reads first and writes later fails at once with "database is locked" when
another process wrote in between (measured: most of 8 writers failed that way), so every
transaction that may write begins with BEGIN IMMEDIATE: requests that change something (any
method but GET, HEAD and OPTIONS) and CLI commands. Read-only page views begin a plain
deferred transaction and so never queue behind writers; the one write such a view makes (the
session's last-seen time) runs in a transaction of its own that starts with the write.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

BUSY_TIMEOUT_MS = 15_000
# A pooled server connection unused for this long is checked with a ping before a request gets it.
IDLE_PING_SECONDS = 10.0
write_intent: ContextVar[bool] = ContextVar("esafe_write_intent", default=False)
# True while a request that only reads (GET, HEAD, OPTIONS) runs; set by esafe_learn.security.
read_only_request: ContextVar[bool] = ContextVar("esafe_read_only_request", default=False)


def engine_options(database_uri: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> dict:
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}}
    return {}


@contextmanager
def writing() -> Iterator[None]:
    """Inside a page view that must write (an audit row, first-time seeding): begin a writing transaction.

    A page view reads in a deferred transaction (SQLite) or in autocommit (PostgreSQL). Nothing has been
    written yet when this is entered, so the reading transaction is ended, and the next one begins as a
    writer: BEGIN IMMEDIATE on SQLite, a real transaction on PostgreSQL. Usable as a decorator too.
    """
    from .extensions import db

    token = write_intent.set(True)
    try:
        if db.session().in_transaction():
            db.session.commit()
        yield
    finally:
        write_intent.reset(token)


def _dialect_insert(dialect_name: str):
    """The database's own INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both speak it)."""
    return sqlite.insert if dialect_name == "sqlite" else postgresql.insert


def _session_dialect() -> str:
    from .extensions import db

    return db.session.get_bind().dialect.name


def insert_once(target):
    """INSERT ... ON CONFLICT DO NOTHING.

    Racing requests that insert the same unique row leave one row and no error: the loser's statement
    returns no row, which the caller reads as "already there".
    """
    return _dialect_insert(_session_dialect())(target).on_conflict_do_nothing()


def built_once_per_database(build: Callable[[Callable], Executable]) -> Callable[[], Executable]:
    """Decorator: `build(insert)` makes a statement once for each kind of database, not on every request.

    Building an INSERT ... ON CONFLICT with its clauses cost more than running it (profiled on the quiz);
    the built statement takes its values as execute() parameters.
    """
    built: dict[str, Executable] = {}

    @functools.wraps(build)
    def statement() -> Executable:
        dialect = _session_dialect()
        if dialect not in built:
            built[dialect] = build(_dialect_insert(dialect))
        return built[dialect]

    return statement


def configure_engine(engine: Engine, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """SQLite pragmas and BEGIN IMMEDIATE; `busy_timeout_ms` (config SQLITE_BUSY_TIMEOUT_MS) is how long
    a writer waits for the lock before the request gets the "try again" page (esafe_learn.errors)."""
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
        _reads_without_transaction(engine)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN, so it can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _ping_idle_connections(engine: Engine) -> None:
    """Check a server connection before use only when it sat idle in the pool.

    A ping before every use (pool_pre_ping) costs each request one more round trip to the database,
    about a fifth of the lesson page's throughput under load (bench/run.py). A connection in steady use
    is known to be alive; one that sat idle may have been closed by a database restart, so it is pinged
    and, if dead, replaced before the request sees it. A failure in between still reaches the
    "try again" page (esafe_learn.errors), and SQLAlchemy then drops the pool's other old connections.
    """

    @event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("idle connection failed its ping") from error
        if not alive:
            raise exc.DisconnectionError("idle connection failed its ping")


def _reads_without_transaction(engine: Engine) -> None:
    """A PostgreSQL connection serving a page view runs each statement on its own (autocommit).

    Under READ COMMITTED every statement already reads its own snapshot, so a page sees the same data;
    what it saves is the BEGIN and ROLLBACK round trips, two of a lesson page's three. A page view that
    writes (an audit row, seeding) declares write intent first (esafe_learn.database.write_intent) and
    then gets a connection in a transaction as usual; so do every form, command and background job.
    """

    @event.listens_for(engine, "checkout")
    def _autocommit_if_reading(dbapi_connection, _record, _proxy):
        dbapi_connection.autocommit = read_only_request.get() and not write_intent.get()
