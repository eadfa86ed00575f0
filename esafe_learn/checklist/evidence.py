"""The platform's evidence for the fed items, as plain JSON-ready dicts: shown live on the checklist and
stored unchanged in each review's snapshot, so a report shows exactly what the lead reviewed.

The figures come from the features that own them (coverage, concerns, mentoring); this module only reads
staff training and acceptable use acknowledgements itself. Nothing here names a pupil.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select

from ..auth.models import PUPIL, STAFF_ROLES, User
from ..concerns.models import CATEGORIES
from ..concerns.services import concern_figures, format_duration
from ..content.models import Lesson, Pack
from ..content.taxonomy import STRANDS
from ..coverage.rollup import percent
from ..coverage.services import curriculum_figures
from ..extensions import db
from ..lessons.models import LessonProgress
from ..mentoring.models import KINDS
from ..mentoring.services import mentoring_figures
from ..schools.terms import Period
from ..schools.yeargroups import AGE_BANDS
from .models import AUP, CONCERNS, COVERAGE, MENTORING, TRAINING, AupAcknowledgement, AupVersion

ANNUAL_UPDATE = "annual-update"
SOURCES = (COVERAGE, CONCERNS, MENTORING, TRAINING, AUP)


def _group(figures) -> dict:
    return {
        "label": figures.label,
        "band": figures.band,
        "pupils": figures.pupils,
        "covered": {slug: figures.covered[slug] for slug in STRANDS},
        "quiz_average": {slug: figures.quiz_average(slug) for slug in STRANDS},
        "quiz_attempts": {slug: figures.quiz_count[slug] for slug in STRANDS},
        "strands_covered": list(figures.strands_covered),
        "completions": figures.completions,
        "lessons_delivered": figures.lessons_delivered or 0,
    }


def coverage_evidence(school_id: int, period: Period) -> dict:
    figures = curriculum_figures(school_id, period)
    return {
        "school": _group(figures.school),
        "bands": [_group(figures.bands[band]) for band in AGE_BANDS if band in figures.bands],
        "classes": [{"name": c.name, "band": c.band, "lessons_delivered": c.lessons_delivered}
                    for c in figures.lessons_delivered],
    }


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def concerns_evidence(school_id: int, period: Period) -> dict:
    figures = concern_figures(school_id, period)
    return {
        "total": figures.total,
        "from_leaders": figures.from_leaders,
        "from_pupils": figures.from_pupils,
        "from_staff": figures.from_staff,
        "by_category": {CATEGORIES.get(key, key): count for key, count in figures.by_category.items()},
        "acknowledged": figures.acknowledged,
        "waiting": figures.waiting,
        "median_seconds": _seconds(figures.median_time_to_acknowledge),
        "longest_seconds": _seconds(figures.longest_time_to_acknowledge),
    }


def mentoring_evidence(school_id: int, period: Period) -> dict:
    figures = mentoring_figures(school_id, period.start, period.end)
    return {
        "sessions": figures.sessions,
        "leaders_active": figures.leaders_active,
        "pupils_helped": figures.pupils_helped,
        "named_pupils": figures.named_pupils,
        "minutes": figures.minutes,
        "follow_ups": figures.follow_ups,
        "by_kind": {KINDS.get(key, key): count for key, count in figures.by_kind.items()},
        "strands": {slug: figures.strands.get(slug, 0) for slug in STRANDS},
        "strands_covered": figures.strands_covered,
    }


def training_evidence(school_id: int, period: Period) -> dict:
    """Staff who completed lessons of a staff pack in the period (one query): each staff member once."""
    start, end = period.utc_bounds()
    done = (
        select(LessonProgress.user_id, LessonProgress.lesson_id, Lesson.title, Lesson.slug)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Pack, Pack.id == Lesson.pack_id)
        .where(LessonProgress.school_id == school_id, Pack.audience == "staff",
               LessonProgress.completed_at >= start, LessonProgress.completed_at < end)
        .subquery()
    )
    rows = db.session.execute(
        select(User.id, done.c.lesson_id, done.c.title, done.c.slug)
        .outerjoin(done, done.c.user_id == User.id)
        .where(User.school_id == school_id, User.role.in_(STAFF_ROLES), User.active.is_(True),
               User.archived_at.is_(None))
    ).all()
    staff, trained, annual = set(), set(), set()
    by_lesson: dict[int, tuple[str, set[int]]] = {}
    for user_id, lesson_id, title, slug in rows:
        staff.add(user_id)
        if lesson_id is None:
            continue
        trained.add(user_id)
        by_lesson.setdefault(lesson_id, (title, set()))[1].add(user_id)
        if slug == ANNUAL_UPDATE:
            annual.add(user_id)
    lessons = sorted(({"title": title, "staff": len(users)} for title, users in by_lesson.values()),
                     key=lambda lesson: (-lesson["staff"], lesson["title"]))
    return {"staff": len(staff), "trained": len(trained), "annual_update": len(annual), "lessons": lessons}


def aup_evidence(school_id: int) -> dict:
    """Acknowledgements of the school's current acceptable use policy, by staff and by pupils (two queries)."""
    version = db.session.execute(
        select(AupVersion.id, AupVersion.version, AupVersion.published_at)
        .where(AupVersion.school_id == school_id)
        .order_by(AupVersion.published_at.desc(), AupVersion.id.desc()).limit(1)
    ).first()
    figures = {"version": None, "published_on": None, "staff": 0, "staff_acknowledged": 0, "pupils": 0,
               "pupils_acknowledged": 0}
    ack = and_(AupAcknowledgement.user_id == User.id,
               AupAcknowledgement.aup_version_id == (version.id if version else -1))
    rows = db.session.execute(
        select(User.role, func.count(User.id), func.count(AupAcknowledgement.id))
        .outerjoin(AupAcknowledgement, ack)
        .where(User.school_id == school_id, User.role.in_((PUPIL, *STAFF_ROLES)), User.active.is_(True),
               User.archived_at.is_(None))
        .group_by(User.role)
    ).all()
    for role, people, acknowledged in rows:
        prefix = "pupils" if role == PUPIL else "staff"
        figures[prefix] += people
        figures[f"{prefix}_acknowledged"] += acknowledged
    if version is not None:
        figures["version"] = version.version
        figures["published_on"] = version.published_at.date().isoformat()
    return figures


