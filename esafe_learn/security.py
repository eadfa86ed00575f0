"""Security baseline on every request and response: sessions, headers, proxies."""

from __future__ import annotations

from flask import Flask, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth.services import SessionFact, SessionPolicy, session_lookup, user_for_session
from .database import read_only_request, write_intent
from .extensions import login_manager

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_CACHEABLE_ENDPOINTS = frozenset({"static"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def add_session_fact(app: Flask, name: str, make: SessionFact) -> None:
    """Read `make()` (an SQL expression correlated to User) with every signed-in request's session.

    Register before `init_app` runs (it builds the lookup once); read the value with
    `auth.services.session_facts(user)`. A fact registered later would silently never be read, so it fails.
    """
    if app.extensions.get("esafe_session_lookup_built"):
        raise RuntimeError(f"session fact {name!r} registered after the session lookup was built")
    app.extensions.setdefault("esafe_session_facts", {})[name] = make


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    policy = SessionPolicy.from_config(app.config)
    lookup = session_lookup(app.extensions.get("esafe_session_facts", {}))
    app.extensions["esafe_session_lookup_built"] = True

    def _declare_write_intent():
        reads_only = request.method in READ_ONLY_METHODS
        g.write_intent_token = write_intent.set(not reads_only)
        g.read_only_token = read_only_request.set(reads_only)

    # First of all before-request functions, whoever registered theirs earlier: one that loads the
    # user would otherwise begin a deferred SQLite transaction, and the request's later write would
    # fail at once with "database is locked" whenever another process wrote in between.
    app.before_request_funcs.setdefault(None, []).insert(0, _declare_write_intent)

    @app.teardown_request
    def _forget_write_intent(_exc):
        for name, variable in (("write_intent_token", write_intent), ("read_only_token", read_only_request)):
            token = g.pop(name, None)
            if token is not None:
                variable.reset(token)

    @login_manager.user_loader
    def load_user(user_id: str):
        user = user_for_session(session.get("sid"), user_id, policy, lookup)
        if user is None:
            session.pop("sid", None)
        return user

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint not in PUBLIC_CACHEABLE_ENDPOINTS:
            headers["Cache-Control"] = "no-store"
        return response
