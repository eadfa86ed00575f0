"""Password hashing (argon2id at the ASVS setting) and the password policy."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2id at the OWASP ASVS 5.0 setting: t=1, m=46 MiB, p=1 (about 60 ms to verify here).
DEFAULT_ARGON2 = {"time_cost": 1, "memory_cost": 46 * 1024, "parallelism": 1}


# Each argon2 hash or verification holds 46 MiB while it runs. One at a time per process keeps a worker's
# memory near its base plus 46 MiB during a class's sign-in burst, instead of plus 46 MiB per thread;
# the wait is short (about 60 ms each) and processes still work in parallel.
_ONE_AT_A_TIME = threading.BoundedSemaphore(1)


@cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """The configured hasher; tests may lower the cost through ARGON2_PARAMS to stay quick."""
    params = dict(DEFAULT_ARGON2)
    if has_app_context():
        params.update(current_app.config.get("ARGON2_PARAMS") or {})
    return _hasher_for(**params)


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("esafe_learn.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in plain words, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words together make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _common_passwords():
        return "That password is one of the most common ones, so it is easy to guess. Choose another."
    return None


def hash_password(password: str) -> str:
    with _ONE_AT_A_TIME:
        return _hasher().hash(password)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-real-password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spend the same time when there is no hash, so timing reveals nothing."""
    hasher = _hasher()
    if not password_hash:
        password_hash = _dummy_hash(hasher)
        password = password + "\x00never"
    try:
        with _ONE_AT_A_TIME:
            return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
