"""Automatic badge criteria: what a pupil has done, and whether each pack badge is earned.

A pack badge's criteria count the pack's own lessons (badges.yaml names the pack's lessons, and
the pack checker compares counts with the pack's lesson count). Everything a pupil has done is
loaded in a fixed handful of queries (`load_facts`), then every badge is judged in Python by
`evaluate`, which the event receivers (to award) and the badge wall (to show what is left) share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from ..auth.models import User
from ..content.models import Lesson, LessonBand, PackBadge
from ..content.taxonomy import strand_name
from ..extensions import db
from ..lessons.models import LessonProgress
from ..mentoring.services import reviewed_log_ids
from ..quizzes.models import QuizAttempt
from ..schools.services import pupil_band

QUIZ_KINDS = frozenset({"quiz-full-marks"})
COMPLETION_KINDS = frozenset({"first-lesson", "lessons-completed", "strand-complete", "lessons"})
LESSON_KINDS = COMPLETION_KINDS | QUIZ_KINDS
MENTORING_KINDS = frozenset({"mentoring-sessions"})
AUTOMATIC_KINDS = LESSON_KINDS | MENTORING_KINDS
STAFF_AWARDED = "staff-awarded"


@dataclass(frozen=True)
class LessonFact:
    id: int
    pack_id: int
    slug: str
    title: str
    strand: str
    retired: bool
    audience: str
    teacher_led: bool
    in_band: bool

    @property
    def for_pupils_of_band(self) -> bool:
        """A lesson a pupil of this band works through on their own (what strand-complete counts)."""
        return not self.retired and self.audience == "pupils" and not self.teacher_led and self.in_band


@dataclass
class Facts:
    band: str
    is_leader: bool
    lessons: dict[int, LessonFact] = field(default_factory=dict)
    completed: dict[int, datetime] = field(default_factory=dict)  # lesson id -> completed_at, oldest first
    full_marks: dict[int, int] = field(default_factory=dict)  # lesson id -> first full-marks attempt id
    mentoring_count: int | None = None  # reviewed mentoring sessions; None when unknown
    mentoring_logs: list[int] = field(default_factory=list)

    def pack_lessons(self, pack_id: int) -> list[LessonFact]:
        return [lesson for lesson in self.lessons.values() if lesson.pack_id == pack_id]

    def completed_in_pack(self, pack_id: int) -> list[int]:
        return [lid for lid in self.completed if lid in self.lessons and self.lessons[lid].pack_id == pack_id]

    def full_marks_in_pack(self, pack_id: int) -> list[int]:
        return [lid for lid in self.full_marks if lid in self.lessons and self.lessons[lid].pack_id == pack_id]


@dataclass(frozen=True)
class Outcome:
    earned: bool
    shown: bool = False  # worth showing the pupil as something still to earn
    left: int = 0
    hint: str = ""
    evidence: dict = field(default_factory=dict)


def kind_of(badge: PackBadge) -> str:
    return (badge.criteria or {}).get("kind", "")


# --- loading what the pupil has done -------------------------------------------------------------------


def load_facts(user: User, pack_ids: Iterable[int] | None = None, *, lessons: bool = True,
               mentoring: bool = False) -> Facts:
    """Everything the criteria need, in a fixed number of queries whatever the number of badges.

    Without `lessons` (only mentoring badges to judge, as when staff review a log) no lesson is read.
    """
    facts = Facts(band=pupil_band(user) if lessons else "", is_leader=bool(user.is_online_leader))
    if mentoring:
        facts.mentoring_count, facts.mentoring_logs = reviewed_mentoring(user.id)
    if not lessons:
        return facts
    pack_filter = [] if pack_ids is None else [Lesson.pack_id.in_(list(pack_ids))]
    rows = db.session.execute(
        select(Lesson.id, Lesson.pack_id, Lesson.slug, Lesson.title, Lesson.strand, Lesson.retired, Lesson.audience,
               Lesson.teacher_led, LessonBand.id)
        .outerjoin(LessonBand, and_(LessonBand.lesson_id == Lesson.id, LessonBand.band == facts.band))
        .where(*pack_filter)
    ).all()
    facts.lessons = {row[0]: LessonFact(*row[:8], in_band=row[8] is not None) for row in rows}
    facts.completed = dict(db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None), *pack_filter)
        .order_by(LessonProgress.completed_at, LessonProgress.id)
    ).all())
    facts.full_marks = dict(db.session.execute(
        select(QuizAttempt.lesson_id, func.min(QuizAttempt.id))
        .join(Lesson, Lesson.id == QuizAttempt.lesson_id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.full_marks.is_(True), *pack_filter)
        .group_by(QuizAttempt.lesson_id)
        .order_by(func.min(QuizAttempt.id))
    ).all())
    return facts


def reviewed_mentoring(leader_id: int) -> tuple[int, list[int]]:
    """How many of a leader's mentoring logs staff reviewed, and their ids (oldest review first)."""
    ids = reviewed_log_ids(leader_id)
    return len(ids), ids


# --- judging one badge ---------------------------------------------------------------------------------


def _lessons_word(count: int) -> str:
    return "lesson" if count == 1 else "lessons"


