"""Two-step sign-in (the second step, enrolment, status) and asking for the password again.

Between the password and the second step the browser holds only a short-lived "pending" mark in its
signed session cookie: no server-side session exists, so no page that needs sign-in opens.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..access import require, school_object_or_404
from ..extensions import db, limiter
from ..formutil import ActionForm
from ..security_log import log_event
from ..timeutil import utcnow
from . import mfa, services
from .account_forms import ConfirmPasswordForm, EnrolForm, SecondStepForm
from .models import User
from .passwords import verify_password
from .views import _begin_session, signin_limit

bp = Blueprint("account", __name__)

PENDING = "mfa_pending"
AUTH_AT = "auth_at"
CODE_FAILED = "That code is not right. Check your app and try again, or use one of your recovery codes."
ALWAYS_OPEN = frozenset({"static", "auth.logout", "account.enrol", "account.two_step"})


def begin_session(user: User) -> None:
    """A fresh cookie, a server-side session, and a note of when the password was last given."""
    _begin_session(user)
    session[AUTH_AT] = int(time.time())


def begin_pending(user: User, stage: str) -> None:
    session.clear()
    session[PENDING] = {"uid": user.id, "at": int(time.time()), "stage": stage}


def second_step_due(user: User) -> str | None:
    """"verify" when the account has two-step sign-in, "enrol" when its role must have it, else None."""
    if user.mfa_enabled:
        return "verify"
    if mfa.required_for(user, current_app.config):
        return "enrol"
    return None


def _pending_user(stage: str) -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("stage") != stage:
        return None
    if time.time() - pending.get("at", 0) > current_app.config["MFA_PENDING_MINUTES"] * 60:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending.get("uid"))
    return user if user is not None and user.is_active else None


def _throttled(key: str):
    """The wait message when too many wrong codes were typed for this account, else None."""
    now = utcnow()
    until = services.signin_blocked_until(key, now)
    if until is None:
        return None
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return f"Too many wrong codes. Please wait {minutes} minute{'s' * (minutes > 1)} and try again."


def _wrong_code(user: User, key: str, event: str) -> None:
    services.record_failure(key, services.ThrottlePolicy.from_config(current_app.config), utcnow())
    db.session.commit()
    log_event(event, user_id=user.id)


@bp.route("/login/two-step", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def two_step():
    user = _pending_user("verify")
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        key = f"mfa:{user.id}"
        wait = _throttled(key)
        if wait:
            log_event("authn_mfa_fail_throttled", user_id=user.id)
            form.code.errors.append(wait)
            return render_template("auth/two_step.html", form=form), 429
        method = mfa.verify_second_step(user, form.code.data)
        if method is None:
            _wrong_code(user, key, "authn_mfa_fail")
            form.code.errors.append(CODE_FAILED)
            return render_template("auth/two_step.html", form=form)
        services.clear_failures(key)
        begin_session(user)
        db.session.commit()
        log_event("authn_login_success", user_id=user.id, method=f"password+{method}")
        if method == "recovery":
            left = mfa.recovery_codes_left(user)
            flash(f"You used a recovery code. You have {left} left.", "info")
        return redirect(url_for("home.index"))
    return render_template("auth/two_step.html", form=form)


def _enrolling_user() -> tuple[User | None, bool]:
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    return _pending_user("enrol"), True


@bp.route("/account/two-step/setup", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def enrol():
    user, pending = _enrolling_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    if not mfa.offered_to(user):
        abort(403)
    if user.mfa_enabled:
        return redirect(url_for("account.security"))
    form = EnrolForm()
    if not mfa.valid_secret(form.secret.data or ""):
        form.secret.data = mfa.new_secret()
    if form.validate_on_submit():
        key = f"mfa:{user.id}"
        wait = _throttled(key)
        if wait:
            form.code.errors.append(wait)
            return _enrol_page(form, user, pending), 429
        codes = mfa.enable(user, form.secret.data, form.code.data)
        if codes is None:
            _wrong_code(user, key, "mfa_enrol_fail")
            form.code.errors.append("That code is not right. Check the time on your phone and try the new code.")
            return _enrol_page(form, user, pending)
        services.clear_failures(key)
        if pending:
            begin_session(user)
        db.session.commit()
        log_event("mfa_enabled", user_id=user.id)
        return render_template("auth/recovery_codes.html", codes=codes)
    return _enrol_page(form, user, pending)


def _enrol_page(form, user: User, pending: bool):
    uri = mfa.provisioning_uri(user, form.secret.data)
    return render_template("auth/enrol.html", form=form, qr=mfa.qr_data_uri(uri), secret=form.secret.data,
                           pending=pending, required=mfa.required_for(user, current_app.config))


@bp.route("/account/two-step")
def security():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    user = current_user._get_current_object()
    return render_template("auth/security.html", user=user, left=mfa.recovery_codes_left(user) if user.mfa_enabled
                           else 0, offered=mfa.offered_to(user))


# --- asking for the password again ------------------------------------------------------------------


def recently_authenticated() -> bool:
    given = session.get(AUTH_AT)
    return isinstance(given, int) and time.time() - given <= current_app.config["REAUTH_MINUTES"] * 60


def require_recent_password(view):
    """Decorator for exports and role changes: the password again when it was given too long ago."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not recently_authenticated():
            flash("Please type your password again to do this.", "info")
            return redirect(url_for("account.confirm", next=_come_back_to()))
        return view(*args, **kwargs)

    return wrapped


