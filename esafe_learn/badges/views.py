"""Badge pages: a pupil's badge wall, staff recognition per class and per pupil, school badges, and
the public Open Badges documents (readable without signing in, revealing no names)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import class_or_404, pupil_or_404, require, school_object_or_404
from ..auth.models import PUPIL
from ..content.models import PackBadge
from ..content.taxonomy import STRANDS
from ..extensions import db
from ..formutil import choices
from ..schools.models import School
from ..security_log import log_event
from ..timeutil import school_today
from . import baking, openbadges, services
from .forms import AwardForm, IssuerForm, PupilAwardForm, RevokeForm, SchoolBadgeForm
from .models import BadgeAward, SchoolBadge

bp = Blueprint("badges", __name__, url_prefix="/badges")

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# --- pupils --------------------------------------------------------------------------------------


@bp.route("/")
@require("pupil_area")
def wall():
    return render_template("badges/wall.html", wall=services.pupil_wall(current_user))


# --- staff: a class, a pupil, taking a badge back ------------------------------------------------------


def _badge_choices(form_field) -> None:
    form_field.choices = choices([("", "Choose a badge"), *((view.key, view.name) for view in
                                                            services.awardable_badges(current_user.school_id))])


def _chosen_badge(key: str):
    badge = services.badge_for_key(key, current_user.school_id)
    if badge is None:
        abort(400)
    return badge


def _award(pupils, form) -> bool:
    """Give the chosen badge; flash what happened. False when the form gets the error instead."""
    try:
        awarded, already = services.award_to_pupils(current_user, pupils, _chosen_badge(form.badge.data),
                                                    form.reason.data)
    except services.BadgeError as error:
        form.badge.errors.append(str(error))
        return False
    # everything the messages need is read before the commit, which expires every loaded object
    given = [(award.id, award.user_id) for award in awarded]
    names = {pupil.id: pupil.display_name for pupil in pupils}
    already_names = [names[pupil.id] for pupil in already]
    staff_id = current_user.id
    db.session.commit()
    for award_id, pupil_id in given:
        log_event("badge_awarded", user_id=staff_id, target_user_id=pupil_id, award_id=award_id)
    if given:
        flash("Badge given to " + ", ".join(names[pupil_id] for _award_id, pupil_id in given) + ".", "success")
    if already_names:
        flash("Already had this badge: " + ", ".join(already_names) + ".", "info")
    return True


@bp.route("/classes/<int:class_id>", methods=["GET", "POST"])
@require("staff_area")
def class_page(class_id: int):
    school_class = class_or_404(class_id)
    pupils = services.active_pupils(school_class)
    form = AwardForm()
    form.pupils.choices = choices((p.id, p.display_name) for p in pupils)
    _badge_choices(form.badge)
    if form.validate_on_submit():
        chosen = [p for p in pupils if p.id in set(form.pupils.data)]
        if _award(chosen, form):
            return redirect(url_for("badges.class_page", class_id=school_class.id))
    summary = services.class_badges(school_class, school_today())
    return render_template("badges/class.html", school_class=school_class, form=form, summary=summary,
                           has_pupils=bool(pupils))


@bp.route("/classes/<int:class_id>/board")
@require("staff_area")
def board(class_id: int):
    school_class = class_or_404(class_id)
    return render_template("badges/board.html", school_class=school_class,
                           rows=services.class_board(school_class))


@bp.route("/pupils/<int:user_id>", methods=["GET", "POST"])
@require("staff_area")
def pupil_page(user_id: int):
    pupil = pupil_or_404(user_id)
    form = PupilAwardForm()
    _badge_choices(form.badge)
    if form.validate_on_submit() and _award([pupil], form):
        return redirect(url_for("badges.pupil_page", user_id=pupil.id))
    awards = [(award, services.award_view(award)) for award in services.pupil_awards(pupil.id, include_revoked=True)]
    return render_template("badges/pupil.html", pupil=pupil, form=form, awards=awards)


@bp.route("/awards/<int:award_id>/revoke", methods=["GET", "POST"])
@require("staff_area")
def revoke(award_id: int):
    award = school_object_or_404(BadgeAward, award_id)
    pupil = pupil_or_404(award.user_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_award(award, current_user, form.reason.data)
        except services.BadgeError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            log_event("badge_revoked", user_id=current_user.id, target_user_id=pupil.id, award_id=award.id)
            flash(f"The badge was taken back. {pupil.display_name} no longer sees it.", "success")
            return redirect(url_for("badges.pupil_page", user_id=pupil.id))
    return render_template("badges/revoke.html", award=award, view=services.award_view(award), pupil=pupil,
                           form=form)


# --- staff: the school's own badges and Open Badges details ----------------------------------------


@bp.route("/school", methods=["GET", "POST"])
@require("staff_area")
def school_badges():
    form = SchoolBadgeForm()
    if form.validate_on_submit():
        try:
            badge = services.save_school_badge(None, current_user.school_id, current_user, name=form.name.data,
                                               description=form.description.data, icon=form.icon.data,
                                               strand=form.strand.data or None)
        except services.BadgeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            log_event("school_badge_saved", user_id=current_user.id, school_badge_id=badge.id)
            flash(f"The badge {badge.name} is ready to give.", "success")
            return redirect(url_for("badges.school_badges"))
    pack_badges = [b for b in db.session.scalars(select(PackBadge).where(PackBadge.retired.is_(False))
                                                 .order_by(PackBadge.name))]
    return render_template("badges/school_badges.html", form=form, strands=STRANDS,
                           badges=services.school_badges(current_user.school_id),
                           pack_badges=[services.pack_badge_view(b) for b in pack_badges])


@bp.route("/school/<int:school_badge_id>", methods=["GET", "POST"])
@require("staff_area")
def edit_school_badge(school_badge_id: int):
    badge = school_object_or_404(SchoolBadge, school_badge_id)
    form = SchoolBadgeForm(obj=badge)
    if not form.is_submitted():
        form.strand.data = badge.strand or ""
    if form.validate_on_submit():
        try:
            services.save_school_badge(badge, current_user.school_id, current_user, name=form.name.data,
                                       description=form.description.data, icon=form.icon.data,
                                       strand=form.strand.data or None, retired=form.retired.data)
        except services.BadgeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            log_event("school_badge_saved", user_id=current_user.id, school_badge_id=badge.id)
            flash(f"The badge {badge.name} is saved.", "success")
            return redirect(url_for("badges.school_badges"))
    return render_template("badges/school_badge_edit.html", form=form, badge=badge)


@bp.route("/school/open-badges", methods=["GET", "POST"])
@require("manage_school")
def issuer_settings():
    school = db.session.get(School, current_user.school_id)
    issuer = services.issuer_for(school.id)
    form = IssuerForm(obj=issuer)
    if form.validate_on_submit():
        services.save_issuer(school.id, form.email.data, form.website.data)
        db.session.commit()
        flash("Saved. Badges your pupils download now carry these details.", "success")
        return redirect(url_for("badges.issuer_settings"))
    return render_template("badges/issuer.html", form=form, school=school,
                           issuer_url=openbadges.issuer_url(school))


# --- public: Open Badges hosted verification ---------------------------------------------------------


def _json(document: dict, status: int = 200) -> Response:
    best = request.accept_mimetypes.best_match([openbadges.MEDIA_TYPE, "application/json"])
    mimetype = "application/json" if best == "application/json" else openbadges.MEDIA_TYPE
    response = Response(openbadges.dumps(document), status=status, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _public_award(public_id: str) -> BadgeAward:
    if not UUID_PATTERN.match(public_id):
        abort(404)
    award = db.session.scalar(select(BadgeAward).where(BadgeAward.public_id == public_id))
    if award is None:
        abort(404)
    return award


def _public_badge(badge_key: str, school: School | None) -> services.BadgeView:
    """A badge's public description: of the issuing school when the URL names one, else of any school."""
    badge = (services.badge_for_key(badge_key, school.id) if school is not None
             else services.published_badge_for_key(badge_key))
    if badge is None:
        abort(404)
    return services.badge_view(badge)


