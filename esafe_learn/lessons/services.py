"""Which lessons a learner may see, what teachers set, and progress through a lesson. No request objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from ..auth.models import PUPIL, User
from ..content.models import Lesson, LessonBand, Pack
from ..content.snapshots import LessonSnapshot
from ..content.taxonomy import STRANDS
from ..database import built_once_per_database
from ..extensions import db
from ..schools.models import ClassMembership, SchoolClass
from ..schools.services import pupil_band, pupil_classes
from ..timeutil import utcnow
from .models import LessonAssignment, LessonProgress, Reflection

REFLECTION_MAX = 300


class LessonError(ValueError):
    """A request about a lesson that cannot be carried out, with a message for the person."""


def lesson_audiences(user: User) -> set[str]:
    if user.role == PUPIL:
        return {"pupils", "online-leaders"} if user.is_online_leader else {"pupils"}
    return {"staff"}


def _assigned_lesson_ids(user: User) -> select:
    return (
        select(LessonAssignment.lesson_id)
        .join(ClassMembership, ClassMembership.class_id == LessonAssignment.class_id)
        .where(ClassMembership.user_id == user.id)
    )


def self_study_condition(user: User, band: str):
    """Lessons a learner may open without a teacher setting them."""
    band_match = Lesson.id.in_(select(LessonBand.lesson_id).where(LessonBand.band == band))
    if user.role != PUPIL:
        return and_(Lesson.audience == "staff", Lesson.retired.is_(False))
    pupils = and_(Lesson.audience == "pupils", band_match, Lesson.teacher_led.is_(False))
    conditions = [pupils]
    if user.is_online_leader:
        conditions.append(Lesson.audience == "online-leaders")
    return and_(Lesson.retired.is_(False), or_(*conditions))


def may_study(user: User, lesson: Lesson, band: str) -> bool:
    """True when the learner may open the lesson as their own work (it then counts as progress)."""
    if lesson.retired:
        return False
    if user.role != PUPIL:
        return lesson.audience == "staff"
    if lesson.audience == "online-leaders":
        return user.is_online_leader
    if lesson.audience == "pupils" and band in lesson.ages and not lesson.teacher_led:
        return True
    return db.session.scalar(
        _assigned_lesson_ids(user).where(LessonAssignment.lesson_id == lesson.id).limit(1)
    ) is not None


@dataclass
class LessonCard:
    lesson: Lesson
    progress: LessonProgress | None = None
    due_date: date | None = None

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None


@dataclass
class StrandGroup:
    strand: str
    name: str
    cards: list[LessonCard] = field(default_factory=list)


@dataclass
class LessonList:
    band: str
    set_by_teacher: list[LessonCard]
    strands: list[StrandGroup]
    leader_training: list[LessonCard]
    next_lesson: LessonCard | None


def lesson_list(user: User) -> LessonList:
    """Everything on a learner's lesson page, in three queries."""
    classes = pupil_classes(user) if user.role == PUPIL else []
    band = pupil_band(user, classes) if user.role == PUPIL else "staff"
    assigned = {
        row.lesson_id: row.due_date
        for row in db.session.execute(
            select(LessonAssignment.lesson_id, LessonAssignment.due_date)
            .join(ClassMembership, ClassMembership.class_id == LessonAssignment.class_id)
            .where(ClassMembership.user_id == user.id)
        )
    }
    lessons = db.session.scalars(
        select(Lesson).join(Pack).where(or_(self_study_condition(user, band),
                                            and_(Lesson.id.in_(assigned.keys()), Lesson.retired.is_(False))))
        .order_by(Pack.title, Lesson.position)
    ).all()
    progress = {
        p.lesson_id: p for p in db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))
    }
    cards = {lesson.id: LessonCard(lesson, progress.get(lesson.id), assigned.get(lesson.id)) for lesson in lessons}
    set_by_teacher = sorted((cards[i] for i in assigned if i in cards),
                            key=lambda c: (c.done, c.due_date or date.max, c.lesson.title))
    groups = {slug: StrandGroup(slug, name) for slug, name in STRANDS.items()}
    training = []
    for card in cards.values():
        if card.lesson.audience == "online-leaders":
            training.append(card)
        elif card.lesson.id not in assigned or band in card.lesson.ages:
            groups[card.lesson.strand].cards.append(card)
    strands = [group for group in groups.values() if group.cards]
    return LessonList(band, set_by_teacher, strands, training, _suggest(set_by_teacher, training, strands))


