"""The mentoring log: checking and saving a session, staff review, summaries and the evidence figures.

No request objects here; functions flush, the view commits once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import PUPIL, User
from ..content.taxonomy import STRANDS
from ..extensions import db
from ..schools.terms import Period, academic_year, school_terms
from ..timeutil import school_today, utcnow
from .models import GROUP, KINDS, MENTEE_MODES, NAMED, UNNAMED, MentoringMentee, MentoringSession, MentoringStrand

TEXT_MAX = 1000
DURATION_MIN, DURATION_MAX = 1, 240
GROUP_MIN, GROUP_MAX = 2, 500
OLDEST_DAYS = 366


class MentoringError(ValueError):
    """A log that can't be saved: `problems` maps a field name ("" for the whole log) to plain words."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class LogEntry:
    session_date: date | None
    kind: str | None
    mentee_mode: str | None
    mentee_ids: list[int] = field(default_factory=list)
    unnamed_year_group: int | None = None
    group_size: int | None = None
    strands: list[str] = field(default_factory=list)
    what_we_did: str = ""
    what_helped: str = ""
    duration_minutes: int | None = None
    follow_up_needed: bool = False


def _mentees(leader: User, ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.id.in_(set(ids)), User.school_id == leader.school_id, User.role == PUPIL,
                           User.archived_at.is_(None))
    ))


def check_entry(leader: User, entry: LogEntry, today: date | None = None) -> dict[str, str]:
    """Every problem with a log, by field; empty when it can be saved."""
    today = today or school_today()
    problems: dict[str, str] = {}
    if entry.session_date is None:
        problems["session_date"] = "Type the date of the session."
    elif entry.session_date > today:
        problems["session_date"] = "The date can't be in the future."
    elif entry.session_date < today - timedelta(days=OLDEST_DAYS):
        problems["session_date"] = "That date is more than a year ago. Check the year."
    if entry.kind not in KINDS:
        problems["kind"] = "Pick what kind of session it was."
    if entry.mentee_mode not in MENTEE_MODES:
        problems["mentee_mode"] = "Pick who you helped."
    elif entry.mentee_mode == NAMED:
        wanted = set(entry.mentee_ids)
        if not wanted:
            problems["mentees"] = "Pick the pupils you helped."
        elif leader.id in wanted:
            problems["mentees"] = "You can't pick yourself. Pick the pupils you helped."
        elif {p.id for p in _mentees(leader, entry.mentee_ids)} != wanted:
            problems["mentees"] = "One of the pupils you picked is not in your school. Pick again."
    elif entry.mentee_mode == UNNAMED:
        if entry.unnamed_year_group is None or not 0 <= entry.unnamed_year_group <= 13:
            problems["unnamed_year_group"] = "Pick the year group of the pupil you helped."
    elif entry.group_size is None or not GROUP_MIN <= entry.group_size <= GROUP_MAX:
        problems["group_size"] = f"Type how many pupils were in the group, from {GROUP_MIN} to {GROUP_MAX}."
    if any(strand not in STRANDS for strand in entry.strands):
        problems["strands"] = "Pick the topics from the list."
    what = (entry.what_we_did or "").strip()
    if not what:
        problems["what_we_did"] = "Write what you did."
    elif len(what) > TEXT_MAX:
        problems["what_we_did"] = f"Please keep this to {TEXT_MAX} letters or fewer."
    if len((entry.what_helped or "").strip()) > TEXT_MAX:
        problems["what_helped"] = f"Please keep this to {TEXT_MAX} letters or fewer."
    if entry.duration_minutes is None or not DURATION_MIN <= entry.duration_minutes <= DURATION_MAX:
        problems["duration_minutes"] = f"Type how many minutes it took, from {DURATION_MIN} to {DURATION_MAX}."
    return problems


