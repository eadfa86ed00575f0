"""Two-step sign-in: TOTP (RFC 6238, via pyotp) and single-use recovery codes. No request objects here."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

from ..extensions import db
from ..timeutil import utcnow
from .models import DEPLOYMENT_ADMIN, MfaRecoveryCode, User
from .services import token_digest

ISSUER = "esafe-learn"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read off paper
STEP_SECONDS = 30


def required_for(user: User, config) -> bool:
    return user.role in tuple(config.get("MFA_REQUIRED_ROLES") or ())


def offered_to(user: User) -> bool:
    """Staff of a school and the deployment's admins may turn two-step sign-in on; pupils are never asked."""
    return user.is_staff or user.role == DEPLOYMENT_ADMIN


def new_secret() -> str:
    return pyotp.random_base32()


def valid_secret(secret: str) -> bool:
    return bool(secret) and len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI: no script, no request to anywhere else."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step a six-digit code belongs to (this one or either neighbour), or None."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_totp(user: User, code: str, now: float | None = None) -> bool:
    """Accept a code once: a code (or an older one) already used cannot be replayed."""
    if not user.mfa_secret:
        return False
    step = matching_step(user.mfa_secret, code, now)
    if step is None or (user.mfa_last_step is not None and step <= user.mfa_last_step):
        return False
    user.mfa_last_step = step
    return True


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))  # about 79 bits
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns the codes, shown once and never stored in the clear."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=token_digest(_normalise(code))))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    code = _normalise(code)
    if len(code) != 16:
        return False
    row = db.session.scalar(select(MfaRecoveryCode).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.code_hash == token_digest(code),
        MfaRecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(MfaRecoveryCode.id).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None))).all())


def verify_second_step(user: User, code: str) -> str | None:
    """"totp" or "recovery" when the code is good (and now used up), None otherwise."""
    if check_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


def enable(user: User, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn two-step sign-in on when the code proves the app holds the secret; returns recovery codes."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.mfa_secret = secret
    user.mfa_enabled_at = utcnow()
    user.mfa_last_step = step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
