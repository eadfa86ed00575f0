"""Privacy notices for each age band, for staff and for parents: public pages, linked from every footer."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from ..access import pupil_or_404, require
from ..auth.account_views import require_recent_password
from ..auth.models import DSL, PUPIL, User
from ..extensions import db, limiter
from ..security_log import log_event
from ..templating import add_nav_link
from ..timeutil import school_today
from .export import ExportOptions, build_zip
from .forms import SubjectAccessForm
from .registry import REGISTRY, RETENTION_RULES

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

# slug -> (title, who it is for)
NOTICES = {
    "ages-4-7": ("Your information (ages 4 to 7)", "Pupils aged 4 to 7"),
    "ages-7-11": ("Your information (ages 7 to 11)", "Pupils aged 7 to 11"),
    "ages-11-14": ("How we use your information (ages 11 to 14)", "Pupils aged 11 to 14"),
    "ages-14-18": ("How we use your information (ages 14 to 18)", "Pupils aged 14 to 18"),
    "parents": ("Privacy notice for parents and carers", "Parents and carers"),
    "staff": ("Privacy notice for staff", "Staff"),
}


@bp.route("/")
def index():
    return render_template("privacy/index.html", notices=NOTICES)


@bp.route("/<slug>")
def notice(slug: str):
    if slug not in NOTICES:
        abort(404)
    title, audience = NOTICES[slug]
    return render_template(f"privacy/{slug}.html", title=title, audience=audience, registry=REGISTRY,
                           rules=RETENTION_RULES)


@bp.route("/subject-access")
@require("whole_school")
def subject_access():
    pupils = db.session.scalars(select(User).where(User.school_id == current_user.school_id, User.role == PUPIL)
                                .order_by(User.archived_at.is_not(None), User.display_name)).all()
    return render_template("privacy/subject_access.html", pupils=pupils)


@bp.route("/subject-access/<int:user_id>", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
@require("whole_school")
@require_recent_password
def export(user_id: int):
    pupil = pupil_or_404(user_id)
    form = SubjectAccessForm()
    is_dsl = current_user.role == DSL
    if form.validate_on_submit():
        options = ExportOptions(include_concerns=is_dsl and form.include_concerns.data,
                                include_leader_notes=is_dsl and form.include_leader_notes.data)
        body, result = build_zip(pupil, options)
        if options.include_concerns:
            from ..concerns.services import audit

            count = len(result.tables.get("concern", []))
            audit(current_user.school_id, current_user._get_current_object(), "exported",
                  detail=f"subject access export for pupil {pupil.id}: {count} concerns")
            db.session.commit()
        log_event("subject_access_export", user_id=current_user.id, target_user_id=pupil.id,
                  concerns=options.include_concerns, leader_notes=options.include_leader_notes)
        filename = f"subject-access-{pupil.username}-{school_today():%Y-%m-%d}.zip"
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return render_template("privacy/export.html", pupil=pupil, form=form, is_dsl=is_dsl)


def init_app(app: Flask) -> None:
    """The footer of every page links to the notices; DSL and admins get a subject access link."""
    add_nav_link(app, "admin", "Subject access", "privacy.subject_access")
    add_nav_link(app, "dsl", "Subject access", "privacy.subject_access")
    from .cli import reset_two_step_command, retention_command

    app.cli.add_command(retention_command)
    app.cli.add_command(reset_two_step_command)
