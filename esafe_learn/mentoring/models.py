"""Online Leaders' mentoring log: one row per session, who was helped, the strands talked about."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

KINDS = {
    "one_to_one": "One-to-one",
    "small_group": "Small group",
    "class_talk": "Class or assembly talk",
    "drop_in": "Drop-in",
    "lesson_help": "Helping in a lesson",
}

# Who was helped: pupils picked by name, one pupil the leader won't name (with a year group), or a group size.
NAMED, UNNAMED, GROUP = "named", "unnamed", "group"
MENTEE_MODES = (NAMED, UNNAMED, GROUP)


class MentoringSession(db.Model):
    """A session an Online Leader logged. Free text is plain text, shown escaped, never to other pupils."""

    __tablename__ = "mentoring_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    session_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    mentee_mode: Mapped[str] = mapped_column(String(10))
    unnamed_year_group: Mapped[int | None] = mapped_column(Integer)
    group_size: Mapped[int | None] = mapped_column(Integer)
    what_we_did: Mapped[str] = mapped_column(Text)
    what_helped: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    worry_raised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_comment: Mapped[str] = mapped_column(Text, default="")

    leader = relationship("User", foreign_keys=[leader_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    mentees: Mapped[list[MentoringMentee]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="MentoringMentee.id"
    )
    strands: Mapped[list[MentoringStrand]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="MentoringStrand.strand"
    )

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def pupils_helped(self) -> int:
        """Named pupils, or one unnamed pupil, or the group's size."""
        if self.mentee_mode == NAMED:
            return len(self.mentees)
        if self.mentee_mode == UNNAMED:
            return 1
        return self.group_size or 0

    @property
    def strand_slugs(self) -> list[str]:
        return [row.strand for row in self.strands]


class MentoringMentee(db.Model):
    """A pupil of the leader's school named in a session."""

    __tablename__ = "mentoring_mentee"
    __table_args__ = (UniqueConstraint("session_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mentoring_session.id", ondelete="CASCADE"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    session: Mapped[MentoringSession] = relationship(back_populates="mentees")
    pupil = relationship("User")


class MentoringStrand(db.Model):
    """A strand of Education for a Connected World talked about in a session."""

    __tablename__ = "mentoring_strand"
    __table_args__ = (UniqueConstraint("session_id", "strand"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mentoring_session.id", ondelete="CASCADE"), index=True)
    strand: Mapped[str] = mapped_column(String(40))

    session: Mapped[MentoringSession] = relationship(back_populates="strands")
