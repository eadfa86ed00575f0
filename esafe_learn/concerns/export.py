"""The CSV export of a school's concerns for its safeguarding record system, safe to open in a spreadsheet."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..csvfiles import CsvLines
from ..extensions import db
from ..schools.terms import utc_midnight
from .models import Concern, ConcernAction, ConcernNote
from .services import PUPIL_CHOICES, related_by_concern, time_to_acknowledge

EXPORT_CATEGORY = "Online safeguarding"
EXPORT_HEADER = [
    "Reference", "Category", "Sub-category", "Date raised (UTC)", "Raised by", "Raised by role", "Source",
    "About pupil", "About pupil year group", "Pupil's choice", "Description", "Told an adult in person",
    "Status", "Acknowledged at (UTC)", "Acknowledged by", "Time to acknowledge (minutes)", "Actions",
    "Notes", "Closed at (UTC)", "Closed by", "Related concerns",
]
def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _name(user: User | None) -> str:
    return user.display_name if user else ""


def export_concerns(school_id: int, start: date | None = None, end: date | None = None) -> list[Concern]:
    query = select(Concern).where(Concern.school_id == school_id)
    if start:
        query = query.where(Concern.created_at >= utc_midnight(start))
    if end:
        query = query.where(Concern.created_at < utc_midnight(end + timedelta(days=1)))
    people = [selectinload(getattr(Concern, name)) for name in ("reported_by", "about", "acknowledged_by", "closed_by")]
    return list(db.session.scalars(query.order_by(Concern.created_at, Concern.id).options(
        *people, selectinload(Concern.actions).selectinload(ConcernAction.recorded_by),
        selectinload(Concern.notes).selectinload(ConcernNote.author))))


def export_csv(concerns: list[Concern]) -> str:
    write = CsvLines()
    write(EXPORT_HEADER)
    linked = related_by_concern(concerns)
    for concern in concerns:
        ack = time_to_acknowledge(concern)
        actions = "; ".join(
            f"{_when(a.recorded_at)} {a.kind_label} ({_name(a.recorded_by)})" + (f": {a.note}" if a.note else "")
            for a in concern.actions
        )
        notes = "; ".join(f"{_when(n.created_at)} {_name(n.author)}: {n.body}" for n in concern.notes)
        choice = PUPIL_CHOICES[concern.pupil_choice][0] if concern.pupil_choice in PUPIL_CHOICES else ""
        row = [
            concern.reference, EXPORT_CATEGORY, concern.category_label, _when(concern.created_at),
            _name(concern.reported_by), concern.reported_by.role_label if concern.reported_by else "",
            concern.source_label, _name(concern.about),
            concern.about.year_group if concern.about and concern.about.year_group is not None else "",
            choice, concern.description, concern.told_adult_label, concern.status_label,
            _when(concern.acknowledged_at), _name(concern.acknowledged_by),
            int(ack.total_seconds() // 60) if ack is not None else "", actions, notes,
            _when(concern.closed_at), _name(concern.closed_by),
            " ".join(other.reference for other in linked.get(concern.id, [])),
        ]
        write(row)
    return write.text()
