"""Scoring quizzes and storing attempts. No request objects here.

Each attempt keeps a snapshot of the questions, options and answers it was scored against and
the pack version, so a later edit of the pack never changes a past score. A one-time attempt
token (unique in the table) makes a double submit store one attempt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import insert, select

from ..auth.models import User
from ..content.models import Lesson
from ..content.question_types import score as score_question
from ..content.snapshots import LessonSnapshot
from ..database import built_once_per_database
from ..extensions import db
from ..lessons.models import LessonProgress
from ..lessons.services import record_end_reached
from ..timeutil import utcnow
from .models import MisconceptionChoice, QuizAttempt

TOKEN_BYTES = 24


class QuizError(ValueError):
    """The submitted answers don't fit the quiz (a tampered or stale form); nothing is stored."""


def new_attempt_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def check_answers(lesson: Lesson, answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every question answered, only with its own options; single-choice questions with one option."""
    questions = {q["key"]: q for q in lesson.quiz}
    unknown = set(answers) - questions.keys()
    if unknown:
        raise QuizError("This quiz has changed since you opened it. Please open it again.")
    missing = [q for key, q in questions.items() if not answers.get(key)]
    if missing:
        raise QuizError("Please answer every question before you send your answers.")
    for key, chosen in answers.items():
        own = {o["key"] for o in questions[key]["options"]}
        if not set(chosen) <= own:
            raise QuizError("This quiz has changed since you opened it. Please open it again.")
        if questions[key]["kind"] == "single" and len(chosen) != 1:
            raise QuizError("Choose one answer for each question that asks for one.")
    return {key: sorted(set(chosen)) for key, chosen in answers.items()}


def _as_question(data: dict) -> SimpleNamespace:
    return SimpleNamespace(kind=data["kind"], options=[SimpleNamespace(**o) for o in data["options"]])


@dataclass
class Marked:
    results: dict[str, bool]
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 100


def mark(quiz: list[dict], answers: dict[str, list[str]]) -> Marked:
    results = {q["key"]: score_question(_as_question(q), answers.get(q["key"], [])) for q in quiz}
    return Marked(results, sum(results.values()), len(quiz))


def existing_attempt(token: str) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.attempt_token == token))


@built_once_per_database
def _attempt_insert(insert):
    return insert(QuizAttempt).on_conflict_do_nothing().returning(QuizAttempt)


def submit_attempt(user: User, lesson: LessonSnapshot, band: str, token: str,
                   answers: dict[str, list[str]]) -> tuple[QuizAttempt, bool, LessonProgress | None]:
    """Store one attempt; returns (attempt, created, the progress if this attempt completed the lesson).

    A token already used returns the stored attempt unchanged, so a resend stores nothing twice: the
    insert is INSERT ... ON CONFLICT DO NOTHING on the unique token, so even racing resends (to two
    app processes) leave one attempt, and the common case costs one statement.
    """
    try:
        answers = check_answers(lesson, answers)
    except QuizError:
        previous = existing_attempt(token)
        if previous is None:
            raise
        return _own_attempt(previous, user), False, None
    marked = mark(lesson.quiz, answers)
    values = {"school_id": user.school_id, "user_id": user.id, "lesson_id": lesson.id, "attempt_token": token,
              "pack_slug": lesson.pack_slug, "pack_version": lesson.pack_version, "band": band,
              "strand": lesson.strand, "snapshot": list(lesson.quiz), "answers": answers, "results": marked.results,
              "correct_count": marked.correct, "question_count": marked.total, "score": marked.percent,
              "full_marks": marked.correct == marked.total, "passed": marked.percent >= lesson.pass_mark,
              "created_at": utcnow()}
    attempt = db.session.scalars(_attempt_insert(), [values]).first()
    if attempt is None:
        return _own_attempt(existing_attempt(token), user), False, None
    _record_misconceptions(attempt, lesson, answers)
    progress, newly_completed = record_end_reached(user, lesson, band, score=marked.percent)
    return attempt, True, progress if newly_completed else None


def _own_attempt(attempt: QuizAttempt | None, user: User) -> QuizAttempt:
    if attempt is None or attempt.user_id != user.id:
        raise QuizError("This quiz form has already been used. Please open the quiz again.")
    return attempt


def _record_misconceptions(attempt: QuizAttempt, lesson: Lesson | LessonSnapshot,
                           answers: dict[str, list[str]]) -> None:
    rows = [{"school_id": attempt.school_id, "attempt_id": attempt.id, "user_id": attempt.user_id,
             "lesson_id": lesson.id, "slug": option["misconception"], "created_at": attempt.created_at}
            for question in lesson.quiz for option in question["options"]
            if option["key"] in answers.get(question["key"], ()) and option.get("misconception")
            and not option["correct"]]
    if rows:
        db.session.execute(insert(MisconceptionChoice.__table__), rows)
