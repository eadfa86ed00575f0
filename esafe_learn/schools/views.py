"""School set-up pages (school admin) and the class pages staff use."""

from __future__ import annotations

import base64
import binascii

import segno
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import class_or_404, require, school_object_or_404
from ..auth.account_views import require_recent_password
from ..auth.models import PUPIL, STAFF_ROLES, User
from ..auth.services import issue_card
from ..extensions import db
from ..formutil import ActionForm, choices
from ..links import public_url
from ..security_log import log_event
from . import roster, services
from .forms import (
    ClassForm,
    ClassTeachersForm,
    PupilPasswordForm,
    RosterConfirmForm,
    RosterUploadForm,
    SchoolSettingsForm,
    StaffForm,
    StaffRoleForm,
)
from .models import School
from .yeargroups import AGE_BAND_LABELS, band_for_year, year_label

bp = Blueprint("schools", __name__, url_prefix="/school")


def _school() -> School:
    return db.session.get(School, current_user.school_id)


def _staff_of_school() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.school_id == current_user.school_id, User.role.in_(STAFF_ROLES))
        .order_by(User.display_name)
    ))


# --- classes --------------------------------------------------------------------------------------


@bp.route("/classes", methods=["GET", "POST"])
@require("staff_area")
def classes():
    form = ClassForm()
    if form.is_submitted() and current_user.role != "school_admin":
        abort(403)
    if form.validate_on_submit():
        try:
            services.create_class(_school(), form.name.data, form.year_group.data, form.working_at_band.data)
        except services.SetupError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Class {form.name.data.strip()} added.", "success")
            return redirect(url_for("schools.classes"))
    classes = services.visible_classes(current_user)
    return render_template("schools/classes.html", classes=classes, counts=services.pupil_counts(classes), form=form,
                           year_label=year_label, band_labels=AGE_BAND_LABELS, band_for_year=band_for_year)


@bp.route("/classes/<int:class_id>", methods=["GET", "POST"])
@require("staff_area")
def class_detail(class_id: int):
    school_class = class_or_404(class_id)
    form = ClassTeachersForm(obj=school_class)
    staff = _staff_of_school()
    form.teachers.choices = choices((u.id, u.display_name) for u in staff)
    if form.is_submitted() and current_user.role != "school_admin":
        abort(403)
    if form.validate_on_submit():
        chosen = [u for u in staff if u.id in set(form.teachers.data or [])]
        services.set_class_teachers(school_class, chosen)
        school_class.working_at_band = form.working_at_band.data or None
        db.session.commit()
        flash("Class saved.", "success")
        return redirect(url_for("schools.class_detail", class_id=school_class.id))
    if not form.is_submitted():
        form.teachers.data = [t.id for t in school_class.teachers]
        form.working_at_band.data = school_class.working_at_band or ""
    return render_template("schools/class_detail.html", school_class=school_class, form=form,
                           year_label=year_label, band_labels=AGE_BAND_LABELS,
                           band=school_class.working_at_band or band_for_year(school_class.year_group))


