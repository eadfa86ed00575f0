"""Coverage pages: a class (its teachers, the DSL, admins), the school (DSL, admins), a pupil (their
teachers), CSV exports of each, and the school's term dates (school admins)."""

from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..access import class_or_404, pupil_or_404, require, school_object_or_404
from ..auth.services import session_facts
from ..content.snapshots import lesson_catalogue
from ..content.taxonomy import STRANDS, strand_name
from ..csvfiles import filename
from ..extensions import db
from ..schools.terms import SchoolTerm, school_terms
from ..schools.yeargroups import AGE_BAND_LABELS, year_label
from ..security_log import log_event
from ..timeutil import school_today
from . import exports, services, svg, termdates
from .forms import DeleteTermForm, PeriodForm, TermForm
from .periods import CUSTOM, PERIOD_KINDS, PeriodChoice, choose_period

bp = Blueprint("coverage", __name__, url_prefix="/coverage")


def _catalogue():
    """Every installed lesson, as this process keeps it while no pack changes."""
    return lesson_catalogue(current_app, session_facts(current_user).get("content_revision"))


def _choice() -> PeriodChoice:
    args = request.args
    return choose_period(current_user.school_id, args.get("period"), args.get("start"), args.get("end"), school_today())


def _period_form(choice: PeriodChoice, sort: str | None = None) -> PeriodForm:
    asked = (request.args.get("period") or "").strip().lower()
    form = PeriodForm(formdata=None, period=asked if asked in PERIOD_KINDS else choice.kind, sort=sort or "")
    if choice.kind == CUSTOM:
        form.start.data, form.end.data = choice.period.start.isoformat(), choice.period.end.isoformat()
    else:
        form.start.data, form.end.data = choice.start_text[:20], choice.end_text[:20]
    return form


def _csv(text: str, name: str, kind: str, **ids) -> Response:
    log_event("coverage_export", user_id=current_user.id, export=kind, **ids)
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _common(choice: PeriodChoice, sort: str | None = None) -> dict:
    return {"choice": choice, "period": choice.period, "period_args": choice.query_args(),
            "period_form": _period_form(choice, sort), "year_label": year_label, "band_labels": AGE_BAND_LABELS,
            "strand_name": strand_name, "heat_step": svg.heat_step}


# --- a class --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _grid_cell(status: str, label: str, best_score: int | None, in_period: bool) -> Markup:
    star = Markup(' <span aria-label="in this period">★</span>') if in_period else ""
    score = Markup('<br><span class="score"><span class="visually-hidden">best score </span>{}%</span>').format(
        best_score) if best_score is not None and status != services.NOT_STARTED else ""
    return Markup('<td class="cell-{}">{}{}{}</td>').format(status, label, star, score)


def grid_cells(row: services.GridRow) -> Markup:
    """A pupil's cells of the pupils-and-lessons grid. A class of 30 has about a thousand cells but few
    distinct ones, so each distinct cell is built once per process instead of through the template every time."""
    return Markup("").join(_grid_cell(cell.status, cell.label, cell.best_score, cell.in_period) for cell in row.cells)


def class_heatmap(report: services.ClassReport):
    cells = [[svg.HeatCell(s.share, "–" if s.percent is None else f"{s.percent}%",
                           f"{s.pupils_completed} of {s.pupils} pupils")] for s in report.strands]
    return svg.heatmap(
        "strand-heat", f"Strands covered by {report.name}, {report.period.name}",
        "For each strand, the share of the class's pupils who completed at least one lesson of it at their "
        "band. The same figures are in the table below.",
        [s.name for s in report.strands], ["Pupils who completed a lesson"], cells, cell_width=210,
    )


@bp.route("/classes/<int:class_id>")
@require("staff_area")
def class_page(class_id: int):
    school_class = class_or_404(class_id)
    choice = _choice()
    report = services.class_report(school_class, choice.period, school_today(), _catalogue())
    sort, rows = services.sort_rows(report, request.args.get("sort"))
    return render_template("coverage/class.html", school_class=school_class, report=report, rows=rows, sort=sort,
                           heatmap=class_heatmap(report), completed_by=report.completed_by(),
                           **_common(choice, sort))


