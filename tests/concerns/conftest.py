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
