"""Sign-in, server-side sessions, QR sign-in cards and throttling. No request objects here."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.sql import ColumnElement, Select

from ..extensions import db
from ..timeutil import utcnow
from .models import PUPIL, SignInCard, SignInThrottle, User, UserSession
from .passwords import hash_password, verify_password

SESSION_TOUCH_SECONDS = 60


def token_digest(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to keep them unusable if leaked."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class SessionPolicy:
    staff_idle: timedelta
    pupil_idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, config) -> SessionPolicy:
        return cls(
            staff_idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            pupil_idle=timedelta(minutes=config["PUPIL_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
        )

    def expired(self, user: User, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        idle = self.pupil_idle if user.role == PUPIL else self.staff_idle
        return now - last_seen_at > idle or now - created_at > self.absolute


# --- throttling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    failures_allowed: int
    window: timedelta

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(config["SIGNIN_FAILURES_ALLOWED"], timedelta(minutes=config["SIGNIN_FAILURE_WINDOW_MINUTES"]))

    def delay_after(self, failures: int) -> timedelta:
        """Past the allowance, each further failure doubles the wait, up to an hour."""
        extra = failures - self.failures_allowed
        if extra < 0:
            return timedelta(0)
        return timedelta(seconds=min(3600, 30 * 2**extra))


def _throttle_row(username: str) -> SignInThrottle | None:
    return db.session.scalar(select(SignInThrottle).where(SignInThrottle.username == username))


def signin_blocked_until(username: str, now: datetime) -> datetime | None:
    row = _throttle_row(username)
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(username: str, policy: ThrottlePolicy, now: datetime) -> None:
    row = _throttle_row(username)
    if row is None:
        row = SignInThrottle(username=username, failures=0, window_started_at=now)
        db.session.add(row)
    if now - row.window_started_at > policy.window and not (row.locked_until and row.locked_until > now):
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    delay = policy.delay_after(row.failures)
    row.locked_until = now + delay if delay else None
    db.session.flush()


def clear_failures(username: str) -> None:
    row = _throttle_row(username)
    if row is not None:
        db.session.delete(row)


# --- passwords and sessions -----------------------------------------------------------------------


def authenticate(username: str, password: str) -> User | None:
    """The user when the username and password match an active account; None otherwise."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    return user


def start_session(user: User) -> str:
    """Open a server-side session and return its token (kept only in the signed cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=token_digest(token)))
    db.session.flush()
    return token


# A session fact is an SQL expression correlated to User (for example the pupil's working-at band) that
# every page of a signed-in person needs. It is read in the same statement as the session, so each fact
# costs no query of its own; the values are kept on the user object for this request only.
SessionFact = Callable[[], ColumnElement]


def session_lookup(facts: Mapping[str, SessionFact]) -> Select:
    """The statement that loads a live session, its user and the facts (built once per app)."""
    columns = [make().label(name) for name, make in facts.items()]
    return (
        select(User, UserSession.id.label("session_id"), UserSession.created_at, UserSession.last_seen_at, *columns)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
    )


def user_for_session(token: str | None, user_id: str | None, policy: SessionPolicy,
                     lookup: Select) -> User | None:
    """The signed-in user when the session token is live and belongs to that user."""
    if not token or not user_id:
        return None
    row = db.session.execute(lookup,
                             {"token_hash": token_digest(token)}).first()
    if row is None:
        return None
    user, session_id, created_at, last_seen_at = row[:4]
    now = utcnow()
    if str(user.id) != str(user_id) or not user.is_active or policy.expired(user, created_at, last_seen_at, now):
        return None
    user.loaded_session_facts = dict(zip(row._fields[4:], row[4:], strict=True))
    if (now - last_seen_at).total_seconds() > SESSION_TOUCH_SECONDS:
        _touch_session(session_id, now)
    return user


def session_facts(user: User) -> Mapping[str, object]:
    """The facts read with this request's session; empty for a user loaded any other way."""
    return getattr(user, "loaded_session_facts", {})


def _touch_session(session_id: int, now: datetime) -> None:
    """Record activity in a short transaction of its own that starts with the write.

    A page view only reads; writing inside its read transaction could fail on SQLite when another
    process wrote meanwhile, and would hold the write lock while the page renders.
    """
    with db.engine.begin() as connection:
        connection.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    """Used on password change, disabling and archiving: every copied cookie stops working."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def disable_account(user: User) -> None:
    """Disable an account: every session ends at once and its sign-in cards stop working."""
    user.active = False
    end_all_sessions(user)
    revoke_cards(user)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_all_sessions(user)


# --- QR sign-in cards -----------------------------------------------------------------------------


def issue_card(user: User) -> str:
    """Revoke the pupil's current card and issue a new one; returns the new token."""
    revoke_cards(user)
    token = secrets.token_urlsafe(32)
    db.session.add(SignInCard(user_id=user.id, token_hash=token_digest(token)))
    db.session.flush()
    return token


def revoke_cards(user: User) -> None:
    db.session.execute(
        update(SignInCard)
        .where(SignInCard.user_id == user.id, SignInCard.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def user_for_card(token: str) -> User | None:
    """The pupil a card signs in, if the card is live and the school allows QR sign-in."""
    if not token or len(token) > 200:
        return None
    user = db.session.scalar(
        select(User)
        .join(SignInCard, SignInCard.user_id == User.id)
        .where(SignInCard.token_hash == token_digest(token), SignInCard.revoked_at.is_(None))
    )
    if user is None or not user.is_active or user.role != PUPIL:
        return None
    if user.school is None or not user.school.qr_signin_enabled:
        return None
    return user
