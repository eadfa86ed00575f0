"""Installed packs (a list for staff and the deployment admin) and pack media."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import func, select

from ..access import require
from ..extensions import db
from .models import Lesson, Pack, PackMedia
from .services import installed_packs

bp = Blueprint("content", __name__, url_prefix="/content")


@bp.route("/packs")
@require("see_packs")
def packs():
    counts = dict(db.session.execute(
        select(Lesson.pack_id, func.count(Lesson.id)).where(Lesson.retired.is_(False)).group_by(Lesson.pack_id)
    ).all())
    return render_template("content/packs.html", packs=installed_packs(), counts=counts)


@bp.route("/media/<pack_slug>/<path:path>")
@login_required
def media(pack_slug: str, path: str):
    row = db.session.scalar(
        select(PackMedia).join(Pack, Pack.id == PackMedia.pack_id).where(Pack.slug == pack_slug, PackMedia.path == path)
    )
    if row is None:
        abort(404)
    return row.data, 200, {"Content-Type": row.content_type, "Content-Disposition": "inline"}


def init_app(app) -> None:
    from ..templating import add_nav_link
    from . import snapshots

    snapshots.init_app(app)
    add_nav_link(app, "admin", "Content packs", "content.packs")
