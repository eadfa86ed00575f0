"""The checklist pages: the DSL's checklist with live evidence, item editing, thresholds, reviews, the evidence
report (DSL and school admins read it), its CSV, item exports and the chosen pupil voice."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import require, school_object_or_404
from ..content.taxonomy import STRANDS, strand_name
from ..coverage import svg
from ..coverage.periods import CUSTOM, PERIOD_KINDS, YEAR, PeriodChoice, choose_period
from ..coverage.rollup import percent
from ..database import writing
from ..extensions import db
from ..formutil import ActionForm, choices
from ..schools.models import School
from ..schools.yeargroups import AGE_BAND_LABELS
from ..security_log import log_event
from ..timeutil import school_today
from . import evidence, report, services
from .forms import ItemForm, NewItemForm, PeriodForm, ThresholdsForm, VoiceForm
from .models import COVERAGE, EVIDENCE_SOURCES, RATINGS, UNRATED, ChecklistItem, ChecklistReview
from .rating import Suggestion, Thresholds, suggest_curriculum_rating

bp = Blueprint("checklist", __name__)


def _choice() -> PeriodChoice:
    """The period of the figures: this academic year unless the query string asks for another."""
    args = request.args
    return choose_period(current_user.school_id, args.get("period") or YEAR, args.get("start"), args.get("end"),
                         school_today())


def _period_form(choice: PeriodChoice) -> PeriodForm:
    form = PeriodForm(formdata=None, period=choice.kind)
    if choice.kind == CUSTOM:
        form.start.data, form.end.data = choice.period.start.isoformat(), choice.period.end.isoformat()
    elif (request.args.get("period") or "") in PERIOD_KINDS:
        form.start.data, form.end.data = choice.start_text[:20], choice.end_text[:20]
    return form


def _seeded_items(school_id: int) -> list[ChecklistItem]:
    """The school's items, seeding the checklist the first time (and any item added to checklist.yaml since)."""
    items = services.school_items(school_id)
    if services.missing_seed_items(items):
        with writing():
            services.seed(school_id)
            db.session.commit()
        items = services.school_items(school_id)
    return items


def _suggestion(figures: dict, thresholds: Thresholds) -> Suggestion | None:
    if COVERAGE not in figures:
        return None
    return suggest_curriculum_rating(figures[COVERAGE]["school"]["strands_covered"], thresholds)


def _common(choice: PeriodChoice) -> dict:
    return {"choice": choice, "period": choice.period, "period_args": choice.query_args(),
            "period_form": _period_form(choice), "ratings": RATINGS, "sources": EVIDENCE_SOURCES,
            "strands": STRANDS, "strand_name": strand_name, "band_labels": AGE_BAND_LABELS,
            "summary": evidence.summary, "share_text": evidence.share_text, "duration_text": evidence.duration_text,
            "percent": percent}


# --- the checklist ----------------------------------------------------------------------------------------


@bp.route("/checklist/")
@require("safeguarding")
def index():
    school_id = current_user.school_id
    items = _seeded_items(school_id)
    choice = _choice()
    thresholds = services.thresholds_for(school_id)
    figures = evidence.collect(school_id, choice.period)
    unrated, due = services.due_items(items, school_today())
    return render_template("checklist/index.html", areas=report.areas_of(items, key=lambda item: item.area),
                           figures=figures, thresholds=thresholds, suggestion=_suggestion(figures, thresholds),
                           unrated=unrated, due=due, action_form=ActionForm(), items=items, **_common(choice))


def _item_evidence(item: ChecklistItem, choice: PeriodChoice, thresholds: Thresholds):
    figures = evidence.collect(item.school_id, choice.period, (item.evidence,)) if item.evidence else {}
    suggestion = _suggestion(figures, thresholds) if item.evidence == COVERAGE else None
    return figures, suggestion


