"""How fast the coverage pages are for a large school: 2,000 pupils in 60 classes, 60,000 completions.

    python bench/coverage_school.py [--runs 15]

Builds the school on a temporary SQLite file (or on DATABASE_URL when it is set: use an empty,
throwaway database, since the tables are created there and the benchmark school is deleted after),
installs the core pack, bulk-inserts the records, then renders the school page and one class page
through Flask's test client as the DSL: a few warm-up requests, then the median of --runs. A trivial
page (the change-password form: one query for the signed-in user, then a template) is timed in the
same run as the baseline, so the ratio says how much the coverage work itself costs on this machine.
The last lines are a Markdown table for the README's performance section; they are also written to
bench/results/coverage-school-<sqlite|postgresql>.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._progress import Progress  # noqa: E402

PUPILS, CLASSES, COMPLETIONS = 2000, 60, 60_000
PASSWORD = "coverage bench passphrase"
BUDGET_MS = 300
RESULTS = ROOT / "bench" / "results"
YEARS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)


def build(app, today: date) -> dict:
    """The school, its people and records, inserted in bulk. Returns what the timing needs."""
    from sqlalchemy import insert, select

    from esafe_learn.auth.models import User
    from esafe_learn.auth.passwords import hash_password
    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import install_pack
    from esafe_learn.extensions import db
    from esafe_learn.lessons.models import LessonProgress
    from esafe_learn.paths import LESSONS_DIR
    from esafe_learn.quizzes.models import MisconceptionChoice, QuizAttempt
    from esafe_learn.schools.models import ClassMembership, ClassTeacher, School, SchoolClass
    from esafe_learn.schools.terms import academic_year
    from esafe_learn.schools.yeargroups import band_for_year

    rng = random.Random(2024)
    bar = Progress("core pack", 38)
    with app.app_context():
        install_pack(LESSONS_DIR / "core-online-safety", progress=bar.step)
        db.session.commit()
        slug = f"coverage-bench-{rng.randrange(10**6)}"
        school = School(name="Coverage Bench Academy", slug=slug)
        db.session.add(school)
        db.session.flush()
        staff = {role: User(school_id=school.id, username=f"{slug}-{role}", display_name=role, role=role,
                            password_hash=hash_password(PASSWORD)) for role in ("dsl", "teacher")}
        db.session.add_all(staff.values())
        db.session.flush()
        classes = [{"school_id": school.id, "name": f"{YEARS[i % 14] or 'R'}{'ABCDE'[i // 14]}",
                    "year_group": YEARS[i % 14], "working_at_band": "4-7" if i == 59 else None}
                   for i in range(CLASSES)]
        db.session.execute(insert(SchoolClass), classes)
        class_rows = db.session.execute(select(SchoolClass.id, SchoolClass.year_group, SchoolClass.working_at_band)
                                        .where(SchoolClass.school_id == school.id)
                                        .order_by(SchoolClass.id)).all()
        db.session.execute(insert(ClassTeacher), [{"class_id": row.id, "user_id": staff["teacher"].id}
                                                  for row in class_rows])
        bar = Progress("pupils", PUPILS)
        pupils = []
        for number in range(PUPILS):
            row = class_rows[number % CLASSES]
            pupils.append({"school_id": school.id, "username": f"{slug}-p{number}", "role": "pupil",
                           "display_name": f"Pupil {number:04d}", "year_group": row.year_group, "active": True,
                           "is_online_leader": False, "supervises_leaders": False})
        db.session.execute(insert(User), pupils)
        ids = dict(db.session.execute(select(User.username, User.id).where(User.school_id == school.id,
                                                                           User.role == "pupil")).all())
        members = []
        for number, pupil in enumerate(pupils):
            row = class_rows[number % CLASSES]
            members.append({"class_id": row.id, "user_id": ids[pupil["username"]]})
            pupil.update(id=ids[pupil["username"]], band=row.working_at_band or band_for_year(row.year_group))
            bar.step()
        db.session.execute(insert(ClassMembership), members)

        lessons = db.session.execute(select(Lesson.id, Lesson.strand, Lesson.ages, Lesson.quiz)
                                     .where(Lesson.audience == "pupils")).all()
        year_start = datetime.combine(academic_year(today).start, clock(8), UTC)
        span = (datetime.combine(today, clock(8), UTC) - year_start).total_seconds()
        each = COMPLETIONS // PUPILS
        bar = Progress("completions and attempts", COMPLETIONS)
        progress_rows, attempt_rows, choices = [], [], []
        for pupil in pupils:
            own = [lesson for lesson in lessons if pupil["band"] in lesson.ages]
            others = [lesson for lesson in lessons if pupil["band"] not in lesson.ages]
            chosen = own + rng.sample(others, each - len(own))
            for lesson in chosen:
                when = year_start + timedelta(seconds=rng.random() * span)
                score = rng.choice((60, 80, 80, 100, 100))
                band = pupil["band"] if lesson in own else lesson.ages[0]
                progress_rows.append({"school_id": school.id, "user_id": pupil["id"], "lesson_id": lesson.id,
                                      "band": band, "strand": lesson.strand, "reached_end": True, "attempts": 1,
                                      "best_score": score, "completed_at": when, "pack_version": "1.0.0",
                                      "last_activity_at": when})
                attempt_rows.append({"school_id": school.id, "user_id": pupil["id"], "lesson_id": lesson.id,
                                     "attempt_token": f"{pupil['id']}-{lesson.id}", "pack_slug": "core-online-safety",
                                     "pack_version": "1.0.0", "band": band, "strand": lesson.strand,
                                     "snapshot": [], "answers": {}, "results": {}, "correct_count": score // 20,
                                     "question_count": 5, "score": score, "full_marks": score == 100,
                                     "passed": score >= 80, "created_at": when})
            bar.step(len(chosen))
        db.session.execute(insert(LessonProgress), progress_rows)
        for start in range(0, len(attempt_rows), 10_000):
            db.session.execute(insert(QuizAttempt), attempt_rows[start:start + 10_000])
        tags = sorted({o["misconception"] for lesson in lessons for q in lesson.quiz for o in q["options"]
                       if o.get("misconception")})
        attempts = db.session.execute(select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.lesson_id,
                                             QuizAttempt.created_at)
                                      .where(QuizAttempt.school_id == school.id, QuizAttempt.score < 80)).all()
        choices = [{"school_id": school.id, "attempt_id": a.id, "user_id": a.user_id, "lesson_id": a.lesson_id,
                    "slug": rng.choice(tags), "created_at": a.created_at} for a in attempts]
        db.session.execute(insert(MisconceptionChoice), choices)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would analyse tables this size within a minute or so; the benchmark does it now, since
            # PostgreSQL plans blind (and very slowly) before its first ANALYZE of bulk-loaded tables.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        return {"school_id": school.id, "dsl": staff["dsl"].username, "class_id": class_rows[5].id,
                "completions": len(progress_rows), "attempts": len(attempt_rows), "misconceptions": len(choices)}


def sign_in(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home"), "could not sign in"


def median_ms(client, url: str, runs: int, warmup: int = 3) -> tuple[float, float, int]:
    """(median wall-clock ms, median CPU ms of this process, size in bytes) of a page."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    bar = Progress(url[:30], runs)
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.get_data()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        bar.step()
    return statistics.median(wall), statistics.median(cpu), len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from esafe_learn import create_app
    from esafe_learn.extensions import db
    from esafe_learn.timeutil import utcnow

    logging.getLogger("esafe_learn.security").disabled = True  # sign-in events would break the progress bars
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/coverage-bench.sqlite"
        url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": "coverage-bench-" + "k" * 40, "RATELIMIT_ENABLED": False,
                          "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
                          "MFA_REQUIRED_ROLES": ()})  # the DSL signs in with a password only: pages are measured
        with app.app_context():
            db.create_all()
        world = build(app, utcnow().date())
        built = time.perf_counter() - started
        client = app.test_client()
        sign_in(client, world["dsl"])
        figures = {
            "baseline (change-password form)": median_ms(client, "/account/password", args.runs),
            "school (this term)": median_ms(client, "/coverage/school", args.runs),
            "school (this year)": median_ms(client, "/coverage/school?period=year", args.runs),
            "class (this term)": median_ms(client, f"/coverage/classes/{world['class_id']}", args.runs),
            "school CSV": median_ms(client, "/coverage/school.csv", args.runs),
        }
        if os.environ.get("DATABASE_URL"):
            from sqlalchemy import delete

            from esafe_learn.schools.models import School

            with app.app_context():  # the database's ON DELETE CASCADE removes everything of the school
                db.session.execute(delete(School).where(School.id == world["school_id"]))
                db.session.commit()
        with app.app_context():
            engine = db.engine.dialect.name
            db.engine.dispose()

    report = summary(figures, world, engine, built, args.runs)
    print()
    print(report)
    RESULTS.mkdir(exist_ok=True)
    written = RESULTS / f"coverage-school-{engine}.md"
    written.write_text(report + "\n", "utf-8")
    school_ms = figures["school (this term)"][0]
    verdict = "within" if school_ms < BUDGET_MS else "OVER"
    print()
    print(f"School page: {school_ms:.0f} ms, {verdict} the {BUDGET_MS} ms budget. Whole run "
          f"{time.perf_counter() - started:.0f} s. Figures written to {written.relative_to(ROOT)}.")
    return 0 if school_ms < BUDGET_MS else 1


def summary(figures: dict, world: dict, engine: str, built: float, runs: int) -> str:
    baseline = figures["baseline (change-password form)"][0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    cpu_note = "the app's CPU time includes SQLite's work" if engine == "sqlite" else \
        "the app's CPU time leaves out the database server's work"
    lines = [
        f"Coverage benchmark, {date.today():%-d %B %Y}: {PUPILS:,} pupils in {CLASSES} classes, "
        f"{world['completions']:,} lesson completions, {world['attempts']:,} quiz attempts and "
        f"{world['misconceptions']:,} misconception choices this school year (built in {built:.0f} s); {engine}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load} at the end. Median of "
        f"{runs} requests through Flask's test client after 3 warm-up requests; {cpu_note}. "
        f"Command: `python bench/coverage_school.py --runs {runs}`.",
        "",
        "| Page | Median time | CPU time | × baseline | Size |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (ms, cpu, size) in figures.items():
        lines.append(f"| {name} | {ms:.0f} ms | {cpu:.0f} ms | {ms / baseline:.0f} | {size / 1024:.0f} KiB |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
