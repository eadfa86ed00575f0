"""Security events are logged as JSON in UTC, and no password, token or cookie ever reaches the log."""

from __future__ import annotations

import json
import logging

from .conftest import DEFAULT_PASSWORD, csrf_token, login, post


def _events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "esafe_learn.security"]


def test_sign_in_refusals_and_role_changes_are_logged_without_secrets(app, client, make_school, make_user,
                                                                       caplog):
    caplog.set_level(logging.INFO, logger="esafe_learn.security")
    school = make_school()
    admin = make_user(school, "school_admin")
    pupil = make_user(school, "pupil")
    client.post("/login", data={"username": admin.username, "password": "wrong guess here",
                                "csrf_token": csrf_token(client)})
    login(client, admin)
    post(client, f"/school/pupils/{pupil.id}/leader")
    pupil_client = app.test_client()
    login(pupil_client, pupil)
    assert pupil_client.get("/school/staff").status_code == 403
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="esafe.test").value

    events = _events(caplog)
    names = [e["event"] for e in events]
    for expected in ("authn_login_fail", "authn_login_success", "authz_role_change", "authz_fail"):
        assert expected in names
    assert all(e["time"].endswith("+00:00") for e in events)
    text = caplog.text
    for secret in (DEFAULT_PASSWORD, "wrong guess here", cookie):
        assert secret not in text
