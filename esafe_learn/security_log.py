"""Structured security events (OWASP logging vocabulary), one JSON object per line, in UTC.

Never pass passwords, tokens, cookies or free text a user wrote: only ids and event names.
"""

from __future__ import annotations

import json
import logging

from .timeutil import utcnow

logger = logging.getLogger("esafe_learn.security")


def init_app(app) -> None:
    """Security events go to standard error as JSON lines unless the operator set up logging."""
    logger.setLevel(logging.INFO)
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def log_event(event: str, **fields: object) -> None:
    record = {"time": utcnow().isoformat(), "event": event}
    record.update({key: value for key, value in fields.items() if value is not None})
    logger.info(json.dumps(record, sort_keys=True, default=str))
