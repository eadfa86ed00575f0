"""School-wide coverage: every class, year group and age band from a fixed handful of GROUP BY queries.

Nothing here runs a query per pupil or per class: each query groups in SQL and returns at most one row
per pupil and strand (or per class and lesson, or per day), and the roll-ups are sums in Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import case, func, select

from ..auth.models import PUPIL, User
from ..content.taxonomy import STRANDS
from ..extensions import db
from ..lessons.models import LessonProgress
from ..quizzes.models import QuizAttempt
from ..schools.models import ClassMembership, SchoolClass
from ..schools.services import pupil_band
from ..schools.terms import Period, academic_year
from ..schools.yeargroups import AGE_BAND_LABELS, AGE_BANDS, band_for_year, year_label
from .sqlfuncs import bits_or, unindexed, utc_day

STRAND_COUNT = len(STRANDS)
STRAND_BITS = {slug: 1 << i for i, slug in enumerate(STRANDS)}
#: MASKS[m]: the strands whose bits are set in m.
MASKS = [frozenset(slug for slug, bit in STRAND_BITS.items() if mask & bit) for mask in range(1 << STRAND_COUNT)]


def percent(part: int, whole: int) -> int | None:
    """A whole-number percentage, halves rounded up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass
class GroupFigures:
    """The measures of one group of pupils (a class, a year group, an age band or the school) in a period."""

    key: str
    label: str
    pupils: int = 0
    covered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STRANDS, 0))
    quiz_total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STRANDS, 0))
    quiz_count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STRANDS, 0))
    #: strands_covered[n]: pupils who covered exactly n of the eight strands at their band.
    strands_covered: list[int] = field(default_factory=lambda: [0] * (STRAND_COUNT + 1))
    completions: int = 0
    lessons_delivered: int | None = None
    band: str | None = None
    year_group: int | None = None
    class_id: int | None = None

    def share(self, strand: str) -> float | None:
        return self.covered[strand] / self.pupils if self.pupils else None

    def percent(self, strand: str) -> int | None:
        return percent(self.covered[strand], self.pupils)

    def quiz_average(self, strand: str) -> int | None:
        return percent(self.quiz_total[strand], 100 * self.quiz_count[strand])

    @property
    def quiz_attempts(self) -> int:
        return sum(self.quiz_count.values())

    @property
    def overall_quiz_average(self) -> int | None:
        return percent(sum(self.quiz_total.values()), 100 * self.quiz_attempts)

    def share_covering_at_least(self, n: int) -> float | None:
        """Share of the group's pupils who covered at least n of the eight strands (the checklist's measure)."""
        if not self.pupils:
            return None
        return sum(self.strands_covered[max(n, 0):]) / self.pupils

    @property
    def mean_strands(self) -> float | None:
        if not self.pupils:
            return None
        return sum(n * count for n, count in enumerate(self.strands_covered)) / self.pupils

    def fill(self, members: list[SimpleNamespace]) -> GroupFigures:
        """The figures of these pupils, summed with built-ins (a school has thousands of pupils)."""
        self.pupils = len(members)
        self.completions = sum(pupil.completions for pupil in members)
        for mask, count in Counter(pupil.mask for pupil in members).items():
            for slug in MASKS[mask]:
                self.covered[slug] += count
            self.strands_covered[len(MASKS[mask])] += count
        quizzes = [pupil.quiz for pupil in members if pupil.quiz is not None]
        totals = [sum(column) for column in zip(*quizzes, strict=True)] if quizzes else [0] * (2 * STRAND_COUNT)
        for i, slug in enumerate(STRANDS):
            self.quiz_total[slug], self.quiz_count[slug] = totals[2 * i], totals[2 * i + 1]
        return self


@dataclass(frozen=True)
class ClassDelivery:
    class_id: int
    name: str
    band: str
    lessons_delivered: int


@dataclass(frozen=True)
class CurriculumFigures:
    """What the safeguarding checklist needs: coverage for the school and for each age band in a period."""

    period: Period
    school: GroupFigures
    bands: dict[str, GroupFigures]
    lessons_delivered: list[ClassDelivery]


