"""The Online Leaders' mentoring log (leaders) and its review (staff who supervise Online Leaders)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import signals
from ..access import can, require, school_object_or_404
from ..auth.models import PUPIL, User
from ..concerns import services as concern_services
from ..concerns.alerts import alert_safeguarding_leads
from ..content.taxonomy import STRANDS
from ..extensions import db
from ..schools.yeargroups import year_label
from ..security_log import log_event
from ..templating import add_nav_link, add_panel
from . import services
from .forms import NO_YEAR, LogForm, ReviewForm
from .models import KINDS, NAMED, MentoringSession

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


def init_app(app) -> None:
    """Links and home-page panels of this feature (called from _register_blueprints)."""
    add_nav_link(app, "leader", "My mentoring log", "mentoring.my_logs", "leader_area")
    add_nav_link(app, "staff", "Online Leaders", "mentoring.leaders", "supervise_leaders")
    add_panel(app, "leader", "mentoring/_leader_panel.html")
    add_panel(app, "staff", "mentoring/_staff_panel.html")
    app.add_template_global(_waiting_for_review, "mentoring_waiting_count")


def _waiting_for_review() -> int:
    if not can(current_user, "supervise_leaders"):
        return 0
    return services.awaiting_review_count(current_user.school_id)


def _me() -> User:
    return current_user._get_current_object()


def _common() -> dict:
    return {"strand_names": STRANDS, "kinds": KINDS, "year_label": year_label}


# --- the leader's own log ------------------------------------------------------------------------


@bp.route("/")
@require("leader_area")
def my_logs():
    return render_template("mentoring/my_logs.html", logs=services.leader_logs(_me()), **_common())


def _entry(form: LogForm) -> services.LogEntry:
    year = form.unnamed_year_group.data
    return services.LogEntry(
        session_date=form.session_date.data,
        kind=form.kind.data,
        mentee_mode=form.mentee_mode.data,
        mentee_ids=list(form.mentees.data or []),
        unnamed_year_group=None if year in (None, NO_YEAR) else year,
        group_size=form.group_size.data,
        strands=list(form.strands.data or []),
        what_we_did=form.what_we_did.data or "",
        what_helped=form.what_helped.data or "",
        duration_minutes=form.duration_minutes.data,
        follow_up_needed=bool(form.follow_up_needed.data),
    )


def _show_problems(form: LogForm, problems: dict[str, str]) -> None:
    """Put the service's words on the form, beside the field they are about (one message per field)."""
    for name, message in problems.items():
        target = getattr(form, name, None) if name else None
        if target is None:
            form.form_errors.append(message)
        elif not target.errors:
            target.errors.append(message)


def _save(form: LogForm, log: MentoringSession | None):
    """Save the log, and raise a concern when the leader ticked the worry box. Returns the log or None.

    The service checks the log; when the form itself fails (the form token, the worry questions), its
    checks are shown too, so the leader sees every problem at once.
    """
    entry = _entry(form)
    if not form.validate():
        _show_problems(form, services.check_entry(_me(), entry))
        return None
    me = _me()
    try:
        saved = services.save_log(me, entry, log)
        concern = None
        if form.worried.data and not saved.worry_raised:
            named = [m.pupil for m in saved.mentees] if saved.mentee_mode == NAMED else []
            concern = concern_services.raise_concern(
                me, "leader", pupil_choice=form.worry_choice.data, description=form.worry_words.data or "",
                told_adult=form.worry_told_adult.data, about=named[0] if len(named) == 1 else None,
                mentoring_session_id=saved.id,
            )
            saved.worry_raised = True
    except services.MentoringError as error:
        db.session.rollback()
        _show_problems(form, error.problems)
        return None
    except concern_services.ConcernError as error:
        db.session.rollback()
        form.worry_words.errors.append(str(error))
        return None
    db.session.commit()
    log_event("mentoring_logged", user_id=me.id, log_id=saved.id)
    if concern is not None:
        log_event("concern_raised", user_id=me.id, concern_id=concern.id, source="leader")
        alert_safeguarding_leads(concern.school_id, concern.id)
        flash("Your worry has been sent to the adults who keep children safe. "
              "Remember to tell a trusted adult in person too.", "success")
    return saved