@bp.route("/checklist/items/<int:item_id>", methods=["GET", "POST"])
@require("safeguarding")
def edit_item(item_id: int):
    item = school_object_or_404(ChecklistItem, item_id)
    choice = _choice()
    thresholds = services.thresholds_for(item.school_id)
    figures, suggestion = _item_evidence(item, choice, thresholds)
    form = ItemForm(obj=item if request.method == "GET" else None)
    if item.is_custom:
        form.area.choices = choices((area, area) for area in services.areas())
    else:  # the wording and area of the Ofsted checklist are not the school's to change
        del form.area, form.text
    if request.method == "GET":
        form.reason.data = item.rating_reason
    if form.validate_on_submit():
        change = services.ItemChange(
            rating=form.rating.data, reason=form.reason.data or "", notes=form.notes.data or "",
            actions=form.actions.data or "", owner=form.owner.data or "", review_date=form.review_date.data,
            area=form.area.data if item.is_custom else None, text=form.text.data if item.is_custom else None)
        try:
            services.update_item(item, current_user, change, suggestion)
        except services.ChecklistError as error:
            for name, problem in error.problems.items():
                (form[name].errors if name in form else form.rating.errors).append(problem)
        else:
            db.session.commit()
            log_event("checklist_item_saved", user_id=current_user.id, item_id=item.id, rating=item.rating)
            flash("Item saved.", "success")
            return redirect(url_for("checklist.index", **choice.query_args()) + f"#item-{item.id}")
    return render_template("checklist/item.html", item=item, form=form, figures=figures, suggestion=suggestion,
                           thresholds=thresholds, action_form=ActionForm(), **_common(choice))


