"""Every state-changing route refuses a request without a CSRF token, and changes nothing."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from esafe_learn.extensions import db

from .access_table import ACCESS
from .conftest import login
from .test_access import _url, build_world

STATE_CHANGING = sorted({endpoint for endpoint, method in ACCESS if method != "GET"})


def fingerprint(app) -> str:
    """A digest of every row of every table."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(repr((table.name, [tuple(row) for row in rows])).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("endpoint", STATE_CHANGING)
def test_post_without_csrf_token_is_refused(app, make_school, make_user, make_class, endpoint):
    world = build_world(make_school, make_user, make_class, "A", app)
    world["deployment_admin"] = make_user(None, "deployment_admin")
    client = app.test_client()
    user = world["deployment_admin"] if endpoint.startswith("admin.") else world["school_admin"]
    login(client, user)
    url = _url(app, endpoint, world)
    before = fingerprint(app)
    response = client.post(url, data={"name": "New class", "year_group": "3", "qr_signin_enabled": "y",
                                      "new_password": "a fine new password", "username": "x"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert fingerprint(app) == before