@dataclass(frozen=True)
class SchoolReport:
    period: Period
    school: GroupFigures
    bands: list[GroupFigures]
    year_groups: list[GroupFigures]
    classes: list[GroupFigures]
    trend_year: Period | None = None
    trend: list[tuple[date, int | None]] = field(default_factory=list)

    @property
    def trend_total(self) -> int:
        return sum(count or 0 for _week, count in self.trend)


def _within(column, start, end) -> tuple:
    """[start, end) on a time column, read through the school_id index (see sqlfuncs.unindexed)."""
    return unindexed(column) >= start, unindexed(column) < end


def _classes(school_id: int) -> dict[int, SimpleNamespace]:
    rows = db.session.execute(
        select(SchoolClass.id, SchoolClass.name, SchoolClass.year_group, SchoolClass.working_at_band)
        .where(SchoolClass.school_id == school_id).order_by(SchoolClass.name, SchoolClass.id)
    )
    return {row.id: SimpleNamespace(id=row.id, name=row.name, year_group=row.year_group,
                                    working_at_band=row.working_at_band,
                                    band=row.working_at_band or band_for_year(row.year_group)) for row in rows}


def _pupils(school_id: int, classes: dict[int, SimpleNamespace]) -> dict[int, SimpleNamespace]:
    rows = db.session.execute(
        select(User.id, User.year_group, ClassMembership.class_id)
        .outerjoin(ClassMembership, ClassMembership.user_id == User.id)
        .where(User.school_id == school_id, User.role == PUPIL, User.archived_at.is_(None))
    )
    pupils: dict[int, SimpleNamespace] = {}
    for row in rows:
        pupil = pupils.get(row.id)
        if pupil is None:
            pupil = pupils[row.id] = SimpleNamespace(id=row.id, year_group=row.year_group, class_ids=[],
                                                     mask=0, quiz=None, completions=0)
        if row.class_id in classes:
            pupil.class_ids.append(row.class_id)
    for pupil in pupils.values():
        mine = sorted((classes[class_id] for class_id in pupil.class_ids), key=lambda c: (c.name, c.id))
        pupil.band = pupil_band(pupil, mine)  # the one rule of the schools feature
    return pupils


def _add_completions(school_id: int, period: Period, pupils: dict[int, SimpleNamespace]) -> None:
    """Completions in the period, one row per pupil and band: how many, and which strands (a bit per strand,
    OR-ed together in SQL), so a school of 60,000 completions sends a few thousand rows."""
    start, end = period.utc_bounds()
    strands = bits_or(case(STRAND_BITS, value=LessonProgress.strand, else_=0))
    rows = db.session.execute(
        select(LessonProgress.user_id, LessonProgress.band, func.count(), strands)
        .where(LessonProgress.school_id == school_id, *_within(LessonProgress.completed_at, start, end))
        .group_by(LessonProgress.user_id, LessonProgress.band)
    )
    for user_id, band, count, mask in rows:
        pupil = pupils.get(user_id)
        if pupil is None:
            continue
        pupil.completions += count
        if band == pupil.band:
            pupil.mask = int(mask or 0)


def _add_quiz_scores(school_id: int, period: Period, pupils: dict[int, SimpleNamespace]) -> None:
    """Quiz scores in the period, one row per pupil: the total and the count of attempts in each strand."""
    start, end = period.utc_bounds()
    columns = []
    for slug in STRANDS:
        mine = QuizAttempt.strand == slug
        columns += [func.sum(case((mine, QuizAttempt.score), else_=0)), func.sum(case((mine, 1), else_=0))]
    rows = db.session.execute(
        select(QuizAttempt.user_id, *columns)
        .where(QuizAttempt.school_id == school_id, *_within(QuizAttempt.created_at, start, end))
        .group_by(QuizAttempt.user_id)
    )
    for user_id, *figures in rows:
        pupil = pupils.get(user_id)
        if pupil is not None:
            pupil.quiz = [int(figure or 0) for figure in figures]


