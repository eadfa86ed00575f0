"""Events one feature announces and others listen to, so features never import each other.

Receivers may return a list of dicts ({"name": ..., "description": ..., "image": ...}) describing
anything newly earned; the view that sent the signal shows them to the learner at once.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: user, lesson, progress
lesson_completed = _signals.signal("lesson-completed")
# sender: the app; kwargs: user, lesson, attempt
quiz_scored = _signals.signal("quiz-scored")
# sender: the app; kwargs: leader, log (a reviewed mentoring session)
mentoring_reviewed = _signals.signal("mentoring-reviewed")