@bp.route("/classes/<int:class_id>/grid.csv")
@require("staff_area")
def class_grid_csv(class_id: int):
    school_class = class_or_404(class_id)
    choice = _choice()
    report = services.class_report(school_class, choice.period, school_today(), _catalogue())
    return _csv(exports.grid_csv(report), filename("coverage", report.name, "pupils-and-lessons"),
                "class_grid", class_id=school_class.id)


@bp.route("/classes/<int:class_id>/strands.csv")
@require("staff_area")
def class_strands_csv(class_id: int):
    school_class = class_or_404(class_id)
    choice = _choice()
    report = services.class_report(school_class, choice.period, school_today(), _catalogue())
    period = choice.period
    return _csv(exports.strands_csv(report),
                filename("coverage", report.name, "strands", period.start.isoformat(), period.end.isoformat()),
                "class_strands", class_id=school_class.id)


# --- the school -----------------------------------------------------------------------------------


def school_charts(report: services.SchoolReport, today: date) -> dict:
    years = report.year_groups
    cells = [[svg.HeatCell(g.share(slug), "–" if g.percent(slug) is None else f"{g.percent(slug)}%",
                           f"{g.covered[slug]} of {g.pupils} pupils") for g in years] for slug in STRANDS]
    heat = svg.heatmap(
        "year-heat", f"Strands covered by year group, {report.period.name}",
        "For each strand and year group, the share of pupils who completed at least one lesson of the strand at "
        "their band. The same figures are in the year group table below.",
        [strand_name(slug) for slug in STRANDS], [g.label for g in years], cells, cell_width=60,
    )
    trend = None
    if report.trend_year is not None:
        trend = svg.trend_line(
            "weekly-trend", f"Lessons completed per week, {report.trend_year.name}",
            f"Lessons completed by pupils so far this school year: {report.trend_total:,}. "
            "The weekly figures are in the table below the chart.", report.trend,
            last_day=report.trend_year.end, latest_partial=report.trend_year.contains(today),
        )
    return {"year_heatmap": heat if years else None, "trend_chart": trend}


@bp.route("/school")
@require("whole_school")
def school_page():
    choice, today = _choice(), school_today()
    report = services.school_report(current_user.school_id, choice.period, today)
    return render_template("coverage/school.html", report=report, strands=list(STRANDS),
                           **school_charts(report, today), **_common(choice))


@bp.route("/school.csv")
@require("whole_school")
def school_csv():
    choice = _choice()
    report = services.school_report(current_user.school_id, choice.period, school_today(), with_trend=False)
    period = choice.period
    return _csv(exports.school_csv(report),
                filename("coverage", "school", period.start.isoformat(), period.end.isoformat()), "school")


# --- a pupil --------------------------------------------------------------------------------------


@bp.route("/pupils/<int:user_id>")
@require("staff_area")
def pupil_page(user_id: int):
    pupil = pupil_or_404(user_id)
    choice = _choice()
    report = services.pupil_report(pupil, choice.period)
    return render_template("coverage/pupil.html", pupil=pupil, report=report, **_common(choice))


# --- term dates -----------------------------------------------------------------------------------


@bp.route("/terms", methods=["GET", "POST"])
@require("manage_school")
def terms():
    form = TermForm()
    if request.method == "POST" and "term_id" in request.form:
        delete_form = DeleteTermForm()
        if not delete_form.validate_on_submit():
            abort(400)
        term = school_object_or_404(SchoolTerm, delete_form.term_id.data)
        name = term.name
        termdates.delete_term(term)
        db.session.commit()
        flash(f"{name} deleted.", "success")
        return redirect(url_for("coverage.terms"))
    if form.validate_on_submit():
        try:
            term = termdates.add_term(current_user.school_id, form.name.data, form.starts_on.data, form.ends_on.data)
        except termdates.TermError as error:
            form.starts_on.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{term.name} added.", "success")
            return redirect(url_for("coverage.terms"))
    today = school_today()
    return render_template("coverage/terms.html", form=form, rows=termdates.school_term_rows(current_user.school_id),
                           in_use=school_terms(current_user.school_id, today), delete_form=DeleteTermForm(),
                           today=today)


def init_app(app) -> None:
    from ..templating import add_class_link, add_nav_link

    add_class_link(app, "Coverage", "coverage.class_page")
    app.add_template_filter(grid_cells, "grid_cells")
    add_nav_link(app, "staff", "School coverage", "coverage.school_page", permission="whole_school")
    add_nav_link(app, "admin", "Term dates", "coverage.terms")