def _delivered(school_id: int, period: Period) -> dict[int, set[int]]:
    """Class id → the lessons at least one of its pupils completed in the period."""
    start, end = period.utc_bounds()
    rows = db.session.execute(
        select(ClassMembership.class_id, LessonProgress.lesson_id)
        .join(ClassMembership, ClassMembership.user_id == LessonProgress.user_id)
        .where(LessonProgress.school_id == school_id, *_within(LessonProgress.completed_at, start, end))
        .group_by(ClassMembership.class_id, LessonProgress.lesson_id)
    )
    delivered: dict[int, set[int]] = defaultdict(set)
    for class_id, lesson_id in rows:
        delivered[class_id].add(lesson_id)
    return delivered


def weekly_completions(school_id: int, year: Period, today: date) -> list[tuple[date, int | None]]:
    """Completions by the school's pupils per week (weeks start on Monday) across an academic year."""
    start, end = year.utc_bounds()
    day = utc_day(LessonProgress.completed_at)
    rows = db.session.execute(
        select(day, func.count())
        .join(User, User.id == LessonProgress.user_id)
        .where(LessonProgress.school_id == school_id, User.role == PUPIL,
               *_within(LessonProgress.completed_at, start, end))
        .group_by(day)
    )
    first_monday = year.start - timedelta(days=year.start.weekday())
    weeks = []
    week = first_monday
    while week <= year.end:
        weeks.append(week)
        week += timedelta(days=7)
    counts = [0] * len(weeks)
    for completed_on, count in rows:
        counts[(completed_on - first_monday).days // 7] += count
    return [(week, counts[i] if week <= today else None) for i, week in enumerate(weeks)]


def _load(school_id: int, period: Period):
    classes = _classes(school_id)
    pupils = _pupils(school_id, classes)
    _add_completions(school_id, period, pupils)
    _add_quiz_scores(school_id, period, pupils)
    return classes, pupils, _delivered(school_id, period)


def school_report(school_id: int, period: Period, today: date, *, with_trend: bool = True) -> SchoolReport:
    """Every class, year group and age band of the school with the same measures, and the weekly trend."""
    classes, pupils, delivered = _load(school_id, period)
    in_band, in_year, in_class = defaultdict(list), defaultdict(list), defaultdict(list)
    for pupil in pupils.values():
        in_band[pupil.band].append(pupil)
        if pupil.year_group is not None:
            in_year[pupil.year_group].append(pupil)
        for class_id in pupil.class_ids:
            in_class[class_id].append(pupil)
    school = GroupFigures("school", "Whole school").fill(list(pupils.values()))
    bands = {band: GroupFigures(f"band-{band}", AGE_BAND_LABELS[band], band=band).fill(in_band[band])
             for band in AGE_BANDS}
    years = {year: GroupFigures(f"year-{year}", year_label(year), year_group=year).fill(in_year[year])
             for year in sorted(in_year)}
    by_class = {c.id: GroupFigures(f"class-{c.id}", c.name, band=c.band, year_group=c.year_group,
                                   class_id=c.id).fill(in_class[c.id]) for c in classes.values()}
    _set_delivered(school, bands, years, by_class, classes, delivered)
    trend_year = trend = None
    if with_trend:
        trend_year = academic_year(min(period.end, today))
        trend = weekly_completions(school_id, trend_year, today)
    return SchoolReport(period, school, list(bands.values()), list(years.values()), list(by_class.values()),
                        trend_year, trend or [])


def _set_delivered(school, bands, years, by_class, classes, delivered) -> None:
    unions: dict[str, set[int]] = defaultdict(set)
    for class_id, figures in by_class.items():
        lessons = delivered.get(class_id, set())
        figures.lessons_delivered = len(lessons)
        unions["school"] |= lessons
        unions[f"band-{classes[class_id].band}"] |= lessons
        unions[f"year-{classes[class_id].year_group}"] |= lessons
    for group in [school, *bands.values(), *years.values()]:
        group.lessons_delivered = len(unions.get(group.key, ()))


def curriculum_figures(school_id: int, period: Period) -> CurriculumFigures:
    """Coverage for the whole school and each age band, for the checklist feature (no Flask needed)."""
    report = school_report(school_id, period, period.end, with_trend=False)
    deliveries = [ClassDelivery(c.class_id, c.label, c.band, c.lessons_delivered or 0) for c in report.classes]
    return CurriculumFigures(period, report.school, {g.band: g for g in report.bands}, deliveries)
