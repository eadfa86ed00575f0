"""Safeguarding concerns, kept apart from other pupil data: their own tables, opened only by the DSL.

The audit log is append-only: the app inserts rows and has no way to change or delete them
(the ORM refuses it, see `_refuse_audit_change`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# The four areas of risk of Keeping Children Safe in Education, and "something else".
CATEGORIES = {
    "content": "Content",
    "contact": "Contact",
    "conduct": "Conduct",
    "commerce": "Commerce",
    "other": "Something else",
}
SOURCES = {"leader": "Online Leader's log", "pupil": "Pupil", "staff": "Staff"}
TOLD_ADULT = {"yes": "Yes", "not_yet": "Not yet"}

NEW, ACKNOWLEDGED, ACTIONS_RECORDED, CLOSED = "new", "acknowledged", "actions_recorded", "closed"
STATUSES = {NEW: "New", ACKNOWLEDGED: "Acknowledged", ACTIONS_RECORDED: "Actions recorded", CLOSED: "Closed"}

ACTION_KINDS = {
    "spoke_to_pupil": "Spoke to the pupil",
    "informed_parents": "Informed parents or carers",
    "referred_social_care": "Referred to children's social care",
    "referred_police": "Referred to the police",
    "no_further_action": "No further action",
}


class Concern(db.Model):
    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(12))
    pupil_choice: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    told_adult: Mapped[str] = mapped_column(String(8))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    about_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    mentoring_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentoring_session.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=NEW, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actions_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actions_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # For the retention rules of the data protection issue.
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)

    reported_by = relationship("User", foreign_keys=[reported_by_id])
    about = relationship("User", foreign_keys=[about_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    actions_recorded_by = relationship("User", foreign_keys=[actions_recorded_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    mentoring_session = relationship("MentoringSession")
    actions: Mapped[list[ConcernAction]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernAction.recorded_at"
    )
    notes: Mapped[list[ConcernNote]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernNote.created_at"
    )

    @property
    def reference(self) -> str:
        return f"C{self.id:05d}"

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def told_adult_label(self) -> str:
        return TOLD_ADULT.get(self.told_adult, self.told_adult)


class ConcernAction(db.Model):
    """Something the DSL did about a concern."""

    __tablename__ = "concern_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="actions")
    recorded_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return ACTION_KINDS.get(self.kind, self.kind)


class ConcernNote(db.Model):
    """A staff note on a concern: added, never edited; pupils never see it."""

    __tablename__ = "concern_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="notes")
    author = relationship("User")


class ConcernLink(db.Model):
    """Two related concerns of one school, stored once with the lower id first."""

    __tablename__ = "concern_link"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConcernAudit(db.Model):
    """Who did what to which concern, and when (UTC). Ids and names only, never the concern's words.

    `concern_id` and `actor_id` are plain numbers, not foreign keys, so no later change to a concern
    or a person rewrites the record; the actor's name and role are kept as they were at the time.
    """

    __tablename__ = "concern_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    concern_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_id: Mapped[int] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete a row of the concern audit log."""


@event.listens_for(ConcernAudit, "before_update")
@event.listens_for(ConcernAudit, "before_delete")
def _refuse_audit_change(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("the concern audit log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_change(state):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is ConcernAudit:
        raise AuditLogIsAppendOnly("the concern audit log is append-only")
