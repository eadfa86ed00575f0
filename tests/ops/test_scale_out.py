"""Two app server processes (gunicorn, 2 workers each) on one PostgreSQL database, as a local authority
runs them behind a load balancer: sessions work on either, logout ends them on both, and 300 quiz
submissions from concurrent pupils, some sent to both servers at once, are each stored exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress
from esafe_learn.quizzes.models import MisconceptionChoice, QuizAttempt

from ..pg import PostgresLeg
from .live import (
    AppServer,
    WebClient,
    build_school,
    hidden_value,
    new_secret,
    quiz_fields,
    random_address,
    redis_url,
    server_env,
    start_servers,
    stop_servers,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]

PUPILS = 20
TRIES_EACH = 15  # 20 x 15 = 300 submissions
DUPLICATE_EVERY = 5  # every 5th submission is also sent to the other server at the same moment
JOIN_TIMEOUT = 180
SIGNIN_LIMIT = "10 per minute"  # per client address, as the load balancer reports it (ESAFE_TRUSTED_PROXIES=1)


@pytest.fixture(scope="module")
def stack(postgres_leg, tmp_path_factory):
    """A fresh database, a school of pupils, and two app servers sharing the database and the secret key."""
    folder = tmp_path_factory.mktemp("scale-out")
    database = PostgresLeg(postgres_leg.admin_url.render_as_string(hide_password=False))
    database.create()
    servers: list[AppServer] = []
    school = None
    try:
        school = build_school(database.url, folder, PUPILS + 1)
        env = server_env(database.url, new_secret(), folder)
        env |= {"ESAFE_TRUSTED_PROXIES": "1", "ESAFE_RATELIMIT_ENABLED": "1", "ESAFE_SIGNIN_RATE_LIMIT": SIGNIN_LIMIT}
        if redis_url():
            env["REDIS_URL"] = redis_url()
        servers = [AppServer(env, folder / f"gunicorn-{name}.log") for name in ("a", "b")]
        start_servers(servers)
        yield school, servers
    finally:
        stop_servers(servers)
        if school is not None:
            with school.app.app_context():
                db.session.remove()
                db.engine.dispose()
        database.drop()


def test_a_session_signed_in_on_one_server_is_valid_on_the_other_and_logout_ends_it_on_both(stack):
    school, (a, b) = stack
    _id, username = school.pupils[-1]  # a pupil the other test leaves alone
    browser = WebClient(address=random_address())
    browser.sign_in(a.url, username)
    on_b = browser.get(f"{b.url}/home")
    assert on_b.status == 200 and f"Pupil {len(school.pupils) - 1}" in on_b.text
    copied = browser.copy()  # the same cookie in another tab, or in the wrong hands
    assert copied.get(f"{a.url}/home").status == 200

    signed_out = browser.sign_out(b.url)
    assert signed_out.status == 302 and signed_out.location.endswith("/login")
    for server in (a, b):
        for client in (browser, copied):
            response = client.get(f"{server.url}/home")
            assert response.status == 302 and "/login" in response.location, (server.url, response.status)


def _post_into(browser: WebClient, url: str, fields: list, responses: list) -> None:
    responses.append(browser.post(url, fields))


def _pupil_run(school, servers, number: int) -> list[dict]:
    """One pupil: sign in, then TRIES_EACH quizzes, each page from one server and sent to the other."""
    _pupil_id, username = school.pupils[number]
    browser = WebClient(address=random_address())
    browser.sign_in(servers[number % 2].url, username)
    sent = []
    for attempt in range(TRIES_EACH):
        page_server, post_server = servers[(number + attempt) % 2], servers[(number + attempt + 1) % 2]
        page = browser.get(f"{page_server.url}/lessons/{school.lesson_id}/quiz")
        assert page.status == 200, (page.status, page.text[:300])
        pick = "wrong" if attempt % 3 == 0 else "right"
        fields = quiz_fields(page.text, school.wrong if pick == "wrong" else school.right)
        url = f"{post_server.url}/lessons/{school.lesson_id}/quiz"
        responses = []
        if attempt % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:  # a double click reaching both servers at once
            twin_url = f"{page_server.url}/lessons/{school.lesson_id}/quiz"
            twin = threading.Thread(target=_post_into, args=(browser, twin_url, fields, responses))
            twin.start()
            responses.append(browser.post(url, fields))
            twin.join(timeout=60)
            assert not twin.is_alive(), "a request did not finish within 60 s"
        else:
            responses.append(browser.post(url, fields))
        token = dict(fields)["attempt_token"]
        sent.append({"pupil": number, "token": token, "pick": pick, "responses": responses})
    return sent


def test_300_concurrent_quiz_submissions_across_two_servers_are_each_stored_once(stack):
    school, servers = stack
    with ThreadPoolExecutor(max_workers=PUPILS) as pool:
        futures = [pool.submit(_pupil_run, school, servers, number) for number in range(PUPILS)]
        runs = [future.result(timeout=JOIN_TIMEOUT) for future in futures]
    sent = [submission for run in runs for submission in run]

    assert len(sent) == PUPILS * TRIES_EACH == 300
    statuses = Counter(r.status for s in sent for r in s["responses"])
    assert statuses == Counter({302: 300 + 300 // DUPLICATE_EVERY}), statuses  # no 500, no 503
    for submission in sent:
        locations = {r.location for r in submission["responses"]}
        assert len(locations) == 1 and "/attempts/" in locations.pop()  # both copies show the same attempt

    app = school.app
    pupil_ids = [pupil_id for pupil_id, _ in school.pupils[:PUPILS]]
    wrong_tries = sum(1 for s in sent if s["pick"] == "wrong")
    with app.app_context():
        tokens = list(db.session.scalars(select(QuizAttempt.attempt_token)))
        assert len(tokens) == 300 and set(tokens) == {s["token"] for s in sent}
        per_pupil = dict(db.session.execute(
            select(QuizAttempt.user_id, func.count()).group_by(QuizAttempt.user_id)).all())
        assert per_pupil == {pupil_id: TRIES_EACH for pupil_id in pupil_ids}
        progress = db.session.scalars(select(LessonProgress)).all()
        assert sorted(p.user_id for p in progress) == sorted(pupil_ids)  # one row each, none lost or doubled
        assert all(p.attempts == TRIES_EACH and p.best_score == 100 and p.completed_at for p in progress)
        misconceptions = db.session.scalar(select(func.count(MisconceptionChoice.id)))
        assert misconceptions == wrong_tries * school.tags_per_wrong_try
        if "badges" in app.blueprints:
            _assert_each_badge_awarded_once(pupil_ids)
    for server in servers:
        log = server.log()
        assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]


def _assert_each_badge_awarded_once(pupil_ids: list[int]) -> None:
    from esafe_learn.badges.models import BadgeAward
    from esafe_learn.content.models import PackBadge

    rows = db.session.execute(select(BadgeAward.user_id, PackBadge.slug).join(PackBadge)).all()
    assert len(rows) == len(set(rows)), Counter(rows).most_common(3)  # never twice
    held = {pupil_id: {slug for user_id, slug in rows if user_id == pupil_id} for pupil_id in pupil_ids}
    for pupil_id in pupil_ids:  # every pupil completed the lesson, so earned these on one of the servers
        assert {"first-steps", "private-things-expert"} <= held[pupil_id], held[pupil_id]


def test_the_sign_in_rate_limit_is_shared_by_both_servers_through_redis(stack):
    _school, (a, b) = stack
    if not redis_url():
        pytest.skip("no Redis answers on 127.0.0.1:6379: without REDIS_URL each process counts on its own")
    browser = WebClient(address=random_address())  # one school's address, behind the load balancer
    limit = int(SIGNIN_LIMIT.split()[0])
    for attempt in range(limit):
        server = (a, b)[attempt % 2]
        page = browser.get(f"{server.url}/login")
        tried = browser.post(f"{server.url}/login", [("csrf_token", hidden_value(page.text, "csrf_token")),
                                                     ("username", f"nobody-{attempt}"), ("password", "wrong one")])
        assert tried.status == 200 and "Check them and try again" in tried.text
    for server in (a, b):
        page = browser.get(f"{server.url}/login")
        over = browser.post(f"{server.url}/login", [("csrf_token", hidden_value(page.text, "csrf_token")),
                                                    ("username", "nobody-else"), ("password", "wrong one")])
        assert over.status == 429 and "Too many tries" in over.text
    elsewhere = WebClient(address=random_address())  # another school is not held up
    page = elsewhere.get(f"{b.url}/login")
    assert page.status == 200
