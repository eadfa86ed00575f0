"""The esafe-learn commands."""

from __future__ import annotations

from sqlalchemy import func, select

from esafe_learn.auth.models import User
from esafe_learn.extensions import db
from esafe_learn.schools.models import School, SchoolClass
from esafe_learn.schools.yeargroups import band_for_year


def test_create_school_and_users(app, runner):
    result = runner.invoke(args=["create-school", "--name", "Elm Academy", "--slug", "elm"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["create-school", "--name", "Elm Again", "--slug", "elm"])
    assert again.exit_code != 0 and "already exists" in again.output
    result = runner.invoke(args=["create-user", "--school", "elm", "--username", "t.one", "--name", "Mr One",
                                 "--role", "teacher", "--password", "a long enough passphrase"])
    assert result.exit_code == 0, result.output
    weak = runner.invoke(args=["create-user", "--school", "elm", "--username", "t.two", "--name", "Mr Two",
                               "--role", "teacher", "--password", "password1"])
    assert weak.exit_code != 0 and "common" in weak.output
    missing = runner.invoke(args=["create-user", "--school", "nope", "--username", "t.three", "--name", "X",
                                  "--role", "teacher", "--password", "a long enough passphrase"])
    assert missing.exit_code != 0 and "No school" in missing.output
    operator = runner.invoke(args=["create-user", "--username", "la.operator", "--name", "LA",
                                   "--role", "deployment_admin", "--password", "a long enough passphrase"])
    assert operator.exit_code == 0, operator.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "t.one")).role == "teacher"
        assert db.session.scalar(select(User).where(User.username == "la.operator")).school_id is None


def test_demo_builds_every_role_and_all_bands_and_rebuilds(app, runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "http://127.0.0.1:5000/" in first.output
    for label in ("Deployment admin", "School admin", "Safeguarding lead", "Teacher", "Online Leader", "Pupil",
                  "QR card"):
        assert label in first.output
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(School.id))) == 1
        classes = db.session.scalars(select(SchoolClass)).all()
        assert {c.working_at_band or band_for_year(c.year_group) for c in classes} == {"4-7", "7-11", "11-14",
                                                                                       "14-18"}
        leaders = db.session.scalar(select(func.count(User.id)).where(User.is_online_leader.is_(True)))
        assert leaders == 2
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"pupil", "teacher", "dsl", "school_admin", "deployment_admin"}


def test_demo_sign_in_printed_works(app, runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    line = next(line for line in result.output.splitlines() if "demo-dsl" in line)
    username, password = line.split()[-2:]
    client = app.test_client()
    from .conftest import csrf_token

    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert "Safeguarding lead" in client.get("/home").get_data(as_text=True)
