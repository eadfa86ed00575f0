"""A badge is awarded at most once per pupil, also when threads or app processes race to award it."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from esafe_learn import create_app
from esafe_learn.auth.models import User
from esafe_learn.badges import services
from esafe_learn.badges.models import SchoolBadge
from esafe_learn.database import write_intent
from esafe_learn.extensions import db

from .helpers import award_count, complete, make_pack, school_badge

WORKERS = 6


def test_a_badge_is_awarded_at_most_once_even_after_revoking(app, make_school, make_user):
    school = make_school()
    pupil, teacher = make_user(school, "pupil"), make_user(school, "teacher")
    badge_id = school_badge(app, school)
    with app.app_context():
        p, t = db.session.get(User, pupil.id), db.session.get(User, teacher.id)
        b = db.session.get(SchoolBadge, badge_id)
        first = services.award_badge(p, b, awarded_by=t, reason="Kind")
        assert first is not None and len(first.public_id) == 36 and len(first.salt) == 32
        assert services.award_badge(p, b, awarded_by=t, reason="Again") is None
        services.revoke_award(first, t, services.REVOCATION_REASONS[0])
        assert services.award_badge(p, b, awarded_by=t, reason="Once more") is None
        db.session.commit()
    assert award_count(app) == 1


def _load(pupil_id: int, badge_id: int):
    """Load the pupil and badge, then leave the session so the award starts a transaction of its own."""
    pupil, badge = db.session.get(User, pupil_id), db.session.get(SchoolBadge, badge_id)
    db.session.expunge_all()
    db.session.rollback()
    return pupil, badge


def _award_at_once(pupil, badge, barrier) -> bool:
    token = write_intent.set(True)  # as in a POST request: SQLite transactions begin IMMEDIATE
    try:
        barrier.wait(timeout=30)
        award = services.award_badge(pupil, badge, evidence={"staff": True}, reason="Race")
        db.session.commit()
        return award is not None
    finally:
        write_intent.reset(token)


def test_threads_racing_award_it_once(app, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil")
    badge_id = school_badge(app, school)
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                pupil_obj, badge = _load(pupil.id, badge_id)
                results.append(_award_at_once(pupil_obj, badge, barrier))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    assert award_count(app) == 1


def _process_worker(uri: str, pupil_id: int, badge_id: int, barrier, queue) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "race-" + "x" * 40,
                      "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            pupil, badge = _load(pupil_id, badge_id)
            queue.put(_award_at_once(pupil, badge, barrier))
            db.engine.dispose()
    except Exception as error:  # noqa: BLE001
        queue.put(repr(error))


@pytest.mark.slow
def test_app_processes_racing_award_it_once(app, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil")
    badge_id = school_badge(app, school)
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(4), context.Queue()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [context.Process(target=_process_worker, args=(uri, pupil.id, badge_id, barrier, queue))
                 for _ in range(4)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(results, key=str) == [False, False, False, True]
    assert award_count(app) == 1


def test_racing_lesson_events_award_an_automatic_badge_once(app, make_school, make_user, make_class):
    school = make_school()
    pupil = make_user(school, "pupil", year_group=5)
    make_class(school, "5C", 5, pupils=[pupil])
    pack = make_pack(app, [{"slug": "a", "strand": "online-bullying", "ages": ["7-11"]}],
                     [{"slug": "first", "criteria": {"kind": "first-lesson"}}])
    complete(app, pupil, pack.lessons["a"])
    barrier = threading.Barrier(WORKERS)
    new, errors = [], []

    def work():
        try:
            with app.app_context():
                user = db.session.get(User, pupil.id)
                db.session.expunge_all()
                db.session.rollback()
                token = write_intent.set(True)
                try:
                    barrier.wait(timeout=30)
                    new.extend(services.check_automatic(user, pack_ids=[pack.id]))
                    db.session.commit()
                finally:
                    write_intent.reset(token)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(new) == 1
    assert award_count(app) == 1
