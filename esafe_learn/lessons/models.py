"""Learner records about lessons: what teachers set, each learner's summary per lesson, reflections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class LessonAssignment(db.Model):
    """A lesson a teacher set for a class (any band; the only way a teacher-led lesson reaches pupils)."""

    __tablename__ = "lesson_assignment"
    __table_args__ = (UniqueConstraint("class_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson = relationship("Lesson")


class LessonProgress(db.Model):
    """The summary of one learner and one lesson (attempts keep the full history)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    band: Mapped[str] = mapped_column(String(8))
    strand: Mapped[str] = mapped_column(String(40))
    reached_end: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    best_score: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    pack_version: Mapped[str] = mapped_column(String(40))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson = relationship("Lesson")


class Reflection(db.Model):
    """"One thing I will do differently online": plain text, shown escaped to the pupil's teachers only."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    band: Mapped[str] = mapped_column(String(8))
    pupil_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
