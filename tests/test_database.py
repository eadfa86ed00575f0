"""PostgreSQL connections: page views read without a transaction (no BEGIN and ROLLBACK round trips);
forms, page views that write and work outside requests keep their transactions."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from esafe_learn.extensions import db

from .conftest import any_csrf_token, login

ON_POSTGRESQL = [pytest.param("postgresql", marks=pytest.mark.postgresql)]


@contextmanager
def autocommit_per_statement(app):
    """(statement, whether its connection was in autocommit) for every statement the app sends."""
    seen: list[tuple[str, bool]] = []
    with app.app_context():
        engine = db.engine

    def record(conn, _cursor, statement, *_args):
        seen.append((statement, conn.connection.dbapi_connection.autocommit))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("app", ON_POSTGRESQL, indirect=True)
def test_page_views_read_in_autocommit_and_forms_write_in_a_transaction(app, client, make_school, make_user):
    school = make_school()
    login(client, make_user(school, "school_admin"))
    client.get("/home")

    with autocommit_per_statement(app) as reads:
        assert client.get("/school/classes").status_code == 200
    assert reads and all(autocommit for _statement, autocommit in reads), reads

    form = {"name": "4B", "year_group": "4", "working_at_band": "", "csrf_token": any_csrf_token(client)}
    with autocommit_per_statement(app) as writes:
        response = client.post("/school/classes", data=form)
    assert response.status_code == 302
    assert writes and not any(autocommit for _statement, autocommit in writes), writes


@pytest.mark.parametrize("app", ON_POSTGRESQL, indirect=True)
def test_a_page_view_that_writes_an_audit_row_does_so_in_a_transaction(app, client, make_school, make_user):
    from .concerns.helpers import add_concern

    school = make_school()
    concern = add_concern(app, make_user(school, "pupil", year_group=5))
    login(client, make_user(school, "dsl"))
    client.get("/home")

    with autocommit_per_statement(app) as seen:
        assert client.get(f"/concerns/{concern.id}").status_code == 200
    audit = [autocommit for statement, autocommit in seen if "INSERT INTO concern_audit" in statement]
    assert audit and not any(audit), seen


@pytest.mark.parametrize("app", ON_POSTGRESQL, indirect=True)
def test_work_outside_a_request_keeps_its_transaction(app, make_school):
    from esafe_learn.schools.models import School

    with app.app_context():
        db.session.add(School(name="Rolled back", slug="rolled-back"))
        db.session.flush()
        assert db.session.connection().connection.dbapi_connection.autocommit is False
        db.session.rollback()
        assert db.session.scalar(select(School).where(School.slug == "rolled-back")) is None
