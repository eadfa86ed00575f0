"""The quiz: answer every question, submit once, see what was right and why."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import require
from ..content.models import Lesson
from ..extensions import db
from ..lessons.forms import ReflectionForm
from ..lessons.services import LessonError, add_reflection, may_study
from ..lessons.views import announce_new, learner_band, learner_lesson_or_404, studyable_lesson_or_404
from ..signals import lesson_completed, quiz_scored
from . import services
from .models import QuizAttempt

bp = Blueprint("quizzes", __name__)


def answers_from_form(form) -> dict[str, list[str]]:
    """Chosen option keys per question, as the browser sent them (checked later by the service)."""
    answers = {}
    for key in form:
        if key.startswith("q-"):
            values = [value for value in form.getlist(key) if isinstance(value, str) and len(value) <= 20]
            answers[key[2:][:20]] = values
    return answers


def render_quiz(lesson: Lesson, answers: dict | None = None, message: str | None = None, status: int = 200,
                token: str | None = None):
    """The quiz form; `token` keeps the attempt token of a form that was sent but not stored yet."""
    return render_template("quizzes/quiz.html", lesson=lesson, token=token or services.new_attempt_token(),
                           answers=answers or {}, message=message), status


@bp.route("/lessons/<int:lesson_id>/quiz", methods=["GET"])
@require("learner")
def quiz(lesson_id: int):
    lesson, _band = studyable_lesson_or_404(lesson_id)
    if not lesson.has_quiz:
        return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
    return render_quiz(lesson)


@bp.route("/lessons/<int:lesson_id>/quiz", methods=["POST"])
@require("learner")
def submit(lesson_id: int):
    lesson, band = studyable_lesson_or_404(lesson_id)
    if not lesson.has_quiz:
        abort(404)
    token = request.form.get("attempt_token", "")
    answers = answers_from_form(request.form)
    if not token or len(token) > 64:
        return render_quiz(lesson, answers, "Something went wrong with this form. Please check your answers "
                                            "and send them again.", 400)
    try:
        attempt, created, completed = services.submit_attempt(current_user, lesson, band, token, answers)
    except services.QuizError as error:
        db.session.rollback()
        return render_quiz(lesson, answers, str(error), 400)
    attempt_id = attempt.id  # read before the commit, which would expire it and cost a query
    if created:
        app, user = current_app._get_current_object(), current_user._get_current_object()
        results = quiz_scored.send(app, user=user, lesson=lesson, attempt=attempt)
        if completed is not None:
            results += lesson_completed.send(app, user=user, lesson=lesson, progress=completed)
        db.session.commit()
        announce_new(results)
    return redirect(url_for("quizzes.result", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@require("learner")
def result(attempt_id: int):
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    lesson = learner_lesson_or_404(attempt.lesson_id)  # the title, from this process's cache
    form = ReflectionForm()
    if form.validate_on_submit():
        try:
            add_reflection(current_user, lesson, learner_band(), form.text.data)
        except LessonError as error:
            form.text.errors.append(str(error))
        else:
            db.session.commit()
            flash("Thank you. Your teacher can read what you wrote.", "success")
            return redirect(url_for("lessons.index"))
    return render_template("quizzes/result.html", attempt=attempt, lesson=lesson, form=form)


def _quiz_being_sent() -> Lesson | None:
    """The lesson whose quiz the failed request was sending, when the signed-in learner may study it."""
    lesson = db.session.get(Lesson, request.view_args.get("lesson_id", 0)) if request.view_args else None
    if lesson is None or not current_user.is_authenticated or not may_study(current_user, lesson, learner_band()):
        return None
    return lesson


def recover_expired_form():
    """A quiz sent after its CSRF token expired: show it again with the pupil's answers kept."""
    lesson = _quiz_being_sent()
    if lesson is None:
        return None
    message = "This page was open for a long time, so we couldn't save your answers yet. " \
              "They are still ticked below: please press “Check my answers” again."
    return render_quiz(lesson, answers_from_form(request.form), message, 400)


DATABASE_DOWN_MESSAGE = "We could not save your answers just now. Your answers are still ticked below. " \
                        "Wait a moment, then press “Check my answers” again."


def recover_database_unavailable():
    """The database failed while a quiz was sent: show it again, answers ticked, with the SAME attempt token,
    so sending it again stores it once even if the first try was in fact saved. When the database can't
    even be read, a short page keeps the answers in hidden fields to send again (esafe_learn.errors)."""
    token = request.form.get("attempt_token", "")
    token = token if 0 < len(token) <= 64 else None
    if not g.get("database_readable"):
        if token is None:
            return None
        answers = answers_from_form(request.form)
        return render_template("quizzes/resend.html", token=token, answers=answers,
                               lesson_id=request.view_args.get("lesson_id")), 503
    lesson = _quiz_being_sent()
    if lesson is None:
        return None
    return render_quiz(lesson, answers_from_form(request.form), DATABASE_DOWN_MESSAGE, 503, token=token)


def init_app(app) -> None:
    app.extensions.setdefault("esafe_csrf_recovery", {})["quizzes.submit"] = recover_expired_form
    app.extensions.setdefault("esafe_db_recovery", {})["quizzes.submit"] = recover_database_unavailable
