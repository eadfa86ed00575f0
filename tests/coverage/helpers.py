"""Small factories for coverage tests: a pack with one lesson per strand and band, pupils in bulk,
and learner records written directly (the lessons and quizzes views are tested elsewhere)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import insert, select

from esafe_learn.auth.models import User
from esafe_learn.content.models import Lesson, LessonBand, Pack
from esafe_learn.content.taxonomy import AGE_BANDS, STRANDS
from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonAssignment, LessonProgress
from esafe_learn.quizzes.models import MisconceptionChoice, QuizAttempt
from esafe_learn.schools.models import ClassMembership, ClassTeacher, SchoolClass

MISCONCEPTIONS = {
    "deleted-means-gone": "Pupils believe that deleting a post removes every copy of it.",
    "only-a-joke": "Pupils think hurtful messages do not count as bullying if the sender says it was a joke.",
}
TAGS = {"privacy-and-security": "deleted-means-gone", "online-bullying": "only-a-joke"}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _quiz(strand: str) -> list[dict]:
    wrong = {"key": "a", "text": "Wrong", "html": "Wrong", "correct": False, "misconception": TAGS.get(strand)}
    right = {"key": "b", "text": "Right", "html": "Right", "correct": True, "misconception": None}
    return [{"key": "q1", "kind": "single", "prompt": "Q", "prompt_html": "Q", "explanation_html": "",
             "options": [wrong, right]}]


def make_pack(app, slug: str = "test-pack") -> dict[str, int]:
    """One pupil lesson per strand and band ("<strand>@<band>"), plus a retired lesson, a teacher-led one,
    an Online Leader lesson and staff training. Returns {key: lesson id}."""
    with app.app_context():
        pack = Pack(slug=slug, title="Test pack", version="1.0.0", language="en-GB", licence="CC BY-SA 4.0",
                    audience="pupils", misconceptions=dict(MISCONCEPTIONS))
        db.session.add(pack)
        db.session.flush()
        lessons = {}
        position = 0

        def add(key, title, strand, ages, audience="pupils", retired=False, teacher_led=False):
            nonlocal position
            position += 1
            lesson = Lesson(pack_id=pack.id, slug=f"l{position}", title=title, strand=strand, ages=list(ages),
                            minutes=30, audience=audience, retired=retired, teacher_led=teacher_led,
                            position=position, quiz=_quiz(strand), content_hash="x", pack_version="1.0.0",
                            bands=[LessonBand(band=band) for band in ages])
            db.session.add(lesson)
            lessons[key] = lesson

        for band in AGE_BANDS:
            for strand, name in STRANDS.items():
                add(f"{strand}@{band}", f"{name} ({band})", strand, [band])
        add("retired@7-11", "Old privacy lesson", "privacy-and-security", ["7-11"], retired=True)
        add("retired-unused@7-11", "Old bullying lesson", "online-bullying", ["7-11"], retired=True)
        add("teacher-led@7-11", "Class debate", "online-relationships", ["7-11"], teacher_led=True)
        add("leaders@7-11", "Listening well", "online-relationships", ["7-11"], audience="online-leaders")
        add("staff", "Staff training", "online-relationships", ["7-11"], audience="staff")
        db.session.commit()
        return {key: lesson.id for key, lesson in lessons.items()}


def add_pupils(app, school, count: int, school_class=None, *, year_group: int = 5, prefix: str = "") -> list[int]:
    """Pupils without passwords, in bulk, optionally in a class. Returns their ids in name order."""
    with app.app_context():
        tag = prefix or uuid.uuid4().hex[:6]
        rows = [{"school_id": school.id, "username": f"p-{tag}-{i:03d}", "display_name": f"Pupil {tag} {i:03d}",
                 "role": "pupil", "year_group": year_group, "active": True, "is_online_leader": False,
                 "supervises_leaders": False} for i in range(count)]
        ids = list(db.session.scalars(insert(User).returning(User.id), rows)) if rows else []
        if school_class is not None and ids:
            db.session.execute(insert(ClassMembership), [{"class_id": school_class.id, "user_id": i} for i in ids])
        db.session.commit()
        return sorted(ids)


def add_class(app, school, name: str, year_group: int = 5, *, teacher=None, band: str | None = None):
    with app.app_context():
        school_class = SchoolClass(school_id=school.id, name=name, year_group=year_group, working_at_band=band)
        db.session.add(school_class)
        db.session.flush()
        if teacher is not None:
            db.session.add(ClassTeacher(class_id=school_class.id, user_id=teacher.id))
        db.session.commit()
        db.session.refresh(school_class)
        return school_class


def join_class(app, school_class, user_ids) -> None:
    with app.app_context():
        db.session.execute(insert(ClassMembership), [{"class_id": school_class.id, "user_id": i} for i in user_ids])
        db.session.commit()


def progress(app, school_id: int, user_id: int, lesson_id: int, *, band: str = "7-11",
             completed: datetime | None = None, score: int | None = None, attempts: int = 1,
             reached_end: bool = True) -> None:
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        db.session.add(LessonProgress(school_id=school_id, user_id=user_id, lesson_id=lesson_id, band=band,
                                      strand=lesson.strand, reached_end=reached_end, attempts=attempts,
                                      best_score=score, completed_at=completed, pack_version="1.0.0",
                                      last_activity_at=completed or at(date(2025, 10, 1))))
        db.session.commit()


def attempt(app, school_id: int, user_id: int, lesson_id: int, when: datetime, score: int, *,
            band: str = "7-11", misconceptions: tuple[str, ...] = ()) -> None:
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        row = QuizAttempt(school_id=school_id, user_id=user_id, lesson_id=lesson_id,
                          attempt_token=uuid.uuid4().hex, pack_slug="test-pack", pack_version="1.0.0", band=band,
                          strand=lesson.strand, snapshot=lesson.quiz, answers={}, results={},
                          correct_count=score // 50, question_count=2, score=score, full_marks=score == 100,
                          passed=score >= 80, created_at=when)
        db.session.add(row)
        db.session.flush()
        for slug in misconceptions:
            db.session.add(MisconceptionChoice(school_id=school_id, attempt_id=row.id, user_id=user_id,
                                               lesson_id=lesson_id, slug=slug, created_at=when))
        db.session.commit()


def assign(app, school_class, lesson_id: int, due: date | None = None) -> None:
    with app.app_context():
        db.session.add(LessonAssignment(school_id=school_class.school_id, class_id=school_class.id,
                                        lesson_id=lesson_id, due_date=due))
        db.session.commit()


def lesson_ids(app) -> dict[str, int]:
    with app.app_context():
        return {slug: lesson_id for slug, lesson_id in db.session.execute(select(Lesson.slug, Lesson.id))}
