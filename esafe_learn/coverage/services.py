"""Coverage figures as plain functions: a class, a pupil and the school (rollup.py) in a period.

No request objects here: the views pass the class, the pupil, the period and today's date in.
Each function runs a fixed number of queries, whatever the number of pupils or classes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import distinct, func, select

from ..auth.models import PUPIL, User
from ..content.snapshots import CatalogueEntry
from ..content.taxonomy import STRANDS, strand_name
from ..extensions import db
from ..lessons.models import LessonAssignment, LessonProgress
from ..quizzes.models import MisconceptionChoice, QuizAttempt
from ..schools.models import ClassMembership, SchoolClass
from ..schools.terms import Period
from ..schools.yeargroups import band_for_year
from .pupil import PupilAttempt, PupilLesson, PupilReport, pupil_report  # noqa: F401
from .rollup import (  # noqa: F401  (the public face of the feature)
    ClassDelivery,
    CurriculumFigures,
    GroupFigures,
    SchoolReport,
    curriculum_figures,
    percent,
    school_report,
)

COMPLETED, TRIED, NOT_STARTED = "completed", "tried", "not-started"
STATUS_LABELS = {COMPLETED: "Completed", TRIED: "Tried", NOT_STARTED: "Not started"}
TOP_MISCONCEPTIONS = 5


def class_band(school_class: SchoolClass) -> str:
    return school_class.working_at_band or band_for_year(school_class.year_group)


def with_article(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


@dataclass(frozen=True)
class GridLesson:
    id: int
    title: str
    strand: str
    bands: tuple[str, ...]
    retired: bool = False
    assigned: bool = False
    due_date: date | None = None

    @property
    def strand_name(self) -> str:
        return strand_name(self.strand)


@dataclass(frozen=True)
class GridCell:
    status: str
    best_score: int | None = None
    completed_on: date | None = None
    in_period: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def text(self) -> str:
        """What a spreadsheet cell says: "Completed 80%", "Tried 40%" or "Not started"."""
        score = f" {self.best_score}%" if self.best_score is not None else ""
        return self.label + (score if self.status != NOT_STARTED else "")


@dataclass
class GridRow:
    pupil_id: int
    name: str
    cells: list[GridCell] = field(default_factory=list)
    strands: set[str] = field(default_factory=set)  # covered at the class's band in the period

    @property
    def completed(self) -> int:
        return sum(cell.status == COMPLETED for cell in self.cells)


@dataclass(frozen=True)
class StrandFigure:
    slug: str
    pupils_completed: int
    pupils: int
    lessons_at_band: int
    quiz_average: int | None
    quiz_attempts: int

    @property
    def name(self) -> str:
        return strand_name(self.slug)

    @property
    def share(self) -> float | None:
        return self.pupils_completed / self.pupils if self.pupils else None

    @property
    def percent(self) -> int | None:
        return percent(self.pupils_completed, self.pupils)


@dataclass(frozen=True)
class MisconceptionFigure:
    slug: str
    description: str
    times: int
    pupils: int
    lessons: list[GridLesson]


@dataclass(frozen=True)
class AssignmentFigure:
    lesson: GridLesson
    done: list[str]
    not_done: list[str]


@dataclass
class ClassReport:
    class_id: int
    name: str
    band: str
    period: Period
    current: bool  # the period includes today, so gaps say "yet"
    lessons: list[GridLesson]
    rows: list[GridRow]
    strands: list[StrandFigure]
    misconceptions: list[MisconceptionFigure]
    assignments: list[AssignmentFigure]
    completions: int = 0
    gaps: list[str] = field(default_factory=list)

    @property
    def pupils(self) -> int:
        return len(self.rows)

    def completed_by(self) -> list[int]:
        """Per grid column, how many pupils completed the lesson."""
        return [sum(row.cells[i].status == COMPLETED for row in self.rows) for i in range(len(self.lessons))]


UNSTARTED = GridCell(NOT_STARTED)


def _cell(reached_end: bool, attempts: int, best_score: int | None, completed_at: datetime | None,
          period: Period) -> GridCell:
    if completed_at is not None:
        day = completed_at.date()
        return GridCell(COMPLETED, best_score, day, period.contains(day))
    if attempts or reached_end:
        return GridCell(TRIED, best_score)
    return UNSTARTED


@dataclass(frozen=True)
class ClassLesson:
    """A lesson of the catalogue with this class's assignment of it, if any."""

    entry: CatalogueEntry
    assignment_id: int | None
    due_date: date | None


