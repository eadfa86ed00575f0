"""An account disabled or a pupil archived: all their sessions end at once, on every device."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafe_learn.auth.models import User, UserSession
from esafe_learn.auth.services import disable_account
from esafe_learn.extensions import db
from esafe_learn.schools.services import archive_user

from ..conftest import login


@pytest.mark.parametrize("action", [archive_user, disable_account], ids=["archived", "disabled"])
def test_every_session_ends_at_once(app, make_school, make_user, action):
    school = make_school()
    pupil = make_user(school, "pupil")
    devices = [app.test_client() for _ in range(3)]
    for device in devices:
        login(device, pupil)
        assert device.get("/home").status_code == 200
    with app.app_context():
        action(db.session.get(User, pupil.id))
        db.session.commit()
        live = db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == pupil.id, UserSession.ended_at.is_(None)))
        assert live == 0
    for device in devices:
        response = device.get("/home")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