def _school_by_slug(school_slug: str) -> School:
    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        abort(404)
    return school


@bp.route("/ob/issuers/<school_slug>")
def ob_issuer(school_slug: str):
    return _json(openbadges.issuer_document(_school_by_slug(school_slug)))


@bp.route("/ob/issuers/<school_slug>/badges/<badge_key>")
def ob_badge_class(school_slug: str, badge_key: str):
    school = _school_by_slug(school_slug)
    return _json(openbadges.badge_class_document(school, _public_badge(badge_key, school)))


@bp.route("/ob/images/<badge_key>.png")
def badge_image(badge_key: str):
    png = openbadges.badge_png(_public_badge(badge_key, None))
    return Response(png, mimetype="image/png", headers={"Access-Control-Allow-Origin": "*"})


@bp.route("/ob/assertions/<public_id>")
def ob_assertion(public_id: str):
    award = _public_award(public_id)
    if award.revoked:
        return _json(openbadges.revoked_document(award), 410)
    return _json(openbadges.assertion_document(award))


@bp.route("/ob/assertions/<public_id>/badge.png")
def ob_baked_image(public_id: str):
    award = _public_award(public_id)
    if award.revoked:
        return _json(openbadges.revoked_document(award), 410)
    view = services.award_view(award)
    png = baking.bake(openbadges.badge_png(view), openbadges.dumps(openbadges.assertion_document(award)))
    response = Response(png, mimetype="image/png")
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.args.get("download"):
        filename = re.sub(r"[^a-z0-9]+", "-", view.name.lower()).strip("-") or "badge"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.png"'
    return response


def init_app(app) -> None:
    from ..templating import add_class_link, add_nav_link, add_panel
    from . import receivers

    add_nav_link(app, "pupil", "My badges", "badges.wall")
    add_nav_link(app, "staff", "Badges", "badges.school_badges")
    add_panel(app, "pupil", "badges/_home_panel.html")
    add_class_link(app, "Badges", "badges.class_page")
    receivers.connect(app)

    def latest_badges(limit: int = 3):
        if not current_user.is_authenticated or current_user.role != PUPIL:
            return []
        return [(award, services.award_view(award)) for award in services.pupil_awards(current_user.id, limit=limit)]

    app.jinja_env.globals.update(
        badge_image=receivers.image_src,
        latest_badges=latest_badges,
        badge_download=lambda award: url_for("badges.ob_baked_image", public_id=award.public_id, download=1),
        badge_json=lambda award: url_for("badges.ob_assertion", public_id=award.public_id),
    )