@bp.route("/checklist/items/<int:item_id>/accept", methods=["POST"])
@require("safeguarding")
def accept_suggestion(item_id: int):
    item = school_object_or_404(ChecklistItem, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    choice = _choice()
    _figures, suggestion = _item_evidence(item, choice, services.thresholds_for(item.school_id))
    if suggestion is None:
        abort(404)
    try:
        services.accept_suggestion(item, current_user, suggestion)
    except services.ChecklistError as error:
        flash(str(error), "error")
        return redirect(url_for("checklist.edit_item", item_id=item.id, **choice.query_args()))
    db.session.commit()
    log_event("checklist_item_saved", user_id=current_user.id, item_id=item.id, rating=item.rating)
    flash(f"Suggestion accepted: {item.rating_label}.", "success")
    return redirect(url_for("checklist.index", **choice.query_args()) + f"#item-{item.id}")


@bp.route("/checklist/items/<int:item_id>/delete", methods=["POST"])
@require("safeguarding")
def delete_item(item_id: int):
    item = school_object_or_404(ChecklistItem, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_item(item)
    except services.ChecklistError as error:
        flash(str(error), "error")
        return redirect(url_for("checklist.edit_item", item_id=item.id))
    db.session.commit()
    log_event("checklist_item_deleted", user_id=current_user.id, item_id=item_id)
    flash("Item deleted.", "success")
    return redirect(url_for("checklist.index"))


@bp.route("/checklist/items/new", methods=["GET", "POST"])
@require("safeguarding")
def add_item():
    form = NewItemForm()
    form.area.choices = choices((area, area) for area in services.areas())
    if form.validate_on_submit():
        try:
            item = services.add_item(current_user.school_id, form.area.data, form.text.data)
        except services.ChecklistError as error:
            for name, problem in error.problems.items():
                form[name].errors.append(problem)
        else:
            db.session.commit()
            flash("Item added. Rate it when you are ready.", "success")
            return redirect(url_for("checklist.index") + f"#item-{item.id}")
    return render_template("checklist/new_item.html", form=form)


@bp.route("/checklist/items/<int:item_id>/export")
@require("safeguarding")
def export_item(item_id: int):
    item = school_object_or_404(ChecklistItem, item_id)
    choice = _choice()
    thresholds = services.thresholds_for(item.school_id)
    figures, _suggestion_now = _item_evidence(item, choice, thresholds)
    sections = report.item_sections(services.item_snapshot(item), figures.get(item.evidence), choice.period.name,
                                    thresholds.min_strands)
    if request.args.get("download"):
        text = report.item_text(services.item_snapshot(item), sections)
        return Response(text, mimetype="text/plain", headers={
            "Content-Disposition": f'attachment; filename="checklist-item-{item.id}.txt"'})
    return render_template("checklist/export.html", item=item, sections=sections, **_common(choice))


@bp.route("/checklist/thresholds", methods=["GET", "POST"])
@require("safeguarding")
def thresholds():
    current = services.thresholds_for(current_user.school_id)
    form = ThresholdsForm(data=current.as_dict() if request.method == "GET" else None)
    if form.validate_on_submit():
        wanted = Thresholds(form.green_percent.data, form.amber_percent.data, form.min_strands.data)
        try:
            services.save_thresholds(current_user.school_id, current_user, wanted)
        except services.ChecklistError as error:
            for name, problem in error.problems.items():
                form[name].errors.append(problem)
        else:
            db.session.commit()
            flash("Thresholds saved. The suggested curriculum rating now uses them.", "success")
            return redirect(url_for("checklist.index"))
    return render_template("checklist/thresholds.html", form=form, current=current, defaults=Thresholds())


@bp.route("/checklist/review", methods=["POST"])
@require("safeguarding")
def record_review():
    if not ActionForm().validate_on_submit():
        abort(400)
    school_id = current_user.school_id
    items = _seeded_items(school_id)
    choice = _choice()
    thresholds = services.thresholds_for(school_id)
    figures = evidence.collect(school_id, choice.period)
    school = db.session.get(School, school_id)
    review = services.record_review(school_id, school.name, current_user, choice.period, items, figures, thresholds,
                                    _suggestion(figures, thresholds))
    db.session.commit()
    log_event("checklist_reviewed", user_id=current_user.id, review_id=review.id)
    flash("Review recorded. This is the evidence report of that review.", "success")
    return redirect(url_for("checklist.report_page"))


# --- the evidence report ------------------------------------------------------------------------------------


def _report_review() -> tuple[ChecklistReview | None, list[ChecklistReview]]:
    wanted = request.args.get("review")
    review_id = None
    if wanted is not None:
        if not wanted.isdigit():
            abort(404)
        review_id = int(wanted)
    shown, reviews = services.reviews_of_year(current_user.school_id, review_id)
    if review_id is not None and shown is None:
        abort(404)
    return shown, reviews


def _band_heatmap(coverage: dict):
    groups = [coverage["school"], *coverage["bands"]]
    cells = [[svg.HeatCell(None if not g["pupils"] else g["covered"][slug] / g["pupils"],
                           "–" if not g["pupils"] else f"{percent(g['covered'][slug], g['pupils'])}%",
                           f"{g['covered'][slug]} of {g['pupils']} pupils") for g in groups] for slug in STRANDS]
    return svg.heatmap("band-heat", "Pupils who completed a lesson in each strand, by age band",
                       "For each strand, the share of pupils of the school and of each age band who completed at "
                       "least one lesson of it at their band. The same figures are in the table below.",
                       list(STRANDS.values()), [g["label"] for g in groups], cells, cell_width=96)


@bp.route("/checklist/report")
@require("read_checklist_report")
def report_page():
    school_id = current_user.school_id
    shown, reviews = _report_review()
    voice = services.chosen_voice(school_id)
    if shown is None:
        items = [services.item_snapshot(item) for item in services.school_items(school_id)]
        school = db.session.get(School, school_id)
        return render_template("checklist/report.html", review=None, snapshot=None, school_name=school.name,
                               areas=report.areas_of(items), voice=voice, earlier=[], ratings=RATINGS,
                               band_labels=AGE_BAND_LABELS)
    snapshot = shown.snapshot
    figures = snapshot["figures"]
    trend = report.history(snapshot, reviews)
    charts = {}
    if COVERAGE in figures:
        charts = {"heat": _band_heatmap(figures[COVERAGE]), "bars": report.distribution_chart(
            figures[COVERAGE]["school"], snapshot["thresholds"]["min_strands"], "strand-bars")}
    return render_template("checklist/report.html", review=shown, snapshot=snapshot, figures=figures,
                           school_name=snapshot.get("school_name", ""), areas=report.areas_of(snapshot["items"]),
                           trend=trend, charts=charts, voice=voice, earlier=services.review_list(school_id),
                           ratings=RATINGS, sources=EVIDENCE_SOURCES, strands=STRANDS, band_labels=AGE_BAND_LABELS,
                           summary=evidence.summary, share_text=evidence.share_text,
                           duration_text=evidence.duration_text, percent=percent,
                           min_strands=snapshot["thresholds"]["min_strands"])


@bp.route("/checklist/report.csv")
@require("read_checklist_report")
def report_csv():
    school_id = current_user.school_id
    shown, reviews = _report_review()
    voice = services.chosen_voice(school_id)
    if shown is None:  # no review yet: the checklist as it is now, without figures
        items = [services.item_snapshot(item) for item in services.school_items(school_id)]
        text = report.checklist_csv(db.session.get(School, school_id).name, items, voice)
        name = f"e-safeguarding-checklist-{school_today():%Y-%m-%d}.csv"
    else:
        text = report.report_csv(shown, report.history(shown.snapshot, reviews), voice)
        name = f"e-safeguarding-evidence-{shown.reviewed_at:%Y-%m-%d}.csv"
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- pupil voice -------------------------------------------------------------------------------------------


@bp.route("/checklist/pupil-voice", methods=["GET", "POST"])
@require("safeguarding")
def pupil_voice():
    school_id = current_user.school_id
    candidates = services.voice_candidates(school_id)
    form = VoiceForm()
    form.reflections.choices = choices((reflection.id, reflection.text) for reflection, _chosen in candidates)
    if request.method == "GET":
        form.reflections.data = [reflection.id for reflection, chosen in candidates if chosen]
    if form.validate_on_submit():
        try:
            count = services.choose_voice(school_id, current_user, form.reflections.data or [])
        except services.ChecklistError as error:
            form.reflections.errors = [*form.reflections.errors, *error.problems.values()]
        else:
            db.session.commit()
            flash(f"{count} reflection{'' if count == 1 else 's'} chosen for the report.", "success")
            return redirect(url_for("checklist.pupil_voice"))
    return render_template("checklist/voice.html", form=form, candidates=candidates, band_labels=AGE_BAND_LABELS,
                           limit=services.VOICE_MAX)


# --- links, panels ------------------------------------------------------------------------------------------


def _dsl_panel() -> dict:
    """What the DSL's home panel shows: not yet rated and due for review (one query)."""
    items = services.school_items(current_user.school_id)
    unrated, due = services.due_items(items, school_today())
    return {"started": bool(items), "unrated": unrated, "due": due}


def init_app(app) -> None:
    from ..security import add_session_fact
    from ..templating import add_nav_link, add_panel
    from . import aup, aup_views

    app.register_blueprint(aup_views.bp)
    add_session_fact(app, "aup_state", aup.state_expression)
    add_nav_link(app, "dsl", "Checklist", "checklist.index", "safeguarding")
    add_nav_link(app, "admin", "Safeguarding evidence", "checklist.report_page", "read_checklist_report")
    add_nav_link(app, "admin", "Acceptable use policy", "aup.manage", "manage_aup")
    add_nav_link(app, "pupil", "Our computer rules", "aup.acknowledge", shown_to=aup.policy_published)
    add_panel(app, "dsl", "checklist/_dsl_panel.html")
    add_panel(app, "staff", "checklist/_aup_panel.html")
    add_panel(app, "pupil", "checklist/_aup_pupil_panel.html")
    app.add_template_global(_dsl_panel, "checklist_panel")
    app.add_template_global(UNRATED, "UNRATED")
    app.add_template_global(lambda: aup.policy_state(current_user._get_current_object()), "aup_state")