def _come_back_to() -> str:
    """Where the confirm page sends the person afterwards: the page itself for a page view. A form that was
    sent cannot be sent again by a redirect (that is a GET, and a POST-only address answers 405), so they go
    back to the page the form was on, on this site, and press the button again."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    serves_pages = request.url_rule is not None and "GET" in (request.url_rule.methods or ())
    return request.path if serves_pages else url_for("home.index")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/account/confirm", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def confirm():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    user = current_user._get_current_object()
    form = ConfirmPasswordForm()
    target = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        wait = _throttled(user.username)
        if wait:
            form.password.errors.append(wait.replace("wrong codes", "tries"))
            return render_template("auth/confirm.html", form=form), 429
        if not verify_password(user.password_hash, form.password.data):
            _wrong_code(user, user.username, "authn_reauth_fail")
            form.password.errors.append("That is not your password.")
            return render_template("auth/confirm.html", form=form)
        services.clear_failures(user.username)
        db.session.commit()
        session[AUTH_AT] = int(time.time())
        log_event("authn_reauth_success", user_id=user.id)
        return redirect(target)
    return render_template("auth/confirm.html", form=form)


@bp.route("/account/staff/<int:user_id>/two-step/reset", methods=["POST"])
@require("manage_school")
@require_recent_password
def reset_two_step(user_id: int):
    """A school admin turns off a colleague's two-step sign-in (lost phone and codes); they set it up again."""
    member = school_object_or_404(User, user_id)
    if not member.is_staff:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    mfa.disable(member)
    services.end_all_sessions(member)
    db.session.commit()
    log_event("mfa_reset", user_id=current_user.id, target_user_id=member.id)
    flash(f"Two-step sign-in is off for {member.display_name}. They set it up again when they next sign in "
          "(or from their account page).", "success")
    return redirect(url_for("schools.staff_detail", user_id=member.id))


def init_app(app: Flask) -> None:
    @app.before_request
    def _enrolment_first():
        """A signed-in account whose role must use two-step sign-in sets it up before anything else."""
        if request.endpoint in ALWAYS_OPEN or not current_user.is_authenticated:
            return None
        user = current_user._get_current_object()
        if not user.mfa_enabled and mfa.required_for(user, app.config):
            return redirect(url_for("account.enrol"))
        return None
