from __future__ import annotations

from ..concerns.conftest import smtp_server  # noqa: F401  (the local SMTP server fixture)
