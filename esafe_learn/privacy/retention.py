"""Retention: learning records of pupils who left go after the school's retention period; safeguarding
concerns are never deleted, only flagged for the DSL's review (unless on legal hold).

`plan()` works out what is due without changing anything (`esafe-learn retention --dry-run`);
`apply()` deletes and anonymises it (`--apply`). Both use only ids: no names or free text are printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..auth.models import PUPIL, User
from ..extensions import db
from ..schools.models import School
from ..schools.terms import academic_year
from ..timeutil import utcnow
from . import registry

SAFEGUARDING_YEARS = 25
REVIEW_DUE = "retention_review_due"


@dataclass
class PupilDue:
    user_id: int
    school_id: int
    due_after: date
    rows: dict[str, int] = field(default_factory=dict)
    keep_name: bool = False  # a safeguarding concern names them: the account row stays as it is


@dataclass
class RetentionPlan:
    today: date
    pupils: list[PupilDue] = field(default_factory=list)
    concerns_due: list[int] = field(default_factory=list)
    concerns_on_hold: int = 0


DEFAULT_YEARS_AFTER_LEAVING = 1  # the end of the academic year after the one the pupil left in


def years_after_leaving(_school_id: int) -> int:
    """The retention period (config RETENTION_YEARS_AFTER_LEAVING; one setting for the deployment for now)."""
    return int(current_app.config.get("RETENTION_YEARS_AFTER_LEAVING", DEFAULT_YEARS_AFTER_LEAVING))


def learning_due_after(left_on: date, years: int) -> date:
    """The last day learning records are kept: the end of the academic year `years` after the leaving year."""
    end = academic_year(left_on).end
    return date(end.year + years, 8, 31)


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _tables() -> list[registry.TableEntry]:
    """Tables whose rows about a pupil go when their learning records go (never safeguarding ones)."""
    rules = {registry.LEARNING, registry.SECURITY, registry.ACCOUNT}
    return [e for e in registry.REGISTRY if e.retention in rules and e.subject_columns and e.table != "user"]


def _where(entry: registry.TableEntry, user_id: int):
    table = db.metadata.tables[entry.table]
    return table, or_(*[table.c[name] == user_id for name in entry.subject_columns])


def plan(today: date, school: School | None = None) -> RetentionPlan:
    from ..concerns.models import Concern

    result = RetentionPlan(today=today)
    query = select(User).where(User.role == PUPIL, User.archived_at.is_not(None))
    if school is not None:
        query = query.where(User.school_id == school.id)
    for pupil in db.session.scalars(query.order_by(User.id)):
        due_after = learning_due_after(pupil.archived_at.date(), years_after_leaving(pupil.school_id))
        if today <= due_after:
            continue
        item = PupilDue(pupil.id, pupil.school_id, due_after)
        for entry in _tables():
            table, condition = _where(entry, pupil.id)
            count = db.session.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                item.rows[entry.table] = count
        item.keep_name = db.session.scalar(select(func.count()).select_from(Concern).where(
            or_(Concern.about_id == pupil.id, Concern.reported_by_id == pupil.id))) > 0
        if item.rows or not (item.keep_name or pupil.username.startswith("former-")):
            result.pupils.append(item)
    concerns = select(Concern).outerjoin(User, User.id == Concern.about_id)
    if school is not None:
        concerns = concerns.where(Concern.school_id == school.id)
    for concern in db.session.scalars(concerns.order_by(Concern.id)):
        if concern.legal_hold:
            result.concerns_on_hold += 1
            continue
        if concern.date_of_birth is not None:
            due = today >= _anniversary(concern.date_of_birth, SAFEGUARDING_YEARS)
        else:
            due = concern.about is not None and concern.about.archived_at is not None
        if due:
            result.concerns_due.append(concern.id)
    return result


def apply(result: RetentionPlan) -> None:
    """Delete the learning records, anonymise the accounts, and flag concerns for the DSL (once each)."""
    from ..concerns.models import Concern, ConcernAudit

    for item in result.pupils:
        for entry in _tables():
            table, condition = _where(entry, item.user_id)
            db.session.execute(delete(table).where(condition))
        pupil = db.session.get(User, item.user_id)
        pupil.password_hash = None
        pupil.mfa_secret = None
        pupil.email = None
        if not item.keep_name:
            pupil.display_name = "Former pupil"
            pupil.username = f"former-{pupil.id}"
            pupil.upn = None
            pupil.roster_key = None
            pupil.year_group = None
    flagged = set(db.session.scalars(select(ConcernAudit.concern_id).where(ConcernAudit.action == REVIEW_DUE)))
    for concern_id in result.concerns_due:
        if concern_id in flagged:
            continue
        concern = db.session.get(Concern, concern_id)
        db.session.add(ConcernAudit(school_id=concern.school_id, concern_id=concern.id, actor_id=0,
                                    actor_name="esafe-learn retention", actor_role="system", action=REVIEW_DUE,
                                    detail="Retention period reached: the DSL reviews this record (never deleted "
                                           "automatically).", at=utcnow()))
    db.session.flush()