def _class_lessons(school_class: SchoolClass, catalogue: Iterable[CatalogueEntry]) -> list[ClassLesson]:
    """Every lesson a pupil might meet (not staff training unless set), with this class's assignment if any."""
    assigned = {row.lesson_id: row for row in db.session.execute(
        select(LessonAssignment.lesson_id, LessonAssignment.id, LessonAssignment.due_date)
        .where(LessonAssignment.class_id == school_class.id)
    )}
    lessons = []
    for entry in catalogue:
        assignment = assigned.get(entry.id)
        if entry.audience != "staff" or assignment is not None:
            lessons.append(ClassLesson(entry, assignment.id if assignment else None,
                                       assignment.due_date if assignment else None))
    return lessons


def _class_progress(school_class: SchoolClass):
    """One row per pupil and lesson they have a record of (pupils with none come once, with no progress).
    Records are reached through the pupil, never a school-wide index, so a large school costs no more."""
    return db.session.execute(
        select(User.id, User.display_name, LessonProgress.lesson_id, LessonProgress.band, LessonProgress.strand,
               LessonProgress.reached_end, LessonProgress.attempts, LessonProgress.best_score,
               LessonProgress.completed_at)
        .select_from(ClassMembership)
        .join(User, User.id == ClassMembership.user_id)
        .outerjoin(LessonProgress, LessonProgress.user_id == User.id)  # through the pupil: the user_id index
        .where(ClassMembership.class_id == school_class.id, User.school_id == school_class.school_id,
               User.role == PUPIL, User.archived_at.is_(None))
        .order_by(User.display_name, User.id)
    ).all()


def _class_pupils(school_class: SchoolClass):
    """The class's pupils, to join learner records to. Records are found through the pupil (an indexed join
    from the class), not through a school-wide index, so a class page costs the same in a school of 2,000."""
    return (select(ClassMembership.user_id)
            .join(User, User.id == ClassMembership.user_id)
            .where(ClassMembership.class_id == school_class.id, User.school_id == school_class.school_id,
                   User.role == PUPIL, User.archived_at.is_(None))
            .subquery())


def class_report(school_class: SchoolClass, period: Period, today: date,
                 catalogue: Iterable[CatalogueEntry]) -> ClassReport:
    """`catalogue`: every installed lesson (content.snapshots.lesson_catalogue)."""
    band = class_band(school_class)
    start, end = period.utc_bounds()
    lesson_rows = _class_lessons(school_class, catalogue)
    progress_rows = _class_progress(school_class)

    rows: dict[int, GridRow] = {}
    cells: dict[tuple[int, int], GridCell] = {}
    completed_lessons, completions = set(), 0
    # Unpacked once: attribute access on a result row costs more than the rest of this loop.
    for pupil_id, name, lesson_id, record_band, strand, reached_end, attempts, best_score, completed_at \
            in progress_rows:
        row = rows.get(pupil_id)
        if row is None:
            row = rows[pupil_id] = GridRow(pupil_id, name)
        if lesson_id is None:
            continue
        cells[(pupil_id, lesson_id)] = _cell(reached_end, attempts, best_score, completed_at, period)
        if completed_at is not None:
            completed_lessons.add(lesson_id)
            if start <= completed_at < end:
                completions += 1
                if record_band == band and strand in STRANDS:
                    row.strands.add(strand)

    lessons, descriptions, lessons_at_band, addressing, packs = [], {}, Counter(), {}, set()
    for row in lesson_rows:
        lesson = row.entry
        if lesson.pack_id not in packs:  # the first pack to describe a misconception names it
            packs.add(lesson.pack_id)
            descriptions = {**lesson.pack_misconceptions, **descriptions}
        at_band = band in lesson.ages
        item = GridLesson(lesson.id, lesson.title, lesson.strand, lesson.ages, lesson.retired,
                          row.assignment_id is not None, row.due_date)
        if not lesson.retired:
            if lesson.audience == "pupils" and at_band:
                lessons_at_band[lesson.strand] += 1
            for slug in lesson.misconceptions:
                addressing.setdefault(slug, []).append(item)
        if item.assigned or (lesson.audience == "pupils" and at_band
                             and (not lesson.retired or lesson.id in completed_lessons)):
            lessons.append(item)
    order = {slug: i for i, slug in enumerate(STRANDS)}
    lessons.sort(key=lambda item: order.get(item.strand, len(order)))

    grid_rows = list(rows.values())
    for row in grid_rows:
        row.cells = [cells.get((row.pupil_id, lesson.id), UNSTARTED) for lesson in lessons]

    quiz = _quiz_by_strand(school_class, start, end)
    strands = [StrandFigure(slug, sum(slug in row.strands for row in grid_rows), len(grid_rows),
                            lessons_at_band[slug], *quiz.get(slug, (None, 0))) for slug in STRANDS]
    report = ClassReport(school_class.id, school_class.name, band, period, period.contains(today), lessons,
                         grid_rows, strands, _misconceptions(school_class, start, end, descriptions, addressing, band),
                         _assignments(lessons, grid_rows), completions)
    report.gaps = gaps(report)
    return report


