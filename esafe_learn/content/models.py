"""Installed content: packs, their lessons, badges and media. Shared by every school of the deployment.

Kept apart from learner records: progress and attempts point at a lesson by id and keep the pack
version (and, for attempts, a snapshot of the questions) they were made against.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class Pack(db.Model):
    __tablename__ = "pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(20))
    licence: Mapped[str] = mapped_column(String(120))
    authors: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(20))
    misconceptions: Mapped[dict] = mapped_column(JSON, default=dict)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # One more on every install of this pack: app processes compare the sum to drop lessons they kept.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    lessons: Mapped[list[Lesson]] = relationship(back_populates="pack", order_by="Lesson.position")


class Lesson(db.Model):
    """A lesson as installed: its Markdown already rendered and sanitised, so pages serve stored HTML."""

    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("pack_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("pack.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    strand: Mapped[str] = mapped_column(String(40), index=True)
    ages: Mapped[list] = mapped_column(JSON, default=list)
    minutes: Mapped[int] = mapped_column(Integer)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)
    teacher_led: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[list] = mapped_column(JSON, default=list)
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    teacher_notes_html: Mapped[str] = mapped_column(Text, default="")
    easy_read_title: Mapped[str | None] = mapped_column(String(200))
    easy_read_html: Mapped[str | None] = mapped_column(Text)
    has_easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(40))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pack: Mapped[Pack] = relationship(back_populates="lessons")
    bands: Mapped[list[LessonBand]] = relationship(cascade="all, delete-orphan")

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    def misconception_slugs(self) -> set[str]:
        return {o["misconception"] for q in self.quiz for o in q["options"] if o.get("misconception")}


class LessonBand(db.Model):
    """One row per age band a lesson is for, so "lessons of my band" is an indexed join."""

    __tablename__ = "lesson_band"
    __table_args__ = (UniqueConstraint("lesson_id", "band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    band: Mapped[str] = mapped_column(String(8), index=True)


class PackBadge(db.Model):
    """A badge a pack defines; the badges feature awards it."""

    __tablename__ = "pack_badge"
    __table_args__ = (UniqueConstraint("pack_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("pack.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    image: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[dict] = mapped_column(JSON)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    pack: Mapped[Pack] = relationship()


class PackMedia(db.Model):
    __tablename__ = "pack_media"
    __table_args__ = (UniqueConstraint("pack_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("pack.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
