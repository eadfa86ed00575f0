"""Deployment administration: a local authority's operator creates schools and sees no pupil data."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..access import require
from ..auth.models import User
from ..extensions import db
from ..schools import services as school_services
from ..schools.models import School
from ..security_log import log_event
from .forms import SchoolForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/schools", methods=["GET", "POST"])
@require("manage_deployment")
def schools():
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            school = school_services.create_school(form.name.data, form.slug.data)
            admin = school_services.create_user(school, form.admin_username.data, form.admin_name.data,
                                                "school_admin", password=form.admin_password.data)
        except school_services.SetupError as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            log_event("school_created", user_id=current_user.id, school_id=school.id)
            log_event("authz_role_change", user_id=current_user.id, target_user_id=admin.id, role="school_admin")
            flash(f"{school.name} is ready. Its admin can sign in as {admin.username}.", "success")
            return redirect(url_for("admin.schools"))
    counts = dict(db.session.execute(select(User.school_id, func.count(User.id)).group_by(User.school_id)).all())
    rows = db.session.scalars(select(School).order_by(School.name)).all()
    return render_template("admin/schools.html", schools=rows, counts=counts, form=form)
