"""Badges a school makes, the badges pupils are awarded, and the school's Open Badges issuer details.

Pack badges live in content (PackBadge, shared by every school); an award points at exactly one
pack badge or one school badge, and a pupil holds each badge at most once (unique constraints,
written with INSERT ... ON CONFLICT DO NOTHING so racing processes cannot award it twice).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class SchoolBadge(db.Model):
    """A badge a school made for staff to award, for a kind of behaviour (a strand, or any)."""

    __tablename__ = "school_badge"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300))
    icon: Mapped[str] = mapped_column(String(40))
    strand: Mapped[str | None] = mapped_column(String(40))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BadgeAward(db.Model):
    """One badge held by one pupil: when, why (evidence, or who and the reason), and any revocation."""

    __tablename__ = "badge_award"
    __table_args__ = (
        UniqueConstraint("user_id", "pack_badge_id"),
        UniqueConstraint("user_id", "school_badge_id"),
        CheckConstraint("(pack_badge_id IS NULL) <> (school_badge_id IS NULL)", name="one_badge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    pack_badge_id: Mapped[int | None] = mapped_column(ForeignKey("pack_badge.id", ondelete="CASCADE"))
    school_badge_id: Mapped[int | None] = mapped_column(ForeignKey("school_badge.id", ondelete="CASCADE"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(200))
    salt: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(String(200))

    pupil = relationship("User", foreign_keys=[user_id])
    awarded_by = relationship("User", foreign_keys=[awarded_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    pack_badge = relationship("PackBadge")
    school_badge: Mapped[SchoolBadge | None] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class BadgeIssuer(db.Model):
    """The contact details Open Badges needs for the school as an issuer (an email is required)."""

    __tablename__ = "badge_issuer"
    __table_args__ = (UniqueConstraint("school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
