"""Concerns: raising, the DSL's steps, related concerns, the audit log, export and figures.

No request objects here; functions flush, the view commits once.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import DSL, PUPIL, User
from ..extensions import db
from ..schools.models import ClassMembership, SchoolClass
from ..schools.terms import Period
from ..schools.yeargroups import year_label
from ..timeutil import school_today, utcnow
from .models import (
    ACKNOWLEDGED,
    ACTION_KINDS,
    ACTIONS_RECORDED,
    CATEGORIES,
    CLOSED,
    NEW,
    SOURCES,
    TOLD_ADULT,
    Concern,
    ConcernAction,
    ConcernAudit,
    ConcernLink,
    ConcernNote,
)

WORDS_MAX = 2000
NOTE_MAX = 2000

# What a pupil picks on the worry page, in their words, and the area of risk it belongs to.
PUPIL_CHOICES = {
    "unkind": ("Someone was unkind to me online", "conduct"),
    "upsetting": ("I saw something upsetting", "content"),
    "stranger": ("Someone I don't know contacted me", "contact"),
    "money": ("Someone tried to get me to pay or buy something", "commerce"),
    "other": ("Something else", "other"),
}


class ConcernError(ValueError):
    """A request about a concern that cannot be carried out, in plain words."""


# --- raising ----------------------------------------------------------------------------------------


def raise_concern(
    reporter: User,
    source: str,
    *,
    category: str | None = None,
    pupil_choice: str | None = None,
    description: str = "",
    told_adult: str,
    about: User | None = None,
    mentoring_session_id: int | None = None,
) -> Concern:
    """Record a concern from a pupil, an Online Leader's log or a member of staff."""
    description = (description or "").strip()
    if source not in SOURCES:
        raise ConcernError("Unknown source of a concern.")
    if pupil_choice is not None:
        if pupil_choice not in PUPIL_CHOICES:
            raise ConcernError("Pick what your worry is about.")
        category = category or PUPIL_CHOICES[pupil_choice][1]
    if category not in CATEGORIES:
        raise ConcernError("Pick what kind of concern this is.")
    if told_adult not in TOLD_ADULT:
        raise ConcernError("Say whether you have told an adult in person.")
    if len(description) > WORDS_MAX:
        raise ConcernError(f"Please use {WORDS_MAX} letters or fewer.")
    if not description and pupil_choice is None:
        raise ConcernError("Write what happened.")
    if source in ("pupil", "leader") and reporter.role != PUPIL:
        raise ConcernError("Only pupils tell us about a worry this way.")
    if source == "staff" and not reporter.is_staff:
        raise ConcernError("Only staff raise a concern this way.")
    if about is not None and (about.school_id != reporter.school_id or about.role != PUPIL):
        raise ConcernError("That pupil is not in your school.")
    concern = Concern(
        school_id=reporter.school_id,
        source=source,
        category=category,
        pupil_choice=pupil_choice,
        description=description,
        told_adult=told_adult,
        reported_by_id=reporter.id,
        about_id=about.id if about else None,
        mentoring_session_id=mentoring_session_id,
        status=NEW,
        created_at=utcnow(),
    )
    db.session.add(concern)
    db.session.flush()
    return concern


# --- the audit log -------------------------------------------------------------------------------


def audit(school_id: int, actor: User, action: str, concern: Concern | None = None, detail: str = "") -> None:
    """Append a row: who, what, when. Never the concern's words."""
    db.session.add(ConcernAudit(
        school_id=school_id,
        concern_id=concern.id if concern is not None else None,
        actor_id=actor.id,
        actor_name=actor.display_name[:120],
        actor_role=actor.role,
        action=action,
        detail=detail[:200],
        at=utcnow(),
    ))
    db.session.flush()


def audit_rows(school_id: int, concern: Concern | None = None, limit: int = 500) -> list[ConcernAudit]:
    query = select(ConcernAudit).where(ConcernAudit.school_id == school_id)
    if concern is not None:
        query = query.where(ConcernAudit.concern_id == concern.id)
    return list(db.session.scalars(query.order_by(ConcernAudit.at.desc(), ConcernAudit.id.desc()).limit(limit)))


# --- the DSL's steps -----------------------------------------------------------------------------


