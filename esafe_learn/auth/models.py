"""People, their server-side sessions, sign-in cards and sign-in throttling."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

PUPIL = "pupil"
TEACHER = "teacher"
DSL = "dsl"
SCHOOL_ADMIN = "school_admin"
DEPLOYMENT_ADMIN = "deployment_admin"
ROLES = (PUPIL, TEACHER, DSL, SCHOOL_ADMIN, DEPLOYMENT_ADMIN)
STAFF_ROLES = (TEACHER, DSL, SCHOOL_ADMIN)
ROLE_LABELS = {
    PUPIL: "Pupil",
    TEACHER: "Teacher",
    DSL: "Safeguarding lead (DSL or deputy)",
    SCHOOL_ADMIN: "School admin",
    DEPLOYMENT_ADMIN: "Deployment admin",
}


class User(UserMixin, db.Model):
    """Anyone who signs in. Pupils hold the minimum: display name, year group, optional UPN."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    is_online_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    supervises_leaders: Mapped[bool] = mapped_column(Boolean, default=False)
    year_group: Mapped[int | None] = mapped_column(Integer)
    upn: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))  # staff only (new-concern alerts); pupils never
    roster_key: Mapped[str | None] = mapped_column(String(64), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (TOTP): the shared secret, when it was turned on, and the last time step used.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)

    school = relationship("School")

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None and bool(self.mfa_secret)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active and self.archived_at is None

    @property
    def is_pupil(self) -> bool:
        return self.role == PUPIL

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def role_label(self) -> str:
        if self.role == PUPIL and self.is_online_leader:
            return "Online Leader"
        return ROLE_LABELS[self.role]


class UserSession(db.Model):
    """A signed-in session, checked on every request so logout ends it on the server."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInCard(db.Model):
    """A QR card's token, stored only as a hash; revoking it keeps the row for the record."""

    __tablename__ = "sign_in_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInThrottle(db.Model):
    """Failed sign-ins per account, in the database so every app process sees them."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MfaRecoveryCode(db.Model):
    """A single-use recovery code for two-step sign-in, stored only as a hash."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
