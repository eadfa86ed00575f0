"""Several processes writing to the embedded SQLite database at once: none sees "database is locked"."""

from __future__ import annotations

import multiprocessing
import traceback

from sqlalchemy import func, select

from esafe_learn import create_app
from esafe_learn.extensions import db
from esafe_learn.schools.models import SchoolClass

from .conftest import DEFAULT_PASSWORD, base_config, csrf_token

WRITERS = 8
CLASSES_EACH = 15


def _writer(config: dict, username: str, number: int, results) -> None:
    try:
        app = create_app(config)
        client = app.test_client()
        client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD,
                                    "csrf_token": csrf_token(client)})
        statuses = []
        for index in range(CLASSES_EACH):
            token = csrf_token(client, "/school/classes")
            response = client.post("/school/classes", data={"name": f"W{number}-{index}", "year_group": "4",
                                                            "working_at_band": "", "csrf_token": token})
            statuses.append(response.status_code)
        results.put((number, statuses, None))
    except Exception:  # reported to the parent, which fails the test with it
        results.put((number, [], traceback.format_exc()))


def test_eight_processes_write_at_once_without_locking_errors(tmp_path, make_school, make_user, app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        import pytest

        pytest.skip("this test is about the embedded SQLite database")
    admin = make_user(make_school(), "school_admin")
    config = base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_writer, args=(config, admin.username, n, results)) for n in range(WRITERS)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    errors = [error for _, _, error in outcomes if error]
    assert errors == []
    assert all(statuses == [302] * CLASSES_EACH for _, statuses, _ in outcomes)
    with app.app_context():
        assert db.session.scalar(select(func.count(SchoolClass.id))) == WRITERS * CLASSES_EACH
