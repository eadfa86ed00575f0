from __future__ import annotations

import pytest

from .smtp import SMTPServer


@pytest.fixture
def smtp_server(app):
    """A local SMTP server, and the app configured to send through it."""
    with SMTPServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME="",
                          MAIL_FROM="alerts@esafe.test")
        yield server
        app.config.update(MAIL_SERVER="")


@pytest.fixture
def world(make_school, make_user, make_class):
    school = make_school("Oak Primary")
    pupil = make_user(school, "pupil", name="Pip Pupil", year_group=3)
    world = {
        "school": school, "pupil": pupil,
        "other_pupil": make_user(school, "pupil", name="Olive Other", year_group=3),
        "leader": make_user(school, "pupil", name="Lena Leader", year_group=6, leader=True),
        "teacher": make_user(school, "teacher", name="Ms Teach", supervises=True),
        "dsl": make_user(school, "dsl", name="Mrs Safe"),
        "deputy": make_user(school, "dsl", name="Mr Deputy"),
        "school_admin": make_user(school, "school_admin", name="Mr Admin"),
        "deployment_admin": make_user(None, "deployment_admin"),
    }
    make_class(school, "3P", 3, teachers=[world["teacher"]], pupils=[pupil, world["other_pupil"]])
    return world
