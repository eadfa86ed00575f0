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

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
write_intent: ContextVar[bool] = ContextVar("esafe_write_intent", default=False)


def engine_options(database_uri: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> dict:
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def configure_engine(engine: Engine, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """SQLite pragmas and BEGIN IMMEDIATE; `busy_timeout_ms` (config SQLITE_BUSY_TIMEOUT_MS) is how long
    a writer waits for the lock before the request gets the "try again" page (esafe_learn.errors)."""
    if engine.dialect.name != "sqlite":
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
