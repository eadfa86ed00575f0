"""The app factory, configuration safety and the headers every response carries."""

from __future__ import annotations

import pytest

from esafe_learn import create_app
from esafe_learn.config import ConfigError

from .conftest import login


def test_production_refuses_missing_or_default_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("ESAFE_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.delenv("ESAFE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="must be set"):
        create_app()
    monkeypatch.setenv("ESAFE_SECRET_KEY", "change-me")
    with pytest.raises(ConfigError, match="default or too short"):
        create_app()


def test_production_refuses_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("ESAFE_ENV", "production")
    monkeypatch.setenv("ESAFE_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    with pytest.raises(ConfigError, match="Debug"):
        create_app()


def test_production_starts_with_a_strong_key(tmp_path, monkeypatch):
    monkeypatch.setenv("ESAFE_ENV", "production")
    monkeypatch.setenv("ESAFE_SECRET_KEY", "k" * 48)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] > 0


def test_database_url_picks_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/x")
    app = create_app({"SECRET_KEY": "x" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


EXPECTED_CSP = {
    "default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
}


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/static/style.css"])
def test_security_headers_on_anonymous_pages(client, path):
    response = client.get(path)
    csp = {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}
    assert EXPECTED_CSP <= csp
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    response.close()


def test_signed_in_pages_are_not_cached_and_cookie_is_safe(client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    response = login(client, teacher)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/home")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"


def test_error_pages_are_styled(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert 'href="/static/style.css"' in response.get_data(as_text=True)


def test_oversized_upload_answers_413(client, app):
    data = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/login", data=data, content_type="application/octet-stream")
    assert response.status_code == 413


def test_a_missing_table_gets_the_server_fault_page_not_a_try_again(app, client, make_school, make_user, caplog):
    """A migration not run is the deployment's fault: SQLite calls it an OperationalError, like a lock, but the
    answer is the 500 page and a logged error on both databases, not a "try again" that would never help."""
    from sqlalchemy import text

    from esafe_learn.extensions import db

    login(client, make_user(make_school("Ash Primary"), "pupil", year_group=3))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error pages answer
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE aup_version RENAME TO aup_version_gone"))
    try:
        response = client.get("/home")  # every signed-in page reads the policy's state with the session
    finally:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                connection.execute(text("ALTER TABLE aup_version_gone RENAME TO aup_version"))
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "Something went wrong on our side" in page and "busy right now" not in page
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "Database schema does not match the app" in caplog.text
