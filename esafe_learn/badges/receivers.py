"""Listening to lessons, quizzes and mentoring: badges are checked when the event happens.

Each receiver returns what was newly earned ({"name", "description", "image"}) so the page that
sent the event can show "New badge!" at once. Receivers run inside the sender's transaction.
"""

from __future__ import annotations

from flask import Flask, url_for

from .. import signals
from . import criteria as rules
from . import services
from .models import BadgeAward
from .services import BadgeView


def image_src(view: BadgeView) -> str:
    """Where a page finds a badge's picture: a built-in icon's SVG, or the pack's own image."""
    if view.icon:
        return url_for("static", filename=f"badges/{view.icon}.svg")
    return url_for("badges.badge_image", badge_key=view.key)


def announce(awards: list[BadgeAward]) -> list[dict]:
    views = [services.award_view(award) for award in awards]
    return [{"name": view.name, "description": view.description, "image": image_src(view)} for view in views]


def on_lesson_completed(sender, user=None, lesson=None, **_kwargs) -> list[dict]:
    """Only a first completion can earn a completion badge, so this runs once per lesson and pupil."""
    if user is None or lesson is None:
        return []
    return announce(services.check_automatic(user, pack_ids=[lesson.pack_id], kinds=rules.COMPLETION_KINDS))


def on_quiz_scored(sender, user=None, lesson=None, attempt=None, **_kwargs) -> list[dict]:
    """Only an attempt with full marks can earn a quiz badge: the others cost no query."""
    if user is None or lesson is None or attempt is None or not attempt.full_marks:
        return []
    return announce(services.check_automatic(user, pack_ids=[lesson.pack_id], kinds=rules.QUIZ_KINDS))


def on_mentoring_reviewed(sender, leader=None, **_kwargs) -> list[dict]:
    """The reviewed sessions are counted from the mentoring feature's own records, not from the signal."""
    if leader is None:
        return []
    return announce(services.check_automatic(leader, kinds=rules.MENTORING_KINDS))


def connect(app: Flask) -> None:
    signals.lesson_completed.connect(on_lesson_completed, sender=app)
    signals.quiz_scored.connect(on_quiz_scored, sender=app)
    signals.mentoring_reviewed.connect(on_mentoring_reviewed, sender=app)