def collect(school_id: int, period: Period, sources: tuple[str, ...] = SOURCES) -> dict:
    """The evidence of each source asked for, keyed by source."""
    readers = {
        COVERAGE: lambda: coverage_evidence(school_id, period),
        CONCERNS: lambda: concerns_evidence(school_id, period),
        MENTORING: lambda: mentoring_evidence(school_id, period),
        TRAINING: lambda: training_evidence(school_id, period),
        AUP: lambda: aup_evidence(school_id),
    }
    return {source: readers[source]() for source in sources if source in readers}


def duration_text(seconds: int | None) -> str:
    return "–" if seconds is None else format_duration(timedelta(seconds=seconds))


def share_text(part: int, whole: int, noun: str) -> str:
    """"12 of 30 pupils (40%)", or "no pupils yet" when there is nobody to count."""
    if not whole:
        return f"no {noun} yet"
    return f"{part} of {whole} {noun} ({percent(part, whole)}%)"


def summary(source: str, figures: dict, min_strands: int = 6) -> list[str]:
    """The evidence of one source in a few plain sentences (the checklist list, the exports and the CSV)."""
    if source == COVERAGE:
        school = figures["school"]
        pupils = school["pupils"]
        if not pupils:
            return ["There are no pupils on roll yet."]
        covering = sum(school["strands_covered"][min_strands:])
        lines = [f"{share_text(covering, pupils, 'pupils')} completed lessons in at least {min_strands} of the 8 "
                 f"strands at their age band."]
        weakest = min(STRANDS, key=lambda slug: (school["covered"][slug], slug))
        least = share_text(school["covered"][weakest], pupils, "pupils")
        lines.append(f"Least covered strand: {STRANDS[weakest]} ({least}).")
        lines.append(f"{school['completions']} lessons completed; {school['lessons_delivered']} different lessons "
                     f"delivered across {len(figures['classes'])} classes.")
        return lines
    if source == CONCERNS:
        return [f"{figures['total']} concerns recorded in the log: {figures['from_leaders']} from Online Leaders' "
                f"logs, {figures['from_pupils']} from pupils, {figures['from_staff']} from staff.",
                f"{figures['acknowledged']} acknowledged (median time {duration_text(figures['median_seconds'])}, "
                f"longest {duration_text(figures['longest_seconds'])}); {figures['waiting']} waiting."]
    if source == MENTORING:
        return [f"{figures['sessions']} mentoring sessions by {figures['leaders_active']} Online Leaders, helping "
                f"{figures['pupils_helped']} pupils over {figures['minutes']} minutes.",
                f"{figures['strands_covered']} of the 8 strands talked about; {figures['follow_ups']} sessions "
                f"needed a follow-up."]
    if source == TRAINING:
        return [f"{share_text(figures['trained'], figures['staff'], 'staff')} completed online safeguarding training "
                f"in this period; {figures['annual_update']} completed the annual update."]
    if source == AUP:
        if not figures["version"]:
            return ["The school has not put its acceptable use policy in the app yet."]
        return [f"Acceptable use policy version {figures['version']} (from {figures['published_on']}): "
                f"{share_text(figures['staff_acknowledged'], figures['staff'], 'staff')} and "
                f"{share_text(figures['pupils_acknowledged'], figures['pupils'], 'pupils')} acknowledged it."]
    return []
