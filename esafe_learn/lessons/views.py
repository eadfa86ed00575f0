"""Lessons for learners (list, reading through, finishing) and for staff (library, preview, setting)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from ..access import class_or_404, require, school_object_or_404
from ..auth.models import PUPIL
from ..auth.services import session_facts
from ..content.models import Lesson, LessonBand, Pack
from ..content.snapshots import LessonSnapshot, lesson_snapshot
from ..content.taxonomy import STRANDS
from ..extensions import db
from ..formutil import choices
from ..schools.models import ClassMembership
from ..schools.services import pupil_band, visible_classes
from ..signals import lesson_completed
from . import services
from .forms import LibraryFilterForm, SetLessonForm
from .models import LessonAssignment, LessonProgress, Reflection

bp = Blueprint("lessons", __name__, url_prefix="/lessons")


def learner_band() -> str:
    return pupil_band(current_user) if current_user.role == PUPIL else "staff"


def lesson_or_404(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


def learner_lesson_or_404(lesson_id: int) -> LessonSnapshot:
    """The lesson as learners' pages read it (kept by this process while no pack changes)."""
    lesson = lesson_snapshot(current_app, lesson_id, session_facts(current_user).get("content_revision"))
    if lesson is None:
        abort(404)
    return lesson


def studyable_lesson_or_404(lesson_id: int) -> tuple[LessonSnapshot, str]:
    """A lesson the signed-in learner may work on, with their band."""
    return studyable_or_404(learner_lesson_or_404(lesson_id))


def studyable_or_404(lesson: LessonSnapshot) -> tuple[LessonSnapshot, str]:
    band = learner_band()
    if not services.may_study(current_user, lesson, band):
        abort(404)
    return lesson, band


def announce_new(results) -> None:
    """Show the learner what a signal's receivers say they just earned."""
    for _receiver, earned in results:
        for item in earned or []:
            flash(f"New badge: {item['name']}! {item['description']}", "badge")


@bp.route("/")
@require("learner")
def index():
    return render_template("lessons/list.html", listing=services.lesson_list(current_user), strands=STRANDS)


@bp.route("/<int:lesson_id>")
@require("learner")
def lesson(lesson_id: int):
    lesson = learner_lesson_or_404(lesson_id)
    if current_user.role != PUPIL and lesson.audience != "staff":
        return redirect(url_for("lessons.preview", lesson_id=lesson_id))
    studyable_or_404(lesson)
    if request.args.get("view") == "easy" and lesson.has_easy_read:
        return render_template("lessons/easy.html", lesson=lesson)
    parts = len(lesson.sections) + (1 if lesson.intro_html else 0)
    part = request.args.get("part", "1")
    part = int(part) if part.isdigit() else 1
    part = min(max(part, 1), max(parts, 1))
    return render_template("lessons/lesson.html", lesson=lesson, part=part, parts=parts,
                           section=_section(lesson, part), strands=STRANDS)


def _section(lesson: LessonSnapshot, part: int) -> dict:
    intro = [{"title": "Introduction", "html": lesson.intro_html}] if lesson.intro_html else []
    sections = intro + list(lesson.sections)
    return sections[part - 1] if sections else {"title": lesson.title, "html": ""}


@bp.route("/<int:lesson_id>/finish", methods=["POST"])
@require("learner")
def finish(lesson_id: int):
    """The end of a lesson without a quiz: reaching it completes the lesson."""
    lesson, band = studyable_lesson_or_404(lesson_id)
    if lesson.has_quiz:
        return redirect(url_for("quizzes.quiz", lesson_id=lesson.id))
    progress, newly_completed = services.record_end_reached(current_user, lesson, band)
    results = lesson_completed.send(current_app._get_current_object(), user=current_user._get_current_object(),
                                    lesson=lesson, progress=progress) if newly_completed else []
    db.session.commit()
    announce_new(results)
    flash("Well done! You finished this lesson.", "success")
    return redirect(url_for("lessons.index"))


# --- staff ----------------------------------------------------------------------------------------


@bp.route("/library")
@require("staff_area")
def library():
    form = LibraryFilterForm(request.args)
    query = select(Lesson).join(Pack).where(Lesson.retired.is_(False), Lesson.audience != "staff")
    if form.validate():
        if form.band.data:
            query = query.where(Lesson.id.in_(select(LessonBand.lesson_id).where(LessonBand.band == form.band.data)))
        if form.strand.data:
            query = query.where(Lesson.strand == form.strand.data)
        if form.q.data:
            needle = f"%{form.q.data.strip()}%"
            query = query.where(or_(Lesson.title.ilike(needle), Lesson.summary.ilike(needle)))
    lessons = db.session.scalars(query.order_by(Pack.title, Lesson.position)).all()
    return render_template("lessons/library.html", lessons=lessons, form=form, strands=STRANDS)


