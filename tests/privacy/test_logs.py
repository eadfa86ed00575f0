"""A full journey's log output holds no password, token, cookie, code or concern text."""

from __future__ import annotations

import logging
import re
import time

import pyotp

from esafe_learn.concerns.models import Concern
from esafe_learn.extensions import db

from ..conftest import DEFAULT_PASSWORD, any_csrf_token, csrf_token, login, post

WORRY = "A man on the game asked for my address zebra-quartz-91"
WRONG = "wrong-password-kestrel-44"
NEW_PASSWORD = "new password lantern harbour 77"


def test_logs_hold_no_secrets_or_concern_text(app, make_school, make_user, make_class, caplog):
    caplog.set_level(logging.DEBUG)
    app.config["MFA_REQUIRED_ROLES"] = ("dsl", "school_admin")
    school = make_school()
    pupil = make_user(school, "pupil")
    dsl = make_user(school, "dsl")
    teacher = make_user(school, "teacher")
    admin = make_user(school, "school_admin")
    make_class(school, "5B", teachers=[teacher], pupils=[pupil])
    secrets_seen: list[str] = [DEFAULT_PASSWORD, WRONG, NEW_PASSWORD, WORRY]

    # a pupil: a wrong password, then signs in and sends a worry
    pupil_client = app.test_client()
    pupil_client.post("/login", data={"username": pupil.username, "password": WRONG,
                                      "csrf_token": csrf_token(pupil_client)})
    login(pupil_client, pupil)
    sent = post(pupil_client, "/worry", {"choice": "stranger", "words": WORRY, "about": "me", "told_adult": "yes"})
    assert sent.status_code == 302

    # the DSL: password, forced enrolment (QR page), recovery codes, reads the concern, exports it
    dsl_client = app.test_client()
    dsl_client.post("/login", data={"username": dsl.username, "password": DEFAULT_PASSWORD,
                                    "csrf_token": csrf_token(dsl_client)})
    page = dsl_client.get("/account/two-step/setup").get_data(as_text=True)
    secret = re.search(r'name="secret" type="hidden" value="([A-Z2-7]{32})"', page).group(1)
    code = pyotp.TOTP(secret).now()
    setup = "/account/two-step/setup"
    done = dsl_client.post(setup, data={"csrf_token": csrf_token(dsl_client, setup), "secret": secret, "code": code})
    codes = re.findall(r"<code>([a-z2-9-]{19})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    secrets_seen += [secret, code, *codes]
    with app.app_context():
        concern_id = db.session.scalar(db.select(Concern.id))
    assert WORRY in dsl_client.get(f"/concerns/{concern_id}").get_data(as_text=True)
    export = post(dsl_client, f"/privacy/subject-access/{pupil.id}", {"include_concerns": "y"})
    assert export.status_code == 200

    # a second DSL sign-in with a wrong code, then a recovery code
    again = app.test_client()
    again.post("/login", data={"username": dsl.username, "password": DEFAULT_PASSWORD,
                               "csrf_token": csrf_token(again)})
    token = csrf_token(again, "/login/two-step")
    again.post("/login/two-step", data={"csrf_token": token, "code": "000000"})
    assert again.post("/login/two-step", data={"csrf_token": token, "code": codes[1]}).status_code == 302

    # a teacher changes their password; the admin re-authenticates
    teacher_client = app.test_client()
    login(teacher_client, teacher)
    post(teacher_client, "/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    admin_client = app.test_client()
    admin_client.post("/login", data={"username": admin.username, "password": DEFAULT_PASSWORD,
                                      "csrf_token": csrf_token(admin_client)})
    secret2 = re.search(r'value="([A-Z2-7]{32})"', admin_client.get("/account/two-step/setup").get_data(as_text=True))
    admin_client.post(setup, data={"csrf_token": csrf_token(admin_client, setup), "secret": secret2.group(1),
                                   "code": pyotp.TOTP(secret2.group(1)).now()})
    secrets_seen.append(secret2.group(1))
    post(admin_client, "/account/confirm", {"password": DEFAULT_PASSWORD})
    post(admin_client, "/account/confirm", {"password": WRONG})

    # cookies and CSRF tokens of every client
    for client in (pupil_client, dsl_client, again, teacher_client, admin_client):
        cookie = client.get_cookie("esafe_session")
        if cookie is not None:
            secrets_seen.append(cookie.value)
            secrets_seen += [part for part in cookie.value.split(".") if len(part) > 16]
        secrets_seen.append(any_csrf_token(client))

    time.sleep(0)  # every request has finished and logged
    output = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert "authn_login_success" in output and "authn_mfa_fail" in output and "subject_access_export" in output
    leaked = [secret for secret in secrets_seen if secret and secret in output]
    assert leaked == []
    assert not re.search(r"(?i)password[\"']?\s*[:=]\s*[\"'][^\"']", output)
