"""The school's e-safeguarding checklist, its reviews, the acceptable use policy and the chosen pupil voice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

RED, AMBER, GREEN, UNRATED = "red", "amber", "green", "unrated"
RATINGS = {UNRATED: "Not yet rated", RED: "Red", AMBER: "Amber", GREEN: "Green"}

# Where the platform has evidence for an item (checklist.yaml `evidence`).
COVERAGE, CONCERNS, MENTORING, TRAINING, AUP = "coverage", "concerns", "mentoring", "training", "aup"
EVIDENCE_SOURCES = {
    COVERAGE: "Curriculum coverage",
    CONCERNS: "Concerns log",
    MENTORING: "Online Leaders' mentoring log",
    TRAINING: "Staff online safeguarding training",
    AUP: "Acceptable use policy acknowledgements",
}

DEFAULT_GREEN_PERCENT, DEFAULT_AMBER_PERCENT, DEFAULT_MIN_STRANDS = 80, 50, 6


class ChecklistItem(db.Model):
    """One item of a school's checklist: seeded from checklist.yaml (`key` set) or added by the school."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("school_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(60))  # None for the school's own items
    area: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str | None] = mapped_column(String(20))
    rating: Mapped[str] = mapped_column(String(10), default=UNRATED)
    rating_reason: Mapped[str] = mapped_column(Text, default="")  # why the lead chose it (needed against a suggestion)
    suggested_rating: Mapped[str | None] = mapped_column(String(10))  # the platform's suggestion when rated
    suggestion_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    review_date: Mapped[date | None] = mapped_column(Date)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_custom(self) -> bool:
        return self.key is None

    @property
    def rating_label(self) -> str:
        return RATINGS.get(self.rating, self.rating)


class ChecklistSettings(db.Model):
    """The school's thresholds for the suggested curriculum rating (the defaults until the lead changes them)."""

    __tablename__ = "checklist_settings"
    __table_args__ = (UniqueConstraint("school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    green_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_GREEN_PERCENT)
    amber_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_AMBER_PERCENT)
    min_strands: Mapped[int] = mapped_column(Integer, default=DEFAULT_MIN_STRANDS)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChecklistReview(db.Model):
    """A review of the checklist: a snapshot of every figure and rating, so progress can be shown later.

    The snapshot is plain JSON (figures, ratings, notes, the period and thresholds) and names no pupil.
    """

    __tablename__ = "checklist_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str] = mapped_column(String(120))
    period_name: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    snapshot: Mapped[dict] = mapped_column(JSON)


class AupVersion(db.Model):
    """A version of the school's acceptable use policy, as the school typed it."""

    __tablename__ = "aup_version"
    __table_args__ = (UniqueConstraint("school_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    pupil_text: Mapped[str] = mapped_column(Text, default="")  # the rules in pupils' words (optional)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class AupAcknowledgement(db.Model):
    """One person's acknowledgement of one version of the AUP; every one is kept."""

    __tablename__ = "aup_acknowledgement"
    __table_args__ = (UniqueConstraint("aup_version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    aup_version_id: Mapped[int] = mapped_column(ForeignKey("aup_version.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PupilVoiceChoice(db.Model):
    """A reflection teachers marked as pupil voice that the lead chose for the evidence report (ten at most)."""

    __tablename__ = "pupil_voice_choice"
    __table_args__ = (UniqueConstraint("reflection_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflection.id", ondelete="CASCADE"))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
