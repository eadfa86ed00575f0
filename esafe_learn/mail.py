"""Plain-text email through SMTP, when the operator set MAIL_SERVER; nothing is sent otherwise."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 10


def mail_configured(app_config: Mapping) -> bool:
    return bool(app_config.get("MAIL_SERVER"))


def send_mail(app_config: Mapping, to: list[str], subject: str, body: str) -> bool:
    """Send one message to `to`; False when mail is not configured. SMTP and socket errors propagate."""
    if not mail_configured(app_config) or not to:
        return False
    message = EmailMessage()
    message["From"] = app_config.get("MAIL_FROM") or "esafe-learn@localhost"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(app_config["MAIL_SERVER"], int(app_config.get("MAIL_PORT") or 25),
                      timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if app_config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if app_config.get("MAIL_USERNAME"):
            smtp.login(app_config["MAIL_USERNAME"], app_config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    return True