@bp.route("/<int:lesson_id>/preview", methods=["GET", "POST"])
@require("staff_area")
def preview(lesson_id: int):
    """A staff member's view: all of the lesson, teacher notes and answers; nothing counts as progress."""
    lesson = lesson_or_404(lesson_id)
    classes = visible_classes(current_user)
    form = SetLessonForm()
    form.class_id.choices = choices((c.id, c.name) for c in classes)
    if form.validate_on_submit():
        school_class = class_or_404(form.class_id.data)
        try:
            services.set_lesson_for_class(current_user, school_class, lesson, form.due_date.data)
        except services.LessonError as error:
            form.class_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"“{lesson.title}” is set for {school_class.name}.", "success")
            return redirect(url_for("lessons.class_lessons", class_id=school_class.id))
    misconceptions = lesson.pack.misconceptions
    return render_template("lessons/preview.html", lesson=lesson, form=form, classes=classes, strands=STRANDS,
                           misconceptions=misconceptions)


@bp.route("/classes/<int:class_id>")
@require("staff_area")
def class_lessons(class_id: int):
    """Lessons set for a class and who has done them."""
    school_class = class_or_404(class_id)
    assignments = services.class_assignments(school_class)
    pupils = school_class.pupils
    done = {
        (row.user_id, row.lesson_id)
        for row in db.session.execute(
            select(LessonProgress.user_id, LessonProgress.lesson_id)
            .join(ClassMembership, ClassMembership.user_id == LessonProgress.user_id)
            .where(ClassMembership.class_id == school_class.id, LessonProgress.completed_at.is_not(None))
        )
    }
    done_counts = {a.lesson_id: sum((p.id, a.lesson_id) in done for p in pupils) for a in assignments}
    return render_template("lessons/class_lessons.html", school_class=school_class, assignments=assignments,
                           pupils=pupils, done=done, done_counts=done_counts)


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@require("staff_area")
def remove_assignment(assignment_id: int):
    assignment = school_object_or_404(LessonAssignment, assignment_id)
    school_class = class_or_404(assignment.class_id)
    services.unset_lesson(assignment)
    db.session.commit()
    flash("The lesson is no longer set for this class.", "success")
    return redirect(url_for("lessons.class_lessons", class_id=school_class.id))


@bp.route("/classes/<int:class_id>/reflections")
@require("staff_area")
def reflections(class_id: int):
    school_class = class_or_404(class_id)
    rows = db.session.execute(
        select(Reflection, Lesson.title)
        .join(Lesson, Lesson.id == Reflection.lesson_id)
        .join(ClassMembership, ClassMembership.user_id == Reflection.user_id)
        .where(ClassMembership.class_id == school_class.id)
        .order_by(Reflection.created_at.desc())
    ).all()
    names = {p.id: p.display_name for p in school_class.pupils}
    return render_template("lessons/reflections.html", school_class=school_class, rows=rows, names=names)


@bp.route("/reflections/<int:reflection_id>/voice", methods=["POST"])
@require("staff_area")
def toggle_pupil_voice(reflection_id: int):
    """Mark a reflection as anonymous pupil voice for the school's evidence (or unmark it)."""
    reflection = school_object_or_404(Reflection, reflection_id)
    class_id = request.form.get("class_id", type=int)
    school_class = class_or_404(class_id) if class_id else None
    if school_class is None or reflection.user_id not in {p.id for p in school_class.pupils}:
        abort(404)
    reflection.pupil_voice = not reflection.pupil_voice
    reflection.marked_by_id = current_user.id
    db.session.commit()
    flash("Marked as pupil voice." if reflection.pupil_voice else "No longer marked as pupil voice.", "success")
    return redirect(url_for("lessons.reflections", class_id=school_class.id))


def init_app(app) -> None:
    from ..templating import add_class_link, add_nav_link, add_panel

    add_panel(app, "pupil", "lessons/_home_panel.html")
    add_nav_link(app, "pupil", "My lessons", "lessons.index")
    add_nav_link(app, "staff", "Lessons", "lessons.library")
    add_nav_link(app, "staff", "My training", "lessons.index")
    add_class_link(app, "Lessons set for this class", "lessons.class_lessons")
    add_class_link(app, "Reflections", "lessons.reflections")

