"""The landing page and each role's home page after sign-in."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..schools import services as school_services
from ..schools.yeargroups import AGE_BAND_LABELS, year_label

bp = Blueprint("home", __name__)

HOME_TEMPLATES = {
    "pupil": "home/pupil.html",
    "teacher": "home/staff.html",
    "dsl": "home/staff.html",
    "school_admin": "home/staff.html",
    "deployment_admin": "home/deployment.html",
}


@bp.route("/")
def landing():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("home/landing.html")


@bp.route("/home")
@login_required
def index():
    context = {"year_label": year_label, "band_labels": AGE_BAND_LABELS}
    if current_user.role == "pupil":
        classes = school_services.pupil_classes(current_user)
        context.update(classes=classes, band=school_services.pupil_band(current_user, classes))
    elif current_user.role == "deployment_admin":
        return redirect(url_for("admin.schools"))
    else:
        context.update(classes=school_services.visible_classes(current_user))
    return render_template(HOME_TEMPLATES[current_user.role], **context)