def evaluate(badge: PackBadge, facts: Facts) -> Outcome:
    """Is the badge earned on these facts? If not, is it worth showing, and what is left to do?"""
    if badge.retired:
        return Outcome(earned=False)
    criteria = badge.criteria or {}
    judge = _JUDGES.get(criteria.get("kind", ""))
    return judge(badge, criteria, facts) if judge else Outcome(earned=False)


def _pack_has_lessons_for_pupil(badge: PackBadge, facts: Facts) -> bool:
    return any(lesson.for_pupils_of_band for lesson in facts.pack_lessons(badge.pack_id))


def _first_lesson(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    done = facts.completed_in_pack(badge.pack_id)
    if done:
        return Outcome(earned=True, evidence={"lessons": done[:1]})
    return Outcome(earned=False, shown=_pack_has_lessons_for_pupil(badge, facts), left=1,
                   hint="Finish your first lesson.")


def _lessons_completed(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    need = int(criteria.get("count") or 1)
    done = facts.completed_in_pack(badge.pack_id)
    if len(done) >= need:
        return Outcome(earned=True, evidence={"lessons": done[:need]})
    left = need - len(done)
    return Outcome(earned=False, shown=_pack_has_lessons_for_pupil(badge, facts), left=left,
                   hint=f"Finish {left} more {_lessons_word(left)}.")


def _strand_complete(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    strand = criteria.get("strand", "")
    required = [lesson for lesson in facts.pack_lessons(badge.pack_id)
                if lesson.strand == strand and lesson.for_pupils_of_band]
    if not required:
        return Outcome(earned=False)
    missing = [lesson for lesson in required if lesson.id not in facts.completed]
    if not missing:
        return Outcome(earned=True, evidence={"lessons": sorted(lesson.id for lesson in required),
                                              "strand": strand, "band": facts.band})
    left = len(missing)
    return Outcome(earned=False, shown=True, left=left,
                   hint=f"{left} more {_lessons_word(left)} in {strand_name(strand)}.")


def _quiz_full_marks(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    need = int(criteria.get("count") or 1)
    done = facts.full_marks_in_pack(badge.pack_id)
    if len(done) >= need:
        return Outcome(earned=True, evidence={"lessons": done[:need],
                                              "attempts": [facts.full_marks[lid] for lid in done[:need]]})
    left = need - len(done)
    quizzes = "quiz" if left == 1 else "quizzes"
    return Outcome(earned=False, shown=_pack_has_lessons_for_pupil(badge, facts), left=left,
                   hint=f"Get every answer right in {left} more {quizzes}.")


def _named_lessons(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    slugs = set(criteria.get("ids") or [])
    required = [lesson for lesson in facts.pack_lessons(badge.pack_id) if lesson.slug in slugs and not lesson.retired]
    if not required:
        return Outcome(earned=False)
    missing = [lesson for lesson in required if lesson.id not in facts.completed]
    if not missing:
        return Outcome(earned=True, evidence={"lessons": sorted(lesson.id for lesson in required)})
    for_leaders = any(lesson.audience == "online-leaders" for lesson in required)
    shown = (facts.is_leader or not for_leaders) and any(lesson.in_band for lesson in required)
    titles = ", ".join(lesson.title for lesson in missing)
    left = len(missing)
    return Outcome(earned=False, shown=shown, left=left,
                   hint=f"Finish {left} more {_lessons_word(left)}: {titles}.")


def _mentoring_sessions(badge: PackBadge, criteria: dict, facts: Facts) -> Outcome:
    need = int(criteria.get("count") or 1)
    count = facts.mentoring_count or 0
    if facts.mentoring_count is not None and count >= need:
        return Outcome(earned=True, evidence={"reviewed_sessions": count,
                                              "mentoring_logs": facts.mentoring_logs[:need]})
    left = need - count
    sessions = "session" if left == 1 else "sessions"
    return Outcome(earned=False, shown=facts.is_leader, left=left,
                   hint=f"{left} more mentoring {sessions} checked by a member of staff.")


_JUDGES = {
    "first-lesson": _first_lesson,
    "lessons-completed": _lessons_completed,
    "strand-complete": _strand_complete,
    "quiz-full-marks": _quiz_full_marks,
    "lessons": _named_lessons,
    "mentoring-sessions": _mentoring_sessions,
}


def badge_strands(badge: PackBadge, lessons: dict[int, LessonFact] | None = None) -> list[str]:
    """The strands a pack badge stands for: its strand, or the strands of the lessons it names."""
    criteria = badge.criteria or {}
    if criteria.get("kind") == "strand-complete" and criteria.get("strand"):
        return [criteria["strand"]]
    if criteria.get("kind") == "lessons":
        slugs = list(criteria.get("ids") or [])
        if lessons is None:
            strands = db.session.scalars(
                select(Lesson.strand).where(Lesson.pack_id == badge.pack_id, Lesson.slug.in_(slugs)).distinct()
            ).all()
        else:
            strands = {lesson.strand for lesson in lessons.values()
                       if lesson.pack_id == badge.pack_id and lesson.slug in slugs}
        return sorted(strands)
    return []
