"""Absolute links for use outside the browser tab: sign-in cards, alert emails and Open Badges."""

from __future__ import annotations

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """The page's address as people outside reach it.

    ESAFE_PUBLIC_URL wins when set: an email sent, or a card printed, behind a proxy must not carry an
    internal host name. Otherwise the request's own host is used. Needs a request (or SERVER_NAME).
    """
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
