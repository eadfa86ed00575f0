"""Concerns: the pupils' worry page, staff raising a concern, and the safeguarding lead's pages.

Only the DSL and deputies (permission "safeguarding") open a concern; every opening, step, note
and export is written to the audit log before the page is sent.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import can, require, school_object_or_404
from ..auth.models import User
from ..auth.passwords import verify_password
from ..database import writing
from ..extensions import db, limiter
from ..formutil import choices
from ..schools.yeargroups import year_label
from ..security_log import log_event
from ..templating import add_nav_link, add_panel
from ..timeutil import school_time, school_today
from . import export as concern_export
from . import services
from .alerts import alert_safeguarding_leads
from .forms import (
    AcknowledgeForm,
    ActionForm,
    AlertEmailForm,
    CloseForm,
    ExportForm,
    LinkForm,
    NoteForm,
    RetentionForm,
    StaffConcernForm,
    WorryForm,
)
from .models import ACTION_KINDS, STATUSES, Concern

bp = Blueprint("concerns", __name__)


def init_app(app) -> None:
    """Links and home-page panels of this feature (called from _register_blueprints)."""
    add_nav_link(app, "pupil", "Tell us about a worry", "concerns.worry", "pupil_area")
    add_nav_link(app, "staff", "Raise a concern", "concerns.raise_concern", "staff_area")
    add_nav_link(app, "dsl", "Concerns", "concerns.index", "safeguarding")
    add_panel(app, "pupil", "concerns/_pupil_panel.html")
    add_panel(app, "dsl", "concerns/_dsl_panel.html")
    add_panel(app, "staff", "concerns/_staff_panel.html")
    app.add_template_global(_new_concern_count, "new_concern_count")


def _new_concern_count() -> int:
    if not can(current_user, "safeguarding"):
        return 0
    return services.new_count(current_user.school_id)


def _me() -> User:
    return current_user._get_current_object()


def _after_raised(concern: Concern) -> None:
    """After the commit: tell the safeguarding leads. A mail failure is logged inside and never raised."""
    log_event("concern_raised", user_id=current_user.id, concern_id=concern.id, source=concern.source)
    alert_safeguarding_leads(concern.school_id, concern.id)


# --- pupils ------------------------------------------------------------------------------------


@bp.route("/worry", methods=["GET", "POST"])
@require("pupil_area")
def worry():
    form = WorryForm()
    if form.validate_on_submit():
        try:
            concern = services.raise_concern(
                _me(), "pupil", pupil_choice=form.choice.data, description=form.words.data or "",
                told_adult=form.told_adult.data, about=_me() if form.about.data == "me" else None,
            )
        except services.ConcernError as error:
            form.words.errors.append(str(error))
        else:
            db.session.commit()
            _after_raised(concern)
            flash("Thank you for telling us. Your worry has been sent. An adult will talk to you soon.", "success")
            return redirect(url_for("concerns.worry_sent"))
    return render_template("concerns/worry.html", form=form)


@bp.route("/worry/sent")
@require("pupil_area")
def worry_sent():
    return render_template("concerns/worry_sent.html", worries=services.my_worries(_me()))


# --- staff -------------------------------------------------------------------------------------


@bp.route("/concerns/raise", methods=["GET", "POST"])
@require("staff_area")
def raise_concern():
    form = StaffConcernForm()
    pupils = services.pupil_options(current_user.school_id)
    form.about.choices = choices([(0, "Not known, or not in the list"), *pupils])
    if form.validate_on_submit():
        about = db.session.get(User, form.about.data) if form.about.data else None
        try:
            concern = services.raise_concern(_me(), "staff", category=form.category.data,
                                             description=form.description.data, told_adult=form.told_adult.data,
                                             about=about)
        except services.ConcernError as error:
            form.description.errors.append(str(error))
        else:
            db.session.commit()
            _after_raised(concern)
            flash("Thank you. The concern has been sent to the safeguarding leads.", "success")
            return redirect(url_for("home.index"))
    return render_template("concerns/raise.html", form=form)


# --- the safeguarding lead ---------------------------------------------------------------------


@bp.route("/concerns/")
@writing()
@require("safeguarding")
def index():
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    services.audit(current_user.school_id, _me(), "listed", detail=status)
    db.session.commit()  # before reading: a commit expires what was loaded, and each row would be read again
    rows = services.concerns_of_school(current_user.school_id, status or None, with_pupils=True)
    return render_template("concerns/index.html", concerns=rows, status=status, statuses=STATUSES,
                           new_count=services.new_count(current_user.school_id),
                           time_to_acknowledge=services.time_to_acknowledge, duration=services.format_duration)


def _link_form(concern: Concern, related: list[Concern], form: LinkForm | None = None) -> LinkForm:
    form = form or LinkForm(formdata=None)
    linked = {other.id for other in related}
    others = [c for c in services.concerns_of_school(concern.school_id) if c.id != concern.id and c.id not in linked]
    form.other.choices = choices([(0, "Choose a concern"), *(
        (c.id, f"{c.reference}, {school_time(c.created_at):%-d %b %Y}, {c.category_label}") for c in others
    )])
    return form


def _show(concern: Concern, status: int = 200, **forms):
    """The concern page. Showing it is an opening: the audit row is committed before the page is sent."""
    services.audit(concern.school_id, _me(), "opened", concern)
    db.session.commit()
    related = services.related(concern)
    context = {
        "concern": concern,
        "acknowledge_form": AcknowledgeForm(formdata=None),
        "close_form": CloseForm(formdata=None),
        "action_form": forms.get("action_form") or ActionForm(formdata=None),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "link_form": _link_form(concern, related, forms.get("link_form")),
        "retention_form": forms.get("retention_form") or RetentionForm(formdata=None, obj=concern),
        "related": related,
        "history": services.audit_rows(concern.school_id, concern),
        "time_to_acknowledge": services.format_duration(services.time_to_acknowledge(concern)),
        "pupil_choice": services.PUPIL_CHOICES.get(concern.pupil_choice or "", ("",))[0],
        "session": concern.mentoring_session,
        "year_label": year_label,
        "action_kinds": ACTION_KINDS,
    }
    return render_template("concerns/detail.html", **context), status


@bp.route("/concerns/<int:concern_id>")
@writing()
@require("safeguarding")
def detail(concern_id: int):
    return _show(school_object_or_404(Concern, concern_id))


def _step(concern_id: int, form_class, step):
    concern = school_object_or_404(Concern, concern_id)
    form = form_class()
    if not form.validate_on_submit():
        return _show(concern, 200, **{_FORM_NAMES[form_class]: form})
    try:
        message = step(concern, form)
    except services.ConcernError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        log_event("concern_changed", user_id=current_user.id, concern_id=concern.id, status=concern.status)
        flash(message, "success")
    return redirect(url_for("concerns.detail", concern_id=concern_id))


_FORM_NAMES = {AcknowledgeForm: "acknowledge_form", ActionForm: "action_form", NoteForm: "note_form",
               CloseForm: "close_form", LinkForm: "link_form", RetentionForm: "retention_form"}


@bp.route("/concerns/<int:concern_id>/acknowledge", methods=["POST"])
@require("safeguarding")
def acknowledge(concern_id: int):
    def step(concern, _form):
        services.acknowledge(concern, _me())
        return "Concern acknowledged."

    return _step(concern_id, AcknowledgeForm, step)


@bp.route("/concerns/<int:concern_id>/actions", methods=["POST"])
@require("safeguarding")
def record_action(concern_id: int):
    def step(concern, form):
        services.record_action(concern, _me(), form.kind.data, form.note.data or "")
        return "Action recorded."

    return _step(concern_id, ActionForm, step)


@bp.route("/concerns/<int:concern_id>/notes", methods=["POST"])
@require("safeguarding")
def add_note(concern_id: int):
    def step(concern, form):
        services.add_note(concern, _me(), form.body.data)
        return "Note added."

    return _step(concern_id, NoteForm, step)


@bp.route("/concerns/<int:concern_id>/retention", methods=["POST"])
@require("safeguarding")
def retention(concern_id: int):
    def step(concern, form):
        services.set_retention(concern, _me(), form.date_of_birth.data, form.legal_hold.data)
        return "Retention details saved."

    return _step(concern_id, RetentionForm, step)


@bp.route("/concerns/<int:concern_id>/close", methods=["POST"])
@require("safeguarding")
def close(concern_id: int):
    def step(concern, _form):
        services.close(concern, _me())
        return "Concern closed."

    return _step(concern_id, CloseForm, step)


@bp.route("/concerns/<int:concern_id>/links", methods=["POST"])
@require("safeguarding")
def link(concern_id: int):
    concern = school_object_or_404(Concern, concern_id)
    form = _link_form(concern, services.related(concern), LinkForm())
    if not form.validate_on_submit():
        return _show(concern, 200, link_form=form)
    other = school_object_or_404(Concern, form.other.data)
    try:
        services.link(concern, other, _me())
    except services.ConcernError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Linked to {other.reference}.", "success")
    return redirect(url_for("concerns.detail", concern_id=concern_id))


@bp.route("/concerns/export", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"])
@require("safeguarding")
def export():
    form = ExportForm()
    if form.validate_on_submit():
        me = _me()
        if not verify_password(me.password_hash, form.password.data):
            services.audit(me.school_id, me, "export_refused", detail="wrong password")
            db.session.commit()
            log_event("authn_reauth_fail", user_id=me.id, purpose="concern_export")
            form.password.errors.append("That is not your password. Type the password you sign in with.")
            return render_template("concerns/export.html", form=form)
        rows = concern_export.export_concerns(me.school_id, form.start.data, form.end.data)
        body = concern_export.export_csv(rows)
        period = f"{form.start.data or 'start'} to {form.end.data or 'end'}"
        services.audit(me.school_id, me, "exported", detail=f"{len(rows)} concerns, {period}")
        db.session.commit()
        log_event("concern_export", user_id=me.id, count=len(rows))
        filename = f"online-safeguarding-concerns-{school_today():%Y-%m-%d}.csv"
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return render_template("concerns/export.html", form=form)


@bp.route("/concerns/history")
@require("safeguarding")
def history():
    return render_template("concerns/history.html", rows=services.audit_rows(current_user.school_id),
                           action_kinds=ACTION_KINDS)


@bp.route("/concerns/alerts", methods=["GET", "POST"])
@require("safeguarding")
def alerts():
    form = AlertEmailForm()
    me = _me()
    if form.validate_on_submit():
        me.email = (form.email.data or "").strip() or None
        db.session.commit()
        log_event("alert_email_changed", user_id=me.id, set=me.email is not None)
        flash("Saved." if me.email else "Email alerts are off for you.", "success")
        return redirect(url_for("concerns.alerts"))
    if not form.is_submitted():
        form.email.data = me.email or ""
    return render_template("concerns/alerts.html", form=form,
                           mail_on=bool(current_app.config.get("MAIL_SERVER")))
