"""Two-step sign-in: enrolment, the second step, recovery codes, throttling and forced enrolment."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from esafe_learn.auth import mfa
from esafe_learn.auth.models import MfaRecoveryCode, User
from esafe_learn.extensions import db

from ..conftest import DEFAULT_PASSWORD, csrf_token, login

SECRET_FIELD = re.compile(r'name="secret" type="hidden" value="([A-Z2-7]{32})"')


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _password_step(client, user):
    return client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                       "csrf_token": csrf_token(client)})


def _enrol(client, path="/account/two-step/setup"):
    page = client.get(path).get_data(as_text=True)
    secret = SECRET_FIELD.search(page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(path, data={"csrf_token": token, "secret": secret, "code": _code(secret)})
    codes = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>", response.get_data(as_text=True))
    return secret, codes, response


@pytest.fixture
def required(app):
    app.config["MFA_REQUIRED_ROLES"] = ("dsl", "school_admin")


def test_dsl_must_enrol_before_being_signed_in(app, client, make_school, make_user, required):
    school = make_school()
    dsl = make_user(school, "dsl")
    response = _password_step(client, dsl)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step/setup")
    assert client.get("/home").status_code == 302  # not signed in yet
    assert client.get("/concerns/").status_code == 302
    page = client.get("/account/two-step/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "<h1>Set up two-step sign-in</h1>" in page
    secret, codes, response = _enrol(client)
    assert response.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/home").status_code == 200  # now signed in
    with app.app_context():
        user = db.session.get(User, dsl.id)
        assert user.mfa_enabled and user.mfa_secret == secret
        hashes = [row.code_hash for row in db.session.scalars(db.select(MfaRecoveryCode))]
        assert len(hashes) == 10 and not any(code in h for code in codes for h in hashes)


def test_second_step_totp_recovery_and_replay(app, make_school, make_user, required):
    school = make_school()
    dsl = make_user(school, "dsl")
    first = app.test_client()
    _password_step(first, dsl)
    secret, codes, _ = _enrol(first)

    client = app.test_client()
    response = _password_step(client, dsl)
    assert response.headers["Location"].endswith("/login/two-step")
    assert client.get("/home").status_code == 302
    token = csrf_token(client, "/login/two-step")
    wrong = client.post("/login/two-step", data={"csrf_token": token, "code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert client.get("/home").status_code == 302
    # the code used at enrolment cannot be used again; the next one can
    replay = client.post("/login/two-step", data={"csrf_token": token, "code": _code(secret)})
    assert "That code is not right" in replay.get_data(as_text=True)
    ok = client.post("/login/two-step", data={"csrf_token": token, "code": _code(secret, 30)})
    assert ok.status_code == 302 and client.get("/home").status_code == 200

    third = app.test_client()
    _password_step(third, dsl)
    token = csrf_token(third, "/login/two-step")
    assert third.post("/login/two-step", data={"csrf_token": token, "code": codes[0].upper()}).status_code == 302
    assert third.get("/home").status_code == 200
    fourth = app.test_client()
    _password_step(fourth, dsl)
    token = csrf_token(fourth, "/login/two-step")
    again = fourth.post("/login/two-step", data={"csrf_token": token, "code": codes[0]})
    assert again.status_code == 200 and fourth.get("/home").status_code == 302  # single use


def test_wrong_codes_are_throttled(app, client, make_school, make_user):
    school = make_school()
    teacher = make_user(school, "teacher")
    with app.app_context():
        user = db.session.get(User, teacher.id)
        secret = mfa.new_secret()
        mfa.enable(user, secret, _code(secret, -30))
        db.session.commit()
    _password_step(client, teacher)
    token = csrf_token(client, "/login/two-step")
    for _ in range(app.config["SIGNIN_FAILURES_ALLOWED"]):
        client.post("/login/two-step", data={"csrf_token": token, "code": "123456"})
    blocked = client.post("/login/two-step", data={"csrf_token": token, "code": _code(secret)})
    assert blocked.status_code == 429 and "Too many wrong codes" in blocked.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_pending_second_step_expires(app, client, make_school, make_user, required):
    school = make_school()
    admin = make_user(school, "school_admin")
    app.config["MFA_PENDING_MINUTES"] = 0
    _password_step(client, admin)
    time.sleep(1.1)
    assert client.get("/account/two-step/setup").headers["Location"].endswith("/login")


def test_teachers_are_offered_not_forced(app, client, make_school, make_user, required):
    school = make_school()
    teacher = make_user(school, "teacher")
    login(client, teacher)
    assert client.get("/home").status_code == 200
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "Two-step sign-in is off" in page
    _, codes, response = _enrol(client)
    assert len(codes) == 10
    assert "Two-step sign-in is on" in client.get("/account/two-step").get_data(as_text=True)


def test_signed_in_admin_without_mfa_is_sent_to_enrol(app, client, make_school, make_user):
    school = make_school()
    admin = make_user(school, "school_admin")
    login(client, admin)  # MFA not required yet
    app.config["MFA_REQUIRED_ROLES"] = ("school_admin",)
    response = client.get("/school/staff")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step/setup")


def test_pupils_are_not_offered(app, client, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil")
    login(client, pupil)
    assert client.get("/account/two-step/setup").status_code == 403


def test_bad_enrolment_code_keeps_the_same_key(app, client, make_school, make_user):
    school = make_school()
    teacher = make_user(school, "teacher")
    login(client, teacher)
    page = client.get("/account/two-step/setup").get_data(as_text=True)
    secret = SECRET_FIELD.search(page).group(1)
    response = client.post("/account/two-step/setup", data={"csrf_token": csrf_token(client, "/account/two-step"),
                                                             "secret": secret, "code": "abc"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "That code is not right" in body and secret in body
    with app.app_context():
        assert not db.session.get(User, teacher.id).mfa_enabled


def test_environment_sets_required_roles(monkeypatch, tmp_path):
    from esafe_learn.config import load_config

    monkeypatch.setenv("ESAFE_MFA_REQUIRED_ROLES", "")
    assert load_config(str(tmp_path))["MFA_REQUIRED_ROLES"] == ()
    monkeypatch.delenv("ESAFE_MFA_REQUIRED_ROLES")
    assert load_config(str(tmp_path))["MFA_REQUIRED_ROLES"] == ("dsl", "school_admin")


def test_demo_dsl_sign_in_leads_to_enrolment(app, runner, client, required):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in is required for: dsl, school_admin" in result.output
    line = next(line for line in result.output.splitlines() if "demo-dsl" in line)
    username, password = line.split()[-2:]
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step/setup")
    assert "Set up two-step sign-in" in client.get("/account/two-step/setup").get_data(as_text=True)


def test_school_admin_resets_a_colleagues_two_step(app, make_school, make_user):
    school = make_school()
    admin = make_user(school, "school_admin")
    teacher = make_user(school, "teacher")
    with app.app_context():
        user = db.session.get(User, teacher.id)
        secret = mfa.new_secret()
        mfa.enable(user, secret, _code(secret))
        db.session.commit()
    teacher_client = app.test_client()
    _password_step(teacher_client, teacher)
    client = app.test_client()
    login(client, admin)
    page = client.get(f"/school/staff/{teacher.id}").get_data(as_text=True)
    assert "Turn off two-step sign-in" in page
    response = client.post(f"/account/staff/{teacher.id}/two-step/reset",
                           data={"csrf_token": csrf_token(client, "/home")})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, teacher.id)
        assert not user.mfa_enabled and user.mfa_secret is None
        assert db.session.scalar(db.select(db.func.count()).select_from(MfaRecoveryCode)) == 0
    # a pupil cannot be "reset", and another school's admin gets 404
    other = make_user(make_school("Elm"), "school_admin")
    other_client = app.test_client()
    login(other_client, other)
    assert other_client.post(f"/account/staff/{teacher.id}/two-step/reset",
                             data={"csrf_token": csrf_token(other_client, "/home")}).status_code == 404


def test_operator_resets_two_step_from_the_command_line(app, runner, make_school, make_user):
    admin = make_user(make_school(), "school_admin")
    with app.app_context():
        user = db.session.get(User, admin.id)
        secret = mfa.new_secret()
        mfa.enable(user, secret, _code(secret))
        db.session.commit()
    result = runner.invoke(args=["reset-two-step", admin.username.upper()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not db.session.get(User, admin.id).mfa_enabled
    assert runner.invoke(args=["reset-two-step", "nobody"]).exit_code != 0