def _quiz_by_strand(school_class: SchoolClass, start: datetime, end: datetime) -> dict[str, tuple[int | None, int]]:
    pupils = _class_pupils(school_class)
    rows = db.session.execute(
        select(QuizAttempt.strand, func.sum(QuizAttempt.score), func.count())
        .select_from(pupils).join(QuizAttempt, QuizAttempt.user_id == pupils.c.user_id)
        .where(QuizAttempt.created_at >= start, QuizAttempt.created_at < end)
        .group_by(QuizAttempt.strand)
    )
    return {strand: (percent(int(total or 0), 100 * count), count) for strand, total, count in rows}


def _misconceptions(school_class, start, end, descriptions, addressing, band) -> list[MisconceptionFigure]:
    times, pupils = func.count(MisconceptionChoice.id), _class_pupils(school_class)
    rows = db.session.execute(
        select(MisconceptionChoice.slug, times, func.count(distinct(MisconceptionChoice.user_id)))
        .select_from(pupils).join(MisconceptionChoice, MisconceptionChoice.user_id == pupils.c.user_id)
        .where(MisconceptionChoice.created_at >= start, MisconceptionChoice.created_at < end)
        .group_by(MisconceptionChoice.slug)
        .order_by(times.desc(), MisconceptionChoice.slug)
        .limit(TOP_MISCONCEPTIONS)
    )
    figures = []
    for slug, count, pupils in rows:
        lessons = sorted(addressing.get(slug, []), key=lambda item: (band not in item.bands, item.title))
        figures.append(MisconceptionFigure(slug, descriptions.get(slug, slug.replace("-", " ").capitalize()),
                                           count, pupils, lessons))
    return figures


def _assignments(lessons: list[GridLesson], rows: list[GridRow]) -> list[AssignmentFigure]:
    figures = []
    for i, lesson in enumerate(lessons):
        if lesson.assigned:
            done = [row.name for row in rows if row.cells[i].status == COMPLETED]
            not_done = [row.name for row in rows if row.cells[i].status != COMPLETED]
            figures.append(AssignmentFigure(lesson, done, not_done))
    return sorted(figures, key=lambda figure: (figure.lesson.due_date or date.max, figure.lesson.title))


def gaps(report: ClassReport) -> list[str]:
    """What is still missing, in plain words."""
    if not report.rows:
        return []
    when = "yet" if report.current else "in this period"
    found = []
    for strand in report.strands:
        name = with_article(strand.name)
        if strand.lessons_at_band == 0:
            found.append(f"There is no {strand.name} lesson for this class's age band yet.")
        elif strand.pupils_completed == 0:
            found.append(f"No one in {report.name} has completed {name} lesson {when}.")
        elif strand.pupils_completed * 2 < strand.pupils:
            found.append(f"Only {strand.pupils_completed} of {strand.pupils} pupils in {report.name} have completed "
                         f"{name} lesson {when}.")
    for figure in report.assignments:
        if not figure.done:
            found.append(f"No one has completed “{figure.lesson.title}”, which was set for {report.name}, {when}.")
    return found


SORTS = ("pupil", "done")


def sort_rows(report: ClassReport, sort: str | None) -> tuple[str, list[GridRow]]:
    """Rows by pupil name (default), by lessons completed, or by one lesson ("lesson-<id>"): done first."""
    rows = list(report.rows)
    if sort == "done":
        return sort, sorted(rows, key=lambda row: (-row.completed, row.name.casefold()))
    if sort and sort.startswith("lesson-"):
        ids = [lesson.id for lesson in report.lessons]
        try:
            column = ids.index(int(sort.removeprefix("lesson-")))
        except ValueError:
            column = None
        if column is not None:
            rank = {COMPLETED: 0, TRIED: 1, NOT_STARTED: 2}

            def key(row: GridRow):
                cell = row.cells[column]
                return rank[cell.status], -(cell.best_score or -1), row.name.casefold()

            return sort, sorted(rows, key=key)
    return "pupil", sorted(rows, key=lambda row: row.name.casefold())