def set_retention(concern: Concern, actor: User, date_of_birth: date | None, legal_hold: bool) -> None:
    """The DSL records what the retention rule needs: a date of birth (kept until it plus 25 years) and a hold."""
    if date_of_birth is not None and not date(school_today().year - 30, 1, 1) <= date_of_birth <= school_today():
        raise ConcernError("That date of birth doesn't look right. Check the year.")
    changes = []
    if date_of_birth != concern.date_of_birth:
        concern.date_of_birth = date_of_birth
        changes.append("date of birth recorded" if date_of_birth else "date of birth removed")
    if legal_hold != concern.legal_hold:
        concern.legal_hold = legal_hold
        changes.append("legal hold on" if legal_hold else "legal hold off")
    if changes:
        audit(concern.school_id, actor, "retention_changed", concern, detail=", ".join(changes))


def acknowledge(concern: Concern, actor: User) -> None:
    if concern.status != NEW:
        raise ConcernError("This concern has already been acknowledged.")
    concern.status = ACKNOWLEDGED
    concern.acknowledged_at = utcnow()
    concern.acknowledged_by_id = actor.id
    audit(concern.school_id, actor, "acknowledged", concern)


def record_action(concern: Concern, actor: User, kind: str, note: str = "") -> ConcernAction:
    note = (note or "").strip()
    if kind not in ACTION_KINDS:
        raise ConcernError("Pick an action.")
    if len(note) > NOTE_MAX:
        raise ConcernError(f"Use {NOTE_MAX} characters or fewer.")
    if concern.status == NEW:
        raise ConcernError("Acknowledge the concern before recording actions.")
    if concern.status == CLOSED:
        raise ConcernError("This concern is closed.")
    now = utcnow()
    action = ConcernAction(school_id=concern.school_id, concern_id=concern.id, kind=kind, note=note,
                           recorded_by_id=actor.id, recorded_at=now)
    db.session.add(action)
    if concern.status == ACKNOWLEDGED:
        concern.status = ACTIONS_RECORDED
        concern.actions_recorded_at = now
        concern.actions_recorded_by_id = actor.id
    audit(concern.school_id, actor, "action_recorded", concern, kind)
    return action


def add_note(concern: Concern, actor: User, body: str) -> ConcernNote:
    body = (body or "").strip()
    if not body:
        raise ConcernError("Write a note.")
    if len(body) > NOTE_MAX:
        raise ConcernError(f"Use {NOTE_MAX} characters or fewer.")
    note = ConcernNote(school_id=concern.school_id, concern_id=concern.id, body=body, author_id=actor.id,
                       created_at=utcnow())
    db.session.add(note)
    audit(concern.school_id, actor, "note_added", concern)
    return note


def close(concern: Concern, actor: User) -> None:
    if concern.status == CLOSED:
        raise ConcernError("This concern is already closed.")
    if concern.status != ACTIONS_RECORDED:
        raise ConcernError("Record at least one action (it may be \u201cno further action\u201d) before closing.")
    concern.status = CLOSED
    concern.closed_at = utcnow()
    concern.closed_by_id = actor.id
    audit(concern.school_id, actor, "closed", concern)


def link(concern: Concern, other: Concern, actor: User) -> None:
    if other.school_id != concern.school_id:
        raise ConcernError("Pick a concern of your school.")
    if other.id == concern.id:
        raise ConcernError("A concern can't be linked to itself.")
    first, second = sorted((concern.id, other.id))
    exists = db.session.scalar(
        select(ConcernLink.id).where(ConcernLink.first_id == first, ConcernLink.second_id == second)
    )
    if exists is not None:
        raise ConcernError("These concerns are already linked.")
    db.session.add(ConcernLink(school_id=concern.school_id, first_id=first, second_id=second,
                               created_by_id=actor.id, created_at=utcnow()))
    audit(concern.school_id, actor, "linked", concern, other.reference)
    audit(concern.school_id, actor, "linked", other, concern.reference)


def related(concern: Concern) -> list[Concern]:
    return related_by_concern([concern]).get(concern.id, [])


def related_by_concern(concerns: list[Concern]) -> dict[int, list[Concern]]:
    """Concern id -> the concerns of the same school linked to it, in id order; two queries for any number."""
    ids = {concern.id for concern in concerns}
    others_of: dict[int, set[int]] = defaultdict(set)
    if ids:
        for link in db.session.scalars(
                select(ConcernLink).where(or_(ConcernLink.first_id.in_(ids), ConcernLink.second_id.in_(ids)))):
            others_of[link.first_id].add(link.second_id)
            others_of[link.second_id].add(link.first_id)
    wanted = set().union(*(others_of[concern_id] for concern_id in ids if concern_id in others_of))
    if not wanted:
        return {}
    loaded = {other.id: other for other in db.session.scalars(select(Concern).where(Concern.id.in_(wanted)))}
    return {concern.id: [loaded[other] for other in sorted(others_of[concern.id])
                         if other in loaded and loaded[other].school_id == concern.school_id]
            for concern in concerns if concern.id in others_of}


