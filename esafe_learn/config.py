"""Configuration: defaults, then environment variables, then a test mapping.

Every setting an operator may change is read from the environment here and
documented in the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

WEAK_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}


class ConfigError(RuntimeError):
    """The configuration would make the app unsafe to run."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _roles(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "esafe-learn.sqlite")


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, for development and the demo."""
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: str) -> dict:
    env = os.environ
    environment = env.get("ESAFE_ENV", "development").strip().lower()
    config = {
        "ESAFE_ENV": environment,
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(env.get("DATABASE_URL") or _sqlite_url(instance_path)),
        "SECRET_KEY": env.get("ESAFE_SECRET_KEY", ""),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_FROM": env.get("MAIL_FROM", "esafe-learn@localhost"),
        "PUBLIC_URL": env.get("ESAFE_PUBLIC_URL", ""),
        "TRUSTED_PROXIES": int(env.get("ESAFE_TRUSTED_PROXIES", "0")),
        "BACKUP_DIR": env.get("ESAFE_BACKUP_DIR", ""),  # `db upgrade` backs SQLite up here; default instance/backups
        "SESSION_COOKIE_SECURE": _bool(env.get("ESAFE_SECURE_COOKIES"), environment == "production"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "esafe_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "STAFF_IDLE_MINUTES": 30,
        "PUPIL_IDLE_MINUTES": 8 * 60,
        "SESSION_ABSOLUTE_HOURS": 12,
        "SIGNIN_FAILURES_ALLOWED": 10,
        "SIGNIN_FAILURE_WINDOW_MINUTES": 15,
        "SIGNIN_RATE_LIMIT": env.get("ESAFE_SIGNIN_RATE_LIMIT", "600 per 10 minutes"),
        "RATELIMIT_ENABLED": _bool(env.get("ESAFE_RATELIMIT_ENABLED"), True),
        # Roles that must use two-step sign-in (TOTP); teachers are offered it. Empty string: nobody is made to.
        "MFA_REQUIRED_ROLES": _roles(env.get("ESAFE_MFA_REQUIRED_ROLES", "dsl,school_admin")),
        "MFA_PENDING_MINUTES": 5,  # time allowed between the password and the second step
        "REAUTH_MINUTES": 5,  # exports and role changes ask for the password again after this long
        # Learning records of pupils who left go this many academic years after the year they left in.
        "RETENTION_YEARS_AFTER_LEAVING": int(env.get("ESAFE_RETENTION_YEARS_AFTER_LEAVING", "1")),
    }
    return config


def finish_config(app) -> None:
    """Fill what depends on the rest, then refuse unsafe production settings."""
    if not app.config.get("SECRET_KEY"):
        if app.config["ESAFE_ENV"] == "production":
            raise ConfigError("ESAFE_SECRET_KEY must be set in production.")
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if app.config["ESAFE_ENV"] == "production":
        key = app.config["SECRET_KEY"]
        if key.strip().lower() in WEAK_SECRET_KEYS or len(key) < 32:
            raise ConfigError("ESAFE_SECRET_KEY is a default or too short: use at least 32 random characters.")
        if app.debug:
            raise ConfigError("Debug mode must be off in production.")
    storage = "memory://"
    if app.config.get("REDIS_URL"):
        storage = app.config["REDIS_URL"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    # Redis unreachable: count in this process instead of refusing every sign-in with an error.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