def _log_form(log: MentoringSession | None = None) -> LogForm:
    pupil_choices = concern_services.pupil_options(current_user.school_id, exclude_id=current_user.id)
    if log is None or request.method == "POST":
        return LogForm(pupil_choices=pupil_choices)
    form = LogForm(pupil_choices=pupil_choices, obj=log)
    form.mentees.data = [m.pupil_id for m in log.mentees]
    form.strands.data = log.strand_slugs
    form.unnamed_year_group.data = log.unnamed_year_group if log.unnamed_year_group is not None else NO_YEAR
    return form


@bp.route("/new", methods=["GET", "POST"])
@require("leader_area")
def new_log():
    form = _log_form()
    if form.is_submitted() and _save(form, None) is not None:
        flash("Your log is saved. Thank you!", "success")
        return redirect(url_for("mentoring.my_logs"))
    return render_template("mentoring/log_form.html", form=form, log=None, **_common())


def _own_log_or_404(log_id: int) -> MentoringSession:
    log = school_object_or_404(MentoringSession, log_id)
    if log.leader_id != current_user.id:
        abort(404)
    return log


@bp.route("/<int:log_id>", methods=["GET", "POST"])
@require("leader_area")
def edit_log(log_id: int):
    log = _own_log_or_404(log_id)
    if log.is_reviewed:
        if request.method == "POST":
            flash("A teacher has checked this log, so it can't be changed now.", "error")
            return redirect(url_for("mentoring.edit_log", log_id=log.id))
        return render_template("mentoring/log_view.html", log=log, **_common())
    form = _log_form(log)
    if form.is_submitted() and _save(form, log) is not None:
        flash("Your log is saved.", "success")
        return redirect(url_for("mentoring.my_logs"))
    return render_template("mentoring/log_form.html", form=form, log=log, **_common())


# --- staff who supervise Online Leaders ----------------------------------------------------------


def _period(school_id: int):
    periods = services.evidence_periods(school_id, services.school_today())
    try:
        index = int(request.args.get("period", "0"))
    except ValueError:
        index = 0
    index = index if 0 <= index < len(periods) else 0
    return periods, index


@bp.route("/leaders")
@require("supervise_leaders")
def leaders():
    periods, index = _period(current_user.school_id)
    period = periods[index]
    return render_template(
        "mentoring/leaders.html", periods=periods, index=index, period=period,
        summaries=services.leader_summaries(current_user.school_id, period.start, period.end),
        waiting=services.awaiting_review(current_user.school_id), **_common(),
    )


@bp.route("/leaders/<int:leader_id>")
@require("supervise_leaders")
def leader_detail(leader_id: int):
    leader = school_object_or_404(User, leader_id)
    if leader.role != PUPIL:
        abort(404)
    return render_template("mentoring/leader_detail.html", leader=leader, logs=services.leader_logs(leader),
                           **_common())


@bp.route("/review/<int:log_id>", methods=["GET", "POST"])
@require("supervise_leaders")
def review(log_id: int):
    log = school_object_or_404(MentoringSession, log_id)
    form = ReviewForm()
    if not log.is_reviewed and form.validate_on_submit():
        try:
            services.review_log(log, _me(), form.comment.data or "")
        except services.MentoringError as error:
            db.session.rollback()
            form.comment.errors.append(str(error))
        else:
            results = signals.mentoring_reviewed.send(current_app._get_current_object(), leader=log.leader, log=log)
            earned = [item for _receiver, value in results if isinstance(value, list) for item in value]
            db.session.commit()
            log_event("mentoring_reviewed", user_id=current_user.id, log_id=log.id)
            flash("Log marked as reviewed.", "success")
            for item in earned:
                if isinstance(item, dict) and item.get("name"):
                    flash(f"{log.leader.display_name} earned: {item['name']}.", "success")
            return redirect(url_for("mentoring.leader_detail", leader_id=log.leader_id))
    elif log.is_reviewed and form.is_submitted():
        flash("This log has already been reviewed.", "error")
        return redirect(url_for("mentoring.review", log_id=log.id))
    return render_template("mentoring/review.html", log=log, form=form, **_common())


@bp.route("/evidence")
@require("supervise_leaders")
def evidence():
    periods, index = _period(current_user.school_id)
    period = periods[index]
    concerns = None
    if can(current_user, "safeguarding"):
        concerns = concern_services.concern_figures(current_user.school_id, period)
    return render_template(
        "mentoring/evidence.html", periods=periods, index=index, period=period,
        figures=services.mentoring_figures(current_user.school_id, period.start, period.end),
        concerns=concerns, duration=concern_services.format_duration, **_common(),
    )
