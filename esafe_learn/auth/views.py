"""Sign-in with a password or a QR card, sign-out and password change."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..formutil import ActionForm
from ..security_log import log_event
from ..timeutil import utcnow
from . import mfa, services
from .forms import CardSignInForm, ChangePasswordForm, LoginForm
from .passwords import verify_password

bp = Blueprint("auth", __name__)

SIGNIN_FAILED = "That username and password don't match. Check them and try again."


def signin_limit() -> str:
    """The per-address limit on every page that checks a password or a code."""
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _begin_session(user) -> None:
    """A fresh cookie at every sign-in: nothing from before survives into the new session."""
    session.clear()
    token = services.start_session(user)
    session["sid"] = token
    login_user(user, remember=False)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = services.normalise_username(form.username.data)
        now = utcnow()
        policy = services.ThrottlePolicy.from_config(current_app.config)
        blocked_until = services.signin_blocked_until(username, now)
        if blocked_until is not None:
            minutes = max(1, int((blocked_until - now).total_seconds() // 60) + 1)
            log_event("authn_login_fail_throttled", username_hash=services.token_digest(username)[:16])
            form.password.errors.append(
                f"Too many tries for this username. Please wait {minutes} minute{'s' * (minutes > 1)} and try again."
            )
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(username, form.password.data)
        if user is None:
            services.record_failure(username, policy, now)
            db.session.commit()
            log_event("authn_login_fail", username_hash=services.token_digest(username)[:16])
            form.password.errors.append(SIGNIN_FAILED)
            return render_template("auth/login.html", form=form), 200
        services.clear_failures(username)
        from .account_views import begin_pending, begin_session, second_step_due

        stage = second_step_due(user)
        if stage is not None:  # not signed in until the second step passes
            begin_pending(user, stage)
            db.session.commit()
            log_event("authn_password_ok", user_id=user.id, next_step=stage)
            return redirect(url_for("account.two_step" if stage == "verify" else "account.enrol"))
        begin_session(user)
        db.session.commit()
        log_event("authn_login_success", user_id=user.id, method="password")
        return redirect(url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/card/<token>", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST", "GET"])
def card(token: str):
    user = services.user_for_card(token)
    if user is None:
        log_event("authn_card_fail")
        return render_template("auth/card_invalid.html"), 404
    form = CardSignInForm()
    if form.validate_on_submit():
        _begin_session(user)
        db.session.commit()
        log_event("authn_login_success", user_id=user.id, method="card")
        return redirect(url_for("home.index"))
    return render_template("auth/card.html", form=form, pupil=user)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        log_event("authn_logout", user_id=current_user.id)
    services.end_session(session.get("sid"))
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
            return _change_password_page(form)
        user = current_user._get_current_object()
        services.set_password(user, form.new_password.data)
        from .account_views import begin_session

        begin_session(user)
        db.session.commit()
        log_event("authn_password_change", user_id=user.id)
        flash("Your password has been changed. Other devices have been signed out.", "success")
        return redirect(url_for("home.index"))
    return _change_password_page(form)


def _change_password_page(form):
    return render_template("auth/change_password.html", form=form,
                           two_step_offered=mfa.offered_to(current_user._get_current_object()))