def save_log(leader: User, entry: LogEntry, log: MentoringSession | None = None) -> MentoringSession:
    """Create a log, or change one the leader wrote that staff have not reviewed yet."""
    if leader.role != PUPIL or not leader.is_online_leader:
        raise MentoringError({"": "Only Online Leaders keep a mentoring log."})
    if log is not None and (log.leader_id != leader.id or log.school_id != leader.school_id):
        raise MentoringError({"": "This is not your log."})
    if log is not None and log.is_reviewed:
        raise MentoringError({"": "A teacher has checked this log, so it can't be changed now."})
    problems = check_entry(leader, entry)
    if problems:
        raise MentoringError(problems)
    now = utcnow()
    if log is None:
        log = MentoringSession(school_id=leader.school_id, leader_id=leader.id, created_at=now, worry_raised=False,
                               review_comment="")
        db.session.add(log)
    log.session_date = entry.session_date
    log.kind = entry.kind
    log.mentee_mode = entry.mentee_mode
    log.unnamed_year_group = entry.unnamed_year_group if entry.mentee_mode == UNNAMED else None
    log.group_size = entry.group_size if entry.mentee_mode == GROUP else None
    log.what_we_did = entry.what_we_did.strip()
    log.what_helped = (entry.what_helped or "").strip()
    log.duration_minutes = entry.duration_minutes
    log.follow_up_needed = bool(entry.follow_up_needed)
    log.updated_at = now
    wanted_mentees = set(entry.mentee_ids) if entry.mentee_mode == NAMED else set()
    # Keep the rows that stay and change only the difference: no delete-then-insert of the same pair.
    log.mentees = [m for m in log.mentees if m.pupil_id in wanted_mentees] + [
        MentoringMentee(school_id=leader.school_id, pupil_id=pupil_id)
        for pupil_id in sorted(wanted_mentees - {m.pupil_id for m in log.mentees})
    ]
    wanted_strands = set(entry.strands)
    log.strands = [s for s in log.strands if s.strand in wanted_strands] + [
        MentoringStrand(school_id=leader.school_id, strand=strand)
        for strand in sorted(wanted_strands - {s.strand for s in log.strands})
    ]
    db.session.flush()
    return log


def review_log(log: MentoringSession, reviewer: User, comment: str) -> None:
    comment = (comment or "").strip()
    if log.school_id != reviewer.school_id:
        raise MentoringError({"": "This log is not of your school."})
    if log.is_reviewed:
        raise MentoringError({"": "This log has already been reviewed."})
    if len(comment) > TEXT_MAX:
        raise MentoringError({"comment": f"Use {TEXT_MAX} characters or fewer."})
    log.review_comment = comment
    log.reviewed_at = utcnow()
    log.reviewed_by_id = reviewer.id
    db.session.flush()


# --- lists ---------------------------------------------------------------------------------------


def _logs_query():
    """Logs for lists and figures, which count mentees and strands but never show a pupil's name."""
    return select(MentoringSession).options(selectinload(MentoringSession.mentees),
                                            selectinload(MentoringSession.strands))


def leader_logs(leader: User) -> list[MentoringSession]:
    return list(db.session.scalars(
        _logs_query().where(MentoringSession.leader_id == leader.id, MentoringSession.school_id == leader.school_id)
        .order_by(MentoringSession.session_date.desc(), MentoringSession.id.desc())
    ))


def awaiting_review(school_id: int) -> list[MentoringSession]:
    return list(db.session.scalars(
        _logs_query().where(MentoringSession.school_id == school_id, MentoringSession.reviewed_at.is_(None))
        .order_by(MentoringSession.session_date, MentoringSession.id)
    ))


def reviewed_log_ids(leader_id: int) -> list[int]:
    """A leader's logs that staff reviewed, oldest review first: what the peer-mentor badges count."""
    return list(db.session.scalars(
        select(MentoringSession.id).where(MentoringSession.leader_id == leader_id,
                                          MentoringSession.reviewed_at.is_not(None))
        .order_by(MentoringSession.reviewed_at, MentoringSession.id)
    ))


