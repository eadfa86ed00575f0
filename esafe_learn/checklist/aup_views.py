"""The acceptable use policy: the page where the school publishes it (DSL, school admin) and the page where
everyone of the school reads and acknowledges the current version (pupils in child-friendly words)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import can, require
from ..auth.models import PUPIL
from ..extensions import db
from ..security_log import log_event
from . import aup, evidence
from .forms import AcknowledgeForm, AupForm

bp = Blueprint("aup", __name__)


@bp.route("/checklist/acceptable-use", methods=["GET", "POST"])
@require("manage_aup")
def manage():
    school_id = current_user.school_id
    form = AupForm()
    if form.validate_on_submit():
        try:
            version = aup.publish(school_id, current_user, form.version.data, form.text.data, form.pupil_text.data)
        except aup.AupError as error:
            for name, problem in error.problems.items():
                form[name].errors.append(problem)
        else:
            db.session.commit()
            log_event("aup_published", user_id=current_user.id, aup_version_id=version.id)
            flash(f"Version {version.version} published. Everyone will be asked to acknowledge it.", "success")
            return redirect(url_for("aup.manage"))
    return render_template("checklist/aup_manage.html", form=form, versions=aup.versions_with_counts(school_id),
                           figures=evidence.aup_evidence(school_id), share_text=evidence.share_text)


@bp.route("/acceptable-use", methods=["GET", "POST"])
@require("acknowledge_aup")
def acknowledge():
    version = aup.current_version(current_user.school_id)
    form = AcknowledgeForm()
    is_pupil = current_user.role == PUPIL
    if form.validate_on_submit():
        if version is None or form.version_id.data != str(version.id):
            flash("There is a newer version of the rules. Please read it first." if is_pupil else
                  "The policy has changed since you opened the page. Please read the current version.", "error")
            return redirect(url_for("aup.acknowledge"))
        if aup.acknowledge(current_user, version):
            log_event("aup_acknowledged", user_id=current_user.id, aup_version_id=version.id)
        db.session.commit()
        flash("Thank you. You said you will follow the rules." if is_pupil else
              f"Thank you. Your acknowledgement of version {version.version} is recorded.", "success")
        return redirect(url_for("aup.acknowledge"))
    done = aup.acknowledgement(current_user, version) if version is not None else None
    if version is not None:
        form.version_id.data = str(version.id)
    return render_template("checklist/aup.html", version=version, done=done, form=form, is_pupil=is_pupil,
                           can_manage=can(current_user, "manage_aup"))
