"""One pupil's record for their teachers: lessons done, quiz attempts and strands covered in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..auth.models import User
from ..content.models import Lesson
from ..content.taxonomy import STRANDS, strand_name
from ..extensions import db
from ..lessons.models import LessonProgress
from ..quizzes.models import QuizAttempt
from ..schools.services import pupil_band, pupil_classes
from ..schools.terms import Period


@dataclass(frozen=True)
class PupilLesson:
    title: str
    strand: str
    band: str
    attempts: int
    best_score: int | None
    completed_on: date | None
    retired: bool

    @property
    def strand_name(self) -> str:
        return strand_name(self.strand)


@dataclass(frozen=True)
class PupilAttempt:
    at: datetime
    title: str
    score: int
    correct: int
    questions: int
    passed: bool


@dataclass
class PupilReport:
    pupil_id: int
    name: str
    year_group: int | None
    classes: list[str]
    band: str
    period: Period
    strands: list[tuple[str, bool]]  # (strand slug, covered at the pupil's band in the period)
    completed: list[PupilLesson]  # in the period
    unfinished: list[PupilLesson]  # tried, not yet completed
    attempts: list[PupilAttempt]  # in the period, newest first
    completed_ever: int = 0

    @property
    def strands_covered(self) -> int:
        return sum(covered for _slug, covered in self.strands)


def pupil_report(pupil: User, period: Period) -> PupilReport:
    """A pupil's lessons, quiz attempts and strands in one view, for parents' evening.

    The caller loaded the pupil within the signed-in user's school (access.pupil_or_404); records are found
    through the pupil's id, so the user_id indexes serve them however large the school is.
    """
    start, end = period.utc_bounds()
    classes = pupil_classes(pupil)
    band = pupil_band(pupil, classes)
    progress = db.session.execute(
        select(LessonProgress.band, LessonProgress.strand, LessonProgress.attempts, LessonProgress.best_score,
               LessonProgress.completed_at, LessonProgress.reached_end, Lesson.title, Lesson.retired)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == pupil.id)
        .order_by(LessonProgress.completed_at.desc(), LessonProgress.last_activity_at.desc())
    ).all()
    attempts = db.session.execute(
        select(QuizAttempt.created_at, QuizAttempt.score, QuizAttempt.correct_count, QuizAttempt.question_count,
               QuizAttempt.passed, Lesson.title)
        .join(Lesson, Lesson.id == QuizAttempt.lesson_id)
        .where(QuizAttempt.user_id == pupil.id, QuizAttempt.created_at >= start, QuizAttempt.created_at < end)
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    ).all()
    completed, unfinished, covered = [], [], set()
    for row in progress:
        item = PupilLesson(row.title, row.strand, row.band, row.attempts, row.best_score,
                           row.completed_at.date() if row.completed_at else None, row.retired)
        if row.completed_at is not None and start <= row.completed_at < end:
            completed.append(item)
            if row.band == band:
                covered.add(row.strand)
        elif row.completed_at is None and (row.attempts or row.reached_end):
            unfinished.append(item)
    return PupilReport(
        pupil.id, pupil.display_name, pupil.year_group, [c.name for c in classes], band, period,
        [(slug, slug in covered) for slug in STRANDS], completed, unfinished,
        [PupilAttempt(a.created_at, a.title, a.score, a.correct_count, a.question_count, a.passed) for a in attempts],
        sum(row.completed_at is not None for row in progress),
    )
