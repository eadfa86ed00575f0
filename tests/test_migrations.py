"""Migrations build the whole schema from empty, on SQLite and PostgreSQL, with no drift from the models."""

from __future__ import annotations

import pytest
from flask_migrate import check, upgrade
from sqlalchemy import inspect

from esafe_learn import create_app
from esafe_learn.extensions import db

from .conftest import base_config, database_legs


@pytest.fixture(params=database_legs())
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    else:
        leg = request.getfixturevalue("postgres_leg")
        from .pg import PostgresLeg

        fresh = PostgresLeg(leg.admin_url.render_as_string(hide_password=False))
        fresh.create()
        request.addfinalizer(fresh.drop)
        uri = fresh.url
    app = create_app(base_config(uri, tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_from_empty_to_head_has_no_drift(empty_app, capsys):
    with empty_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} <= tables
        check()  # raises if the models and the migrations differ
    assert "New upgrade operations detected" not in capsys.readouterr().out


def test_cli_db_upgrade_is_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