def awaiting_review_count(school_id: int) -> int:
    return db.session.scalar(
        select(func.count(MentoringSession.id)).where(MentoringSession.school_id == school_id,
                                                      MentoringSession.reviewed_at.is_(None))
    ) or 0


def _logs_between(school_id: int, start: date, end: date) -> list[MentoringSession]:
    return list(db.session.scalars(
        _logs_query().where(MentoringSession.school_id == school_id, MentoringSession.session_date >= start,
                            MentoringSession.session_date <= end)
    ))


@dataclass(frozen=True)
class LeaderSummary:
    leader: User
    sessions: int
    pupils_helped: int
    minutes: int
    strands: dict[str, int]
    awaiting_review: int


def leader_summaries(school_id: int, start: date, end: date) -> list[LeaderSummary]:
    """Per leader of the school (and anyone who logged in the period): sessions, pupils helped, strands."""
    logs = _logs_between(school_id, start, end)
    by_leader: dict[int, list[MentoringSession]] = defaultdict(list)
    for log in logs:
        by_leader[log.leader_id].append(log)
    waiting = Counter(db.session.scalars(
        select(MentoringSession.leader_id).where(MentoringSession.school_id == school_id,
                                                 MentoringSession.reviewed_at.is_(None))
    ))
    leaders = db.session.scalars(
        select(User).where(User.school_id == school_id, User.role == PUPIL)
        .where((User.is_online_leader.is_(True)) | User.id.in_(set(by_leader) | set(waiting)))
        .order_by(User.display_name, User.id)
    ).all()
    summaries = []
    for leader in leaders:
        own = by_leader.get(leader.id, [])
        strands = Counter(strand for log in own for strand in log.strand_slugs)
        summaries.append(LeaderSummary(
            leader=leader, sessions=len(own), pupils_helped=sum(log.pupils_helped for log in own),
            minutes=sum(log.duration_minutes for log in own),
            strands={slug: strands[slug] for slug in STRANDS if strands[slug]}, awaiting_review=waiting[leader.id],
        ))
    return summaries


# --- figures for the evidence of the checklist ----------------------------------------------------


@dataclass(frozen=True)
class MentoringFigures:
    """Sessions whose date falls between `start` and `end` (inclusive).

    `pupils_helped` counts each session's reach: the pupils named, one for a pupil not named, the size
    of a group; `named_pupils` counts different named pupils once.
    """

    start: date
    end: date
    sessions: int = 0
    leaders_active: int = 0
    pupils_helped: int = 0
    named_pupils: int = 0
    minutes: int = 0
    follow_ups: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    strands: dict[str, int] = field(default_factory=dict)

    @property
    def strands_covered(self) -> int:
        return sum(1 for count in self.strands.values() if count)


def mentoring_figures(school_id: int, start: date, end: date) -> MentoringFigures:
    logs = _logs_between(school_id, start, end)
    kinds = Counter(log.kind for log in logs)
    strands = Counter(strand for log in logs for strand in log.strand_slugs)
    return MentoringFigures(
        start=start,
        end=end,
        sessions=len(logs),
        leaders_active=len({log.leader_id for log in logs}),
        pupils_helped=sum(log.pupils_helped for log in logs),
        named_pupils=len({m.pupil_id for log in logs for m in log.mentees}),
        minutes=sum(log.duration_minutes for log in logs),
        follow_ups=sum(1 for log in logs if log.follow_up_needed),
        by_kind={key: kinds[key] for key in KINDS},
        strands={slug: strands[slug] for slug in STRANDS},
    )


def evidence_periods(school_id: int, today: date) -> list[Period]:
    """This academic year and its terms, then last year and its terms: the periods the evidence is read for."""
    this_year = academic_year(today)
    last_year = academic_year(this_year.start - timedelta(days=1))
    periods: list[Period] = []
    for year in (this_year, last_year):
        periods.append(year)
        periods.extend(school_terms(school_id, year.start))
    return periods