@bp.route("/classes/<int:class_id>/cards", methods=["GET", "POST"])
@require("staff_area")
def class_cards(class_id: int):
    """Print QR sign-in cards: issuing new cards revokes the class's old ones."""
    school_class = class_or_404(class_id)
    form = ActionForm()
    school = _school()
    if not school.qr_signin_enabled:
        return render_template("schools/cards_off.html", school_class=school_class)
    if form.validate_on_submit():
        cards = []
        for pupil in school_class.pupils:
            if not pupil.is_active:
                continue
            token = issue_card(pupil)
            url = public_url("auth.card", token=token)
            cards.append({"pupil": pupil, "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=4)})
        db.session.commit()
        log_event("cards_issued", user_id=current_user.id, class_id=school_class.id, count=len(cards))
        return render_template("schools/cards_print.html", school_class=school_class, cards=cards)
    return render_template("schools/cards.html", school_class=school_class, form=form)


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/password", methods=["GET", "POST"])
@require("staff_area")
def class_pupil_password(class_id: int, user_id: int):
    """A teacher sets a new password for a pupil of their own class (the pupil's other sign-ins end)."""
    school_class = class_or_404(class_id)
    pupil = next((p for p in school_class.pupils if p.id == user_id), None)
    if pupil is None:
        abort(404)
    form = PupilPasswordForm()
    if form.validate_on_submit():
        services.reset_pupil_password(pupil, form.new_password.data)
        db.session.commit()
        log_event("authn_password_reset", user_id=current_user.id, target_user_id=pupil.id)
        flash(f"{pupil.display_name}'s password has been set. Tell them in person.", "success")
        return redirect(url_for("schools.class_detail", class_id=school_class.id))
    return render_template("schools/pupil_password.html", pupil=pupil, school_class=school_class, form=form)


# --- pupils ---------------------------------------------------------------------------------------


@bp.route("/pupils")
@require("manage_school")
def pupils():
    rows = list(db.session.scalars(
        select(User).where(User.school_id == current_user.school_id, User.role == PUPIL)
        .order_by(User.year_group, User.display_name)
    ))
    return render_template("schools/pupils.html", pupils=rows, year_label=year_label)


def _pupil_for_admin(user_id: int) -> User:
    pupil = school_object_or_404(User, user_id)
    if pupil.role != PUPIL:
        abort(404)
    return pupil


@bp.route("/pupils/<int:user_id>", methods=["GET", "POST"])
@require("manage_school")
def pupil_detail(user_id: int):
    pupil = _pupil_for_admin(user_id)
    password_form = PupilPasswordForm()
    if password_form.validate_on_submit():
        services.reset_pupil_password(pupil, password_form.new_password.data)
        db.session.commit()
        log_event("authn_password_reset", user_id=current_user.id, target_user_id=pupil.id)
        flash(f"{pupil.display_name}'s password has been set. Their other sign-ins have ended.", "success")
        return redirect(url_for("schools.pupil_detail", user_id=pupil.id))
    return render_template("schools/pupil_detail.html", pupil=pupil, password_form=password_form,
                           action_form=ActionForm(), classes=services.pupil_classes(pupil), year_label=year_label)


@bp.route("/pupils/<int:user_id>/leader", methods=["POST"])
@require("manage_school")
def toggle_leader(user_id: int):
    pupil = _pupil_for_admin(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.set_online_leader(pupil, not pupil.is_online_leader)
    db.session.commit()
    log_event("authz_role_change", user_id=current_user.id, target_user_id=pupil.id,
              online_leader=pupil.is_online_leader)
    state = "is now an Online Leader" if pupil.is_online_leader else "is no longer an Online Leader"
    flash(f"{pupil.display_name} {state}.", "success")
    return redirect(url_for("schools.pupil_detail", user_id=pupil.id))


@bp.route("/pupils/<int:user_id>/card", methods=["POST"])
@require("manage_school")
def reissue_card(user_id: int):
    pupil = _pupil_for_admin(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = issue_card(pupil)
    db.session.commit()
    log_event("cards_issued", user_id=current_user.id, target_user_id=pupil.id, count=1)
    url = public_url("auth.card", token=token)
    cards = [{"pupil": pupil, "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=4)}]
    return render_template("schools/cards_print.html", school_class=None, cards=cards)


# --- staff ----------------------------------------------------------------------------------------


@bp.route("/staff", methods=["GET", "POST"])
@require("manage_school")
def staff():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(_school(), form.username.data, form.display_name.data, form.role.data,
                                        password=form.password.data)
        except services.SetupError as error:
            form.username.errors.append(str(error))
        else:
            user.supervises_leaders = form.supervises_leaders.data
            db.session.commit()
            log_event("authz_role_change", user_id=current_user.id, target_user_id=user.id, role=user.role)
            flash(f"{user.display_name} can now sign in as {user.username}.", "success")
            return redirect(url_for("schools.staff"))
    return render_template("schools/staff.html", staff=_staff_of_school(), form=form)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@require("manage_school")
@require_recent_password  # changing a role changes who sees personal data: the password again
def staff_detail(user_id: int):
    member = school_object_or_404(User, user_id)
    if member.role not in STAFF_ROLES:
        abort(404)
    form = StaffRoleForm(obj=member)
    if form.validate_on_submit():
        if member.id == current_user.id and form.role.data != member.role:
            form.role.errors.append("You can't change your own role. Ask another school admin.")
        else:
            services.set_role(member, form.role.data)
            member.supervises_leaders = form.supervises_leaders.data
            db.session.commit()
            log_event("authz_role_change", user_id=current_user.id, target_user_id=member.id, role=member.role)
            flash(f"{member.display_name}'s role is saved.", "success")
            return redirect(url_for("schools.staff"))
    return render_template("schools/staff_detail.html", member=member, form=form)


# --- roster ---------------------------------------------------------------------------------------


@bp.route("/roster", methods=["GET", "POST"])
@require("manage_school")
def roster_upload():
    form = RosterUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        check = roster.check_roster(data, _school())
        confirm = RosterConfirmForm(roster=base64.b64encode(data).decode("ascii"))
        return render_template("schools/roster_preview.html", check=check, confirm=confirm, year_label=year_label)
    return render_template("schools/roster.html", form=form)


@bp.route("/roster/confirm", methods=["POST"])
@require("manage_school")
def roster_confirm():
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.roster.data or "", validate=True)
    except (binascii.Error, ValueError):
        flash("The file could not be read. Please upload it again.", "error")
        return redirect(url_for("schools.roster_upload"))
    school = _school()
    check = roster.check_roster(data, school)
    if not check.ok:
        flash("The file has problems. Please fix them and upload it again.", "error")
        return render_template("schools/roster_preview.html", check=check, confirm=None, year_label=year_label)
    result = roster.apply_roster(check, school)
    db.session.commit()
    log_event("roster_imported", user_id=current_user.id, created=result.created, updated=result.updated)
    flash(f"Roster imported: {result.created} new pupils, {result.updated} updated, {result.unchanged} unchanged, "
          f"{result.classes_created} new classes.", "success")
    return redirect(url_for("schools.pupils"))


# --- settings -------------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@require("manage_school")
def settings():
    school = _school()
    form = SchoolSettingsForm(obj=school)
    if form.validate_on_submit():
        school.qr_signin_enabled = form.qr_signin_enabled.data
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("schools.settings"))
    return render_template("schools/settings.html", form=form, school=school)