def _suggest(set_by_teacher, training, strands) -> LessonCard | None:
    """The next lesson: something a teacher set, then leader training, then the strand with least done."""
    for card in [*set_by_teacher, *training]:
        if not card.done:
            return card
    ordered = sorted(strands, key=lambda g: sum(c.done for c in g.cards))
    for group in ordered:
        for card in group.cards:
            if not card.done:
                return card
    return None


@built_once_per_database
def _progress_upsert(insert):
    statement = insert(LessonProgress)
    old, new = LessonProgress, statement.excluded
    first_completion = and_(old.completed_at.is_(None), new.completed_at.is_not(None))
    return statement.on_conflict_do_update(
        index_elements=["user_id", "lesson_id"],
        set_={
            "reached_end": True,
            "last_activity_at": new.last_activity_at,
            "attempts": old.attempts + new.attempts,
            "best_score": case((old.best_score.is_(None), new.best_score), (new.best_score.is_(None), old.best_score),
                               (new.best_score > old.best_score, new.best_score), else_=old.best_score),
            "completed_at": func.coalesce(old.completed_at, new.completed_at),
            "band": case((first_completion, new.band), else_=old.band),
            "pack_version": case((first_completion, new.pack_version), else_=old.pack_version),
        },
    ).returning(LessonProgress)


def record_end_reached(user: User, lesson: Lesson | LessonSnapshot, band: str,
                       score: int | None = None) -> tuple[LessonProgress, bool]:
    """Note that the learner reached the end (with a quiz score, if any); True when this completed the lesson.

    One statement, INSERT ... ON CONFLICT DO UPDATE on (learner, lesson), adds the attempt in the database:
    two requests of one learner at once, even to two app processes, can neither both create the record
    nor count from the same old value. The first completion sets the time, band and pack version; later
    ones keep them, so the returned time equals this request's only when this request completed it.
    """
    now = utcnow()
    meets = score >= lesson.pass_mark if score is not None else not lesson.has_quiz
    values = {"school_id": user.school_id, "user_id": user.id, "lesson_id": lesson.id, "band": band,
              "strand": lesson.strand, "pack_version": lesson.pack_version, "reached_end": True,
              "attempts": 0 if score is None else 1, "best_score": score, "completed_at": now if meets else None,
              "last_activity_at": now}
    progress = db.session.scalars(_progress_upsert(), [values], execution_options={"populate_existing": True}).one()
    return progress, meets and progress.completed_at == now


def set_lesson_for_class(teacher: User, school_class: SchoolClass, lesson: Lesson,
                         due_date: date | None) -> LessonAssignment:
    if lesson.retired:
        raise LessonError("That lesson is no longer in its pack, so it can't be set.")
    if lesson.audience == "staff":
        raise LessonError("That lesson is for staff, not pupils.")
    assignment = db.session.scalar(
        select(LessonAssignment).where(LessonAssignment.class_id == school_class.id,
                                       LessonAssignment.lesson_id == lesson.id)
    )
    if assignment is None:
        assignment = LessonAssignment(school_id=school_class.school_id, class_id=school_class.id,
                                      lesson_id=lesson.id)
        db.session.add(assignment)
    assignment.set_by_id, assignment.due_date = teacher.id, due_date
    db.session.flush()
    return assignment


def unset_lesson(assignment: LessonAssignment) -> None:
    db.session.delete(assignment)


def class_assignments(school_class: SchoolClass) -> list[LessonAssignment]:
    return list(db.session.scalars(
        select(LessonAssignment).where(LessonAssignment.class_id == school_class.id)
        .order_by(LessonAssignment.created_at)
    ))


def add_reflection(user: User, lesson: Lesson | LessonSnapshot, band: str, text: str) -> Reflection:
    text = text.strip()
    if not text:
        raise LessonError("Write one thing you will do, or leave this out.")
    if len(text) > REFLECTION_MAX:
        raise LessonError(f"Please use {REFLECTION_MAX} characters or fewer.")
    reflection = Reflection(school_id=user.school_id, user_id=user.id, lesson_id=lesson.id, text=text, band=band)
    db.session.add(reflection)
    db.session.flush()
    return reflection
