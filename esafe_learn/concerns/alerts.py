"""Tell the safeguarding leads at once that a concern is waiting: an email that never carries its content.

Called after the commit, so a mail failure never loses the concern; a failure is logged (ids only).
"""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..links import public_url
from ..mail import mail_configured, send_mail
from ..schools.models import School
from ..security_log import log_event
from .services import safeguarding_lead_emails

SUBJECT = "A new concern is waiting on esafe-learn"


def alert_body(school_name: str, url: str) -> str:
    return (
        f"A new safeguarding concern has been raised at {school_name} and is waiting for you.\n\n"
        f"Sign in to esafe-learn to read it: {url}\n\n"
        "This email does not contain the concern. Please do not reply to it.\n"
    )


def alert_safeguarding_leads(school_id: int, concern_id: int) -> int:
    """Email each of the school's safeguarding leads who gave an address; returns how many were sent."""
    config = current_app.config
    if not mail_configured(config):
        return 0
    addresses = safeguarding_lead_emails(school_id)
    if not addresses:
        log_event("concern_alert_no_address", school_id=school_id, concern_id=concern_id)
        return 0
    school = db.session.get(School, school_id)
    body = alert_body(school.name if school else "your school", public_url("concerns.index"))
    # The concern is committed; end this read so no database lock is held while the mail server answers.
    db.session.rollback()
    sent = 0
    for address in addresses:
        try:
            send_mail(config, [address], SUBJECT, body)
        except Exception as error:  # SMTP, socket, TLS or encoding: the concern is saved whatever happens here
            log_event("concern_alert_failed", school_id=school_id, concern_id=concern_id,
                      error=type(error).__name__)
        else:
            sent += 1
    if sent:
        log_event("concern_alert_sent", school_id=school_id, concern_id=concern_id, recipients=sent)
    return sent
