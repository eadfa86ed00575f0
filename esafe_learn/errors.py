"""Styled error pages; a form whose CSRF token expired says so in plain words; a database that
cannot be reached gives a "try again" page (503), never a raw error."""

from __future__ import annotations

import re
import sqlite3

from flask import Flask, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from .database import write_intent
from .extensions import db, login_manager

# The database is down, restarting, unreachable, locked for longer than the busy timeout, or out of
# connections. A page may register a recovery for these in app.extensions["esafe_db_recovery"]
# (endpoint -> function returning a response or None), like the CSRF recovery below.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError)
SQLITE_SCHEMA_MISMATCH = re.compile(r"no such (table|column)|table \S+ has no column named")

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You can't open this page", "Your account does not have access to it. Ask a member of staff if you need it."),
    404: ("Page not found", "We couldn't find that page. It may have moved, or the link may be wrong."),
    405: ("That didn't work", "That page can't be used like that. Please go back and try again."),
    413: ("That file is too big", "Please choose a smaller file."),
    429: ("Too many tries", "Please wait a minute, then try again."),
    500: ("Something went wrong on our side", "It's not your fault. Please try again in a moment."),
    503: ("We're busy right now", "Please try again in a moment. Nothing you typed has been saved yet."),
}


def render_error(code: int):
    title, detail = MESSAGES.get(code, MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        recover = app.extensions.get("esafe_csrf_recovery", {}).get(request.endpoint)
        response = recover() if recover else None
        return response or (render_template("errors/csrf.html", code=400), 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(500)
    def server_error(error):
        if isinstance(getattr(error, "original_exception", None), sa_exc.SQLAlchemyError):
            return _database_fault_page()
        return render_error(500)

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, _database_unavailable)


def forget_failed_transaction() -> None:
    """Roll back what the failed request began; a dead connection is dropped by SQLAlchemy."""
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too: start again with a new session
        db.session.remove()


def database_readable() -> bool:
    """Load the signed-in user now, while a failure can still be caught; signed out if that fails.

    Rendering only reads from here on, so on SQLite the page is read beside the writer holding the lock.
    """
    write_intent.set(False)
    try:
        user = current_user._get_current_object()
        if user.is_authenticated:
            user.display_name  # noqa: B018  (refreshed from the database here, not in the template)
        return True
    except sa_exc.SQLAlchemyError:
        forget_failed_transaction()
        g._login_user = login_manager.anonymous_user()
        return False


def _schema_mismatch(cause: BaseException) -> bool:
    """SQLite reports a missing table or column as an OperationalError, like a lock; PostgreSQL does not.

    That is a fault of the deployment (a migration not run), not a busy moment: it gets the 500 page and a
    logged error, as on PostgreSQL, rather than a "try again" that would never help.
    """
    return isinstance(cause, sqlite3.OperationalError) and SQLITE_SCHEMA_MISMATCH.match(str(cause)) is not None


def _database_fault_page():
    """The 500 page after a failed statement: the page's header must not fail the same way again."""
    forget_failed_transaction()
    database_readable()
    return render_error(500)


def _database_unavailable(error):
    cause = getattr(error, "orig", None) or error
    if _schema_mismatch(cause):
        current_app.logger.error("Database schema does not match the app during %s %s: %s", request.method,
                                 request.endpoint, str(cause)[:200])
        return _database_fault_page()
    message = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
    current_app.logger.error("Database unavailable during %s %s: %s: %s", request.method, request.endpoint,
                             type(cause).__name__, message)
    forget_failed_transaction()
    g.database_readable = database_readable()
    recover = current_app.extensions.get("esafe_db_recovery", {}).get(request.endpoint)
    response = None
    if recover is not None:
        try:
            response = recover()
        except DATABASE_UNAVAILABLE:
            forget_failed_transaction()
            g.database_readable = database_readable()
    response = current_app.make_response(response if response is not None else render_error(503))
    response.headers["Retry-After"] = "5"
    return response