# --- lists ---------------------------------------------------------------------------------------


def concerns_of_school(school_id: int, status: str | None = None, *, with_pupils: bool = False) -> list[Concern]:
    """The school's concerns, newest first; `with_pupils` also loads the pupil each is about (the list's names)."""
    query = select(Concern).where(Concern.school_id == school_id)
    if with_pupils:
        query = query.options(selectinload(Concern.about))
    if status:
        query = query.where(Concern.status == status)
    return list(db.session.scalars(query.order_by(Concern.created_at.desc(), Concern.id.desc())))


def new_count(school_id: int) -> int:
    return db.session.scalar(
        select(func.count(Concern.id)).where(Concern.school_id == school_id, Concern.status == NEW)
    ) or 0


def my_worries(pupil: User) -> list[Concern]:
    """The concerns a pupil told us about, for their receipt page (the view shows no words or notes)."""
    return list(db.session.scalars(
        select(Concern).where(Concern.reported_by_id == pupil.id, Concern.school_id == pupil.school_id)
        .order_by(Concern.created_at.desc())
    ))


def safeguarding_lead_emails(school_id: int) -> list[str]:
    rows = db.session.scalars(
        select(User.email).where(User.school_id == school_id, User.role == DSL, User.active.is_(True),
                                 User.archived_at.is_(None), User.email.is_not(None))
        .order_by(User.id)
    )
    return [email for email in rows if email]


def pupil_options(school_id: int, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Current pupils of a school as (id, "Name (classes)") for a picker, by name."""
    pupils = db.session.scalars(
        select(User).where(User.school_id == school_id, User.role == PUPIL, User.archived_at.is_(None))
        .order_by(User.display_name, User.id)
    ).all()
    classes: dict[int, list[str]] = defaultdict(list)
    for user_id, name in db.session.execute(
        select(ClassMembership.user_id, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
        .where(SchoolClass.school_id == school_id).order_by(SchoolClass.name)
    ):
        classes[user_id].append(name)
    return [
        (p.id, f"{p.display_name} ({', '.join(classes[p.id]) or year_label(p.year_group)})")
        for p in pupils if p.id != exclude_id
    ]


# --- time ----------------------------------------------------------------------------------------


def time_to_acknowledge(concern: Concern) -> timedelta | None:
    if concern.acknowledged_at is None:
        return None
    return concern.acknowledged_at - concern.created_at


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' * (days != 1)}")
    if hours:
        parts.append(f"{hours} hour{'s' * (hours != 1)}")
    if minutes or not parts:
        parts.append(f"{minutes} minute{'s' * (minutes != 1)}")
    return " ".join(parts[:2])


# --- figures for the evidence of the checklist ----------------------------------------------------


@dataclass(frozen=True)
class ConcernFigures:
    start: date
    end: date
    total: int = 0
    from_leaders: int = 0
    from_pupils: int = 0
    from_staff: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    waiting: int = 0
    median_time_to_acknowledge: timedelta | None = None
    longest_time_to_acknowledge: timedelta | None = None


def concern_figures(school_id: int, period: Period) -> ConcernFigures:
    """Concerns raised in the period (whole UTC days), by source and category, and acknowledgement times."""
    low, high = period.utc_bounds()
    rows = db.session.execute(
        select(Concern.source, Concern.category, Concern.created_at, Concern.acknowledged_at)
        .where(Concern.school_id == school_id, Concern.created_at >= low, Concern.created_at < high)
    ).all()
    sources = Counter(row.source for row in rows)
    categories = Counter(row.category for row in rows)
    waits = [row.acknowledged_at - row.created_at for row in rows if row.acknowledged_at is not None]
    seconds = [w.total_seconds() for w in waits]
    return ConcernFigures(
        start=period.start,
        end=period.end,
        total=len(rows),
        from_leaders=sources["leader"],
        from_pupils=sources["pupil"],
        from_staff=sources["staff"],
        by_category={key: categories[key] for key in CATEGORIES},
        acknowledged=len(waits),
        waiting=len(rows) - len(waits),
        median_time_to_acknowledge=timedelta(seconds=statistics.median(seconds)) if seconds else None,
        longest_time_to_acknowledge=max(waits) if waits else None,
    )
