"""Build the benchmark's synthetic school with bulk inserts: 2,000 pupils in 60 classes, the core pack and a
generated pack, 60,000 completions, 100,000 quiz attempts (with the misconceptions their wrong answers show)
and 600 mentoring logs."""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench._progress import Progress
from bench.pack_install import build_pack

PASSWORD = "bench pupils share this passphrase"
PUPILS, CLASSES = 2000, 60
COMPLETIONS, ATTEMPTS, MENTORING_LOGS = 60_000, 100_000, 600
BAND_YEARS = {"4-7": (1, 2), "7-11": (3, 4, 5, 6), "11-14": (7, 8, 9), "14-18": (10, 11)}


@dataclass
class School:
    school_id: int
    slug: str
    class_ids: list[int]
    pupil_usernames: list[str]
    pupil_ids: list[int]
    teacher_username: str
    dsl_username: str
    lesson_id: int  # a 7-11 core lesson with a quiz, for the page and quiz measurements
    burst_class_pupils: list[str]


def _year_for_class(index: int) -> int:
    years = [y for ys in BAND_YEARS.values() for y in ys]
    return years[index % len(years)]


def build(app, lessons_dir: Path) -> School:
    from esafe_learn.auth.passwords import hash_password
    from esafe_learn.content.models import Lesson, LessonBand
    from esafe_learn.content.services import install_pack
    from esafe_learn.extensions import db
    from esafe_learn.schools.services import band_for_year, create_school, create_user

    with app.app_context():
        install_pack(lessons_dir / "core-online-safety")
        with tempfile.TemporaryDirectory() as tmp:
            install_pack(build_pack(Path(tmp), 100))
        db.session.commit()
        school = create_school("Benchmark Academy", f"bench{random.randint(1000, 9999)}")
        teacher = create_user(school, f"{school.slug}-teacher", "Ms Bench", "teacher", password=PASSWORD)
        dsl = create_user(school, f"{school.slug}-dsl", "Mr Lead", "dsl", password=PASSWORD)
        db.session.commit()
        school_id = school.id
        password_hash = hash_password(PASSWORD)
        class_ids = _insert_classes(db, school_id)
        db.session.execute(insert(_model("ClassTeacher")), [{"class_id": c, "user_id": teacher.id} for c in class_ids])
        pupils = _insert_pupils(db, school_id, school.slug, class_ids, password_hash, band_for_year)
        lessons_by_band = {}
        for band in BAND_YEARS:
            lessons_by_band[band] = list(db.session.scalars(
                select(Lesson).join(LessonBand).where(LessonBand.band == band, Lesson.audience == "pupils")
            ))
        _insert_learning(db, school_id, pupils, lessons_by_band)
        _insert_mentoring(db, school_id, pupils)
        db.session.commit()
        _analyse(db)
        lesson = next(lesson for lesson in lessons_by_band["7-11"] if lesson.quiz and not lesson.teacher_led
                      and lesson.pack.slug == "core-online-safety")
        burst = [username for username, _pid, band, cls in pupils if cls == class_ids[2]]
        return School(school_id, school.slug, class_ids, [p[0] for p in pupils], [p[1] for p in pupils],
                      teacher.username, dsl.username, lesson.id, burst)


def _analyse(db) -> None:
    """Give the query planner statistics for the bulk-loaded tables, as autovacuum would within a minute, and
    on PostgreSQL also vacuum and checkpoint now, so that work does not run during the measurements."""
    from sqlalchemy import text

    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
        connection.execute(text("CHECKPOINT"))


def _model(name: str):
    from esafe_learn import models

    return getattr(models, name)


def _insert_classes(db, school_id: int) -> list[int]:
    SchoolClass = _model("SchoolClass")
    rows = [{"school_id": school_id, "name": f"C{index:02d}", "year_group": _year_for_class(index),
             "created_at": datetime.now(UTC)} for index in range(CLASSES)]
    db.session.execute(insert(SchoolClass), rows)
    return list(db.session.scalars(select(SchoolClass.id).where(SchoolClass.school_id == school_id)
                                   .order_by(SchoolClass.name)))


def _insert_pupils(db, school_id, slug, class_ids, password_hash, band_for_year):
    User, ClassMembership, SchoolClass = _model("User"), _model("ClassMembership"), _model("SchoolClass")
    years = dict(db.session.execute(select(SchoolClass.id, SchoolClass.year_group)
                                    .where(SchoolClass.id.in_(class_ids))).all())
    bar = Progress("pupils", PUPILS)
    rows = []
    for number in range(PUPILS):
        class_id = class_ids[number % CLASSES]
        rows.append({"school_id": school_id, "username": f"{slug}-p{number}", "display_name": f"Pupil {number} B.",
                     "role": "pupil", "year_group": years[class_id], "password_hash": password_hash,
                     "is_online_leader": number % 100 == 0, "supervises_leaders": False, "active": True,
                     "created_at": datetime.now(UTC)})
    db.session.execute(insert(User), rows)
    ids = dict(db.session.execute(select(User.username, User.id).where(User.school_id == school_id,
                                                                       User.role == "pupil")).all())
    members, pupils = [], []
    for number, row in enumerate(rows):
        class_id = class_ids[number % CLASSES]
        members.append({"class_id": class_id, "user_id": ids[row["username"]]})
        pupils.append((row["username"], ids[row["username"]], band_for_year(row["year_group"]), class_id))
        bar.step()
    db.session.execute(insert(ClassMembership), members)
    return pupils


