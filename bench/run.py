"""The benchmark: a synthetic school served by gunicorn on 127.0.0.1, measured against a Flask "hello world"
served the same way in the same run.

    python bench/run.py [--seconds 5] [--rounds 3] [--close-connections]

Uses PostgreSQL when one answers on 127.0.0.1:5432 (a database made for the run and dropped after it), else a
temporary SQLite file; set BENCH_DATABASE_URL to choose. Prints one table and writes it as JSON to
bench/results/<time>.json and bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import floor, load, synthetic  # noqa: E402
from bench._progress import Progress  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SECRET = "bench-secret-" + "k" * 40
TARGETS = {"lesson_ratio": 0.30, "quiz_ratio": 0.20, "burst_30_s": 3.0, "burst_90_s": 8.0, "class_p95_ms": 100,
           "evidence_ms": 300, "max_queries": 10, "worker_mb": 150}
FLOOR_POSTED = 'status == 302 and string.find(headers["Location"] or "", "/page", 1, true) ~= nil'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        yield url
        return
    with socket.socket() as sock:
        sock.settimeout(1)
        postgres = sock.connect_ex(("127.0.0.1", 5432)) == 0
    if postgres:
        from tests.pg import PostgresLeg

        leg = PostgresLeg("postgresql://postgres@127.0.0.1:5432/test")
        leg.create()
        try:
            yield leg.url
        finally:
            leg.drop()
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite"


@contextmanager
def gunicorn(app_spec: str, env: dict):
    port = free_port()
    environment = {**os.environ, **env, "ESAFE_BIND": f"127.0.0.1:{port}"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:esafe_learn.gunicorn_config",
                                app_spec], env=environment, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_peak_mb(master_pid: int) -> float:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    peaks = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1) if peaks else float("nan")


def signed_in_cookie(port: int, username: str) -> str:
    client = load.Client("127.0.0.1", port)
    load.sign_in(client, username, synthetic.PASSWORD)
    return client.cookie_header()


def floor_session(port: int, lean: bool = False) -> tuple[str, str]:
    """A signed-in cookie for the floor app, and the wrk script that posts its form (not for the lean page)."""
    import urllib.parse

    client = load.Client("127.0.0.1", port)
    client.request("GET", "/login")
    status, page, _ = client.request("GET", "/page")
    if status != 200:
        raise RuntimeError(f"the floor page answered {status}")
    if lean:
        return client.cookie_header(), ""
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "choice": "a"})
    return client.cookie_header(), load.quiz_lua("/submit", [(client.cookie_header(), body)])


def quiz_sessions(port: int, usernames: list[str], lesson_id: int) -> list[tuple[str, str]]:
    import urllib.parse

    sessions = []
    for username in usernames:
        client = load.Client("127.0.0.1", port)
        load.sign_in(client, username, synthetic.PASSWORD)
        _, page, _ = client.request("GET", f"/lessons/{lesson_id}/quiz")
        form = load.quiz_answers(page)
        form.pop("attempt_token")
        sessions.append((client.cookie_header(), urllib.parse.urlencode(form)))
    return sessions


def count_queries(app, school: synthetic.School) -> dict[str, int]:
    """SQL statements per request for the main pages, counted in-process."""
    from sqlalchemy import event

    from esafe_learn.extensions import db

    pages = {"pupil home": ("pupil", "/home"), "lesson list": ("pupil", "/lessons/"),
             "lesson page": ("pupil", f"/lessons/{school.lesson_id}?part=2"),
             "quiz page": ("pupil", f"/lessons/{school.lesson_id}/quiz"),
             "teacher home": ("teacher", "/home"),
             "class page": ("teacher", f"/coverage/classes/{school.class_ids[2]}"),
             "school coverage": ("dsl", "/coverage/school"), "checklist evidence": ("dsl", "/checklist/report")}
    clients = {}
    for role, username in (("pupil", school.burst_class_pupils[0]), ("teacher", school.teacher_username),
                           ("dsl", school.dsl_username)):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        signed_in = client.post("/login", data={"username": username, "password": synthetic.PASSWORD,
                                                "csrf_token": load.CSRF.search(page).group(1)})
        if signed_in.status_code != 302:
            raise RuntimeError(f"{role} could not sign in ({signed_in.status_code}): no page would be counted")
        clients[role] = client
    _record_checklist_review(clients["dsl"])
    counts = {}
    with app.app_context():
        engine = db.engine
    for name, (role, path) in pages.items():
        clients[role].get(path)  # warm
        statements: list[str] = []

        def record(conn, cursor, statement, *args, found=statements):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                found.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        status = clients[role].get(path).status_code
        event.remove(engine, "before_cursor_execute", record)
        counts[name] = len(statements) if status == 200 else None
    return counts


def _record_checklist_review(dsl_client) -> None:
    """The evidence report shows the latest review: record one, as the safeguarding lead would."""
    page = dsl_client.get("/checklist/").get_data(as_text=True)
    recorded = dsl_client.post("/checklist/review", data={"csrf_token": load.CSRF.search(page).group(1),
                                                           "period": "year"})
    if recorded.status_code != 302:
        raise RuntimeError(f"the checklist review was not recorded ({recorded.status_code})")


def main() -> None:
    parser = argparse.ArgumentParser(description="esafe-learn benchmark")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each measured wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of baseline, lesson page and quiz")
    parser.add_argument("--close-connections", action="store_true",
                        help="send every request on a new connection (Connection: close), baseline included")
    args = parser.parse_args()
    if args.close_connections:
        load.EXTRA_HEADERS.append("Connection: close")
    if not load.wrk_available():
        sys.exit("wrk is not installed (Debian package 'wrk'): the benchmark needs it as its load generator.")
    from flask_migrate import stamp

    from esafe_learn import create_app
    from esafe_learn.extensions import db
    from esafe_learn.paths import LESSONS_DIR

    results: dict = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "targets": TARGETS,
                     "connections": "a new one per request" if args.close_connections else "kept alive"}
    with database() as url:
        results["database"] = url.split(":", 1)[0].split("+")[0]
        env = {"DATABASE_URL": url, "ESAFE_SECRET_KEY": SECRET, "ESAFE_ENV": "production",
               "ESAFE_SECURE_COOKIES": "0", "ESAFE_RATELIMIT_ENABLED": "0",
               # Staff sign in without the TOTP step here: it adds one request per sign-in, not per page.
               "ESAFE_MFA_REQUIRED_ROLES": ""}
        os.environ.update({k: v for k, v in env.items() if k != "ESAFE_ENV"})
        app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "MFA_REQUIRED_ROLES": ()})
        with app.app_context():
            db.create_all()
            stamp()
        school = synthetic.build(app, LESSONS_DIR)
        results["school"] = {"pupils": synthetic.PUPILS, "classes": synthetic.CLASSES,
                             "completions": synthetic.COMPLETIONS, "attempts": synthetic.ATTEMPTS}
        results["queries_per_page"] = count_queries(app, school)
        with app.app_context():
            db.engine.dispose()
        steps = Progress("measuring", args.rounds + 5)
        floor.prepare(url)
        with gunicorn("bench.hello:app", env) as (hello_port, _hello), \
                gunicorn("bench.floor:app_from_environment()", env) as (floor_port, _floor), \
                gunicorn("bench.floor:app_from_environment()", {**env, "FLOOR_LEAN": "1"}) as (lean_port, _lean), \
                gunicorn("esafe_learn:create_app()", env) as (port, master):
            base = f"http://127.0.0.1:{port}"
            floor_cookie, floor_lua = floor_session(floor_port)
            lean_cookie = floor_session(lean_port, lean=True)[0]
            cookie = signed_in_cookie(port, school.burst_class_pupils[0])
            seven_to_eleven = _band_usernames(app, school, "7-11")
            sessions = quiz_sessions(port, seven_to_eleven[120:128], school.lesson_id)
            lua = load.quiz_lua(f"/lessons/{school.lesson_id}/quiz", sessions)
            rounds = []
            for _ in range(args.rounds):
                rounds.append({
                    "baseline": load.run_wrk(f"http://127.0.0.1:{hello_port}/", args.seconds),
                    "floor_page": load.run_wrk(f"http://127.0.0.1:{floor_port}/page", args.seconds,
                                               cookie=floor_cookie),
                    "lean_floor_page": load.run_wrk(f"http://127.0.0.1:{lean_port}/page", args.seconds,
                                                    cookie=lean_cookie),
                    "lesson_page": load.run_wrk(f"{base}/lessons/{school.lesson_id}?part=2", args.seconds,
                                                cookie=cookie),
                    "floor_post": load.run_wrk(f"http://127.0.0.1:{floor_port}/submit", args.seconds,
                                               lua_extra=floor_lua, expect=FLOOR_POSTED),
                    "quiz_submit": _stored_quiz_run(app, f"{base}/lessons/{school.lesson_id}/quiz", args.seconds,
                                                    lua),
                })
                steps.step()
            results.update(_ratios(rounds))
            results["burst_30"] = load.class_burst("127.0.0.1", port, seven_to_eleven[:30], synthetic.PASSWORD,
                                                   school.lesson_id)
            steps.step()
            results["burst_90"] = load.class_burst("127.0.0.1", port, seven_to_eleven[30:120], synthetic.PASSWORD,
                                                   school.lesson_id)
            steps.step()
            teacher, dsl = signed_in_cookie(port, school.teacher_username), signed_in_cookie(port, school.dsl_username)
            results["class_page"] = load.run_wrk(f"{base}/coverage/classes/{school.class_ids[2]}", args.seconds, 4,
                                                 cookie=teacher)
            results["school_page"] = load.run_wrk(f"{base}/coverage/school", args.seconds, 4, cookie=dsl)
            steps.step()
            results["evidence_page"] = load.run_wrk(f"{base}/checklist/report", args.seconds, 4, cookie=dsl)
            steps.step()
            results["worker_peak_mb"] = worker_peak_mb(master)
            steps.step()
    report(results)


def _ratios(rounds: list[dict]) -> dict:
    """Throughput as a ratio to the baseline measured at the start of the same round; the median round.

    This machine's speed drifts by a third or more within a minute, so a baseline from another moment would
    make the ratio say more about the machine than about the app.
    """
    figures = {}
    for key in ("floor_page", "lean_floor_page", "lesson_page", "floor_post", "quiz_submit"):
        for measured in rounds:
            measured[key]["ratio_to_baseline"] = round(measured[key]["rps"] / measured["baseline"]["rps"], 3)
        ordered = sorted(rounds, key=lambda measured: measured[key]["ratio_to_baseline"])
        median = ordered[len(ordered) // 2]
        figures[key] = {**median[key], "baseline_rps": median["baseline"]["rps"],
                        "ratios_by_round": [measured[key]["ratio_to_baseline"] for measured in rounds]}
    figures["baseline"] = {"rps_by_round": [measured["baseline"]["rps"] for measured in rounds],
                           "p95_ms_by_round": [measured["baseline"]["p95_ms"] for measured in rounds]}
    return figures


def _stored_quiz_run(app, url: str, seconds: int, lua: str) -> dict:
    """A quiz run that also counts the attempts it stored: a resent token answers like a new one."""
    figures_before = _attempt_count(app)
    figures = load.run_wrk(url, seconds, lua_extra=lua, expect=load.QUIZ_STORED)
    figures["attempts_stored"] = _attempt_count(app) - figures_before
    return figures


def _attempt_count(app) -> int:
    from sqlalchemy import func, select

    from esafe_learn.extensions import db
    from esafe_learn.quizzes.models import QuizAttempt

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        db.session.remove()
        db.engine.dispose()
    return count


def _band_usernames(app, school: synthetic.School, band: str) -> list[str]:
    from sqlalchemy import select

    from esafe_learn.auth.models import User
    from esafe_learn.extensions import db
    from esafe_learn.schools.yeargroups import band_for_year

    with app.app_context():
        rows = db.session.execute(select(User.username, User.year_group).where(User.school_id == school.school_id,
                                                                               User.role == "pupil")).all()
        db.engine.dispose()
    return [username for username, year in rows if year is not None and band_for_year(year) == band]


def report(results: dict) -> None:
    lesson, quiz, base = results["lesson_page"], results["quiz_submit"], results["baseline"]
    floor_page, floor_post = results["floor_page"], results["floor_post"]
    rows = [
        ("baseline: hello world", "req/s by round", ", ".join(f"{rps:,.0f}" for rps in base["rps_by_round"]), ""),
        ("floor: signed-in page", f"{floor_page['rps']} req/s", f"unexpected answers {floor_page['unexpected']}",
         f"ratio {floor_page['ratio_to_baseline']} (rounds {floor_page['ratios_by_round']}); stack only"),
        ("floor, lean: page", f"{results['lean_floor_page']['rps']} req/s",
         f"unexpected answers {results['lean_floor_page']['unexpected']}",
         f"ratio {results['lean_floor_page']['ratio_to_baseline']} (rounds "
         f"{results['lean_floor_page']['ratios_by_round']}); no ORM user, no form token"),
        ("floor: form post", f"{floor_post['rps']} req/s", f"unexpected answers {floor_post['unexpected']}",
         f"ratio {floor_post['ratio_to_baseline']} (rounds {floor_post['ratios_by_round']}); stack only"),
        ("lesson page", f"{lesson['rps']} req/s",
         f"p50/p95/p99 {lesson['p50_ms']}/{lesson['p95_ms']}/{lesson['p99_ms']} ms, "
         f"unexpected answers {lesson['unexpected']}",
         f"ratio {lesson['ratio_to_baseline']} (rounds {lesson['ratios_by_round']}; "
         f"target >= {TARGETS['lesson_ratio']})"),
        ("quiz submission", f"{quiz['rps']} req/s",
         f"p50/p95/p99 {quiz['p50_ms']}/{quiz['p95_ms']}/{quiz['p99_ms']} ms, "
         f"unexpected answers {quiz['unexpected']}",
         f"ratio {quiz['ratio_to_baseline']} (rounds {quiz['ratios_by_round']}; target >= {TARGETS['quiz_ratio']})"),
        ("quiz attempts stored", f"{quiz['attempts_stored']:,}",
         f"of {quiz['answered_with_warm_up']:,} answered", "every submission has a new token"),
        ("class burst of 30", f"{results['burst_30']['all_done_s']} s", f"errors {results['burst_30']['errors']}",
         f"target {TARGETS['burst_30_s']} s"),
        ("class burst of 90", f"{results['burst_90']['all_done_s']} s", f"errors {results['burst_90']['errors']}",
         f"target {TARGETS['burst_90_s']} s"),
        ("class page", f"p95 {results['class_page']['p95_ms']} ms",
         f"{results['class_page']['requests']} requests, unexpected {results['class_page']['unexpected']}",
         f"target p95 < {TARGETS['class_p95_ms']} ms"),
        ("school coverage page", f"p50 {results['school_page']['p50_ms']} ms",
         f"p95 {results['school_page']['p95_ms']} ms", f"{results['school_page']['requests']} requests"),
        ("evidence page", f"p50 {results['evidence_page']['p50_ms']} ms",
         f"p95 {results['evidence_page']['p95_ms']} ms", f"target < {TARGETS['evidence_ms']} ms"),
        ("peak memory per worker", f"{results['worker_peak_mb']} MB", "", f"target < {TARGETS['worker_mb']} MB"),
    ]
    for page, count in results["queries_per_page"].items():
        rows.append((f"queries: {page}", "n/a (page missing)" if count is None else str(count), "",
                     f"target <= {TARGETS['max_queries']}"))
    print(f"\nesafe-learn benchmark, {results['time']}, database {results['database']}, "
          f"connections {results['connections']}")
    for row in rows:
        print(f"{row[0]:<28} {row[1]:<18} {row[2]:<30} {row[3]}")
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2)
    (RESULTS / f"{results['time'].replace(':', '')}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)


if __name__ == "__main__":
    main()