def _insert_learning(db, school_id, pupils, lessons_by_band) -> None:
    LessonProgress = _model("LessonProgress")
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=60)
    completions_each, attempts_each = COMPLETIONS // len(pupils), ATTEMPTS // len(pupils)
    bar = Progress("completions and attempts", len(pupils))
    progress_rows, attempt_rows = [], []
    slugs = {lesson.id: sorted(lesson.misconception_slugs()) for lessons in lessons_by_band.values()
             for lesson in lessons}
    for username, pupil_id, band, _class_id in pupils:
        lessons = rng.sample(lessons_by_band[band], min(completions_each, len(lessons_by_band[band])))
        for lesson in lessons:
            when = start + timedelta(minutes=rng.randrange(60 * 24 * 60))
            progress_rows.append({"school_id": school_id, "user_id": pupil_id, "lesson_id": lesson.id, "band": band,
                                  "strand": lesson.strand, "reached_end": True, "attempts": 2, "best_score": 100,
                                  "completed_at": when, "pack_version": lesson.pack_version,
                                  "last_activity_at": when})
        for number in range(attempts_each):
            lesson = lessons[number % len(lessons)]
            score = rng.choice((60, 80, 100))
            attempt_rows.append({"school_id": school_id, "user_id": pupil_id, "lesson_id": lesson.id,
                                 "attempt_token": f"{username}-{number}", "pack_slug": lesson.pack.slug,
                                 "pack_version": lesson.pack_version, "band": band, "strand": lesson.strand,
                                 "snapshot": [], "answers": {}, "results": {}, "correct_count": score // 20,
                                 "question_count": 5, "score": score, "full_marks": score == 100,
                                 "passed": score >= 80, "created_at": start + timedelta(days=number % 60)})
        bar.step()
        if len(attempt_rows) >= 10_000:
            _insert_attempts(db, attempt_rows, slugs)
            attempt_rows = []
    db.session.execute(insert(LessonProgress), progress_rows)
    if attempt_rows:
        _insert_attempts(db, attempt_rows, slugs)


def _insert_attempts(db, rows: list[dict], slugs: dict[int, list[str]]) -> None:
    """The attempts, and for each one short of full marks the misconception its wrong answer shows."""
    QuizAttempt, MisconceptionChoice = _model("QuizAttempt"), _model("MisconceptionChoice")
    ids = db.session.scalars(insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True), rows).all()
    choices = []
    for attempt_id, row in zip(ids, rows, strict=True):
        shown = slugs[row["lesson_id"]]
        if not row["full_marks"] and shown:
            choices.append({"school_id": row["school_id"], "attempt_id": attempt_id, "user_id": row["user_id"],
                            "lesson_id": row["lesson_id"], "slug": shown[attempt_id % len(shown)],
                            "created_at": row["created_at"]})
    if choices:
        db.session.execute(insert(MisconceptionChoice), choices)


def _insert_mentoring(db, school_id, pupils) -> None:
    """600 mentoring logs by the Online Leaders (each with a named pupil and a strand), half of them reviewed."""
    from esafe_learn.mentoring.models import NAMED, MentoringMentee, MentoringSession, MentoringStrand

    leaders = [p for p in pupils if int(p[0].rsplit("p", 1)[1]) % 100 == 0]
    helped = [p for p in pupils if p not in leaders]
    sessions = []
    for number in range(MENTORING_LOGS):
        when = datetime.now(UTC) - timedelta(days=number % 60)
        sessions.append({"school_id": school_id, "leader_id": leaders[number % len(leaders)][1],
                         "session_date": when.date(), "kind": "one_to_one", "mentee_mode": NAMED,
                         "what_we_did": "Talked about privacy settings.", "what_helped": "Showing the settings.",
                         "duration_minutes": 10, "follow_up_needed": False, "worry_raised": False,
                         "created_at": when, "updated_at": when, "review_comment": "",
                         "reviewed_at": when if number % 2 else None})
    ids = db.session.scalars(insert(MentoringSession).returning(MentoringSession.id, sort_by_parameter_order=True),
                             sessions).all()
    db.session.execute(insert(MentoringMentee), [
        {"school_id": school_id, "session_id": session_id, "pupil_id": helped[number % len(helped)][1]}
        for number, session_id in enumerate(ids)])
    db.session.execute(insert(MentoringStrand), [
        {"school_id": school_id, "session_id": session_id, "strand": "privacy-and-security"} for session_id in ids])
