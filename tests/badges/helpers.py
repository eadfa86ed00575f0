"""Small factories for badge tests: packs made directly in the database, progress, quiz attempts, awards."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from esafe_learn.auth.models import User
from esafe_learn.badges.models import BadgeAward, SchoolBadge
from esafe_learn.content.models import Lesson, LessonBand, Pack, PackBadge
from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress
from esafe_learn.quizzes.models import QuizAttempt
from esafe_learn.timeutil import utcnow


def make_pack(app, lessons: list[dict], badges: list[dict], slug: str | None = None) -> SimpleNamespace:
    """A pack written straight to the tables: lessons {slug, strand, ages, audience?, teacher_led?, retired?}
    and badges {slug, criteria, image?, name?}. Returns the pack id and {slug: id} of lessons and badges."""
    with app.app_context():
        pack = Pack(slug=slug or f"pack-{uuid.uuid4().hex[:6]}", title="Test pack", version="1", language="en-GB",
                    licence="CC-BY-4.0", audience="pupils")
        db.session.add(pack)
        db.session.flush()
        lesson_ids, badge_ids = {}, {}
        for position, spec in enumerate(lessons):
            lesson = Lesson(pack_id=pack.id, slug=spec["slug"], title=spec.get("title", spec["slug"].title()),
                            strand=spec["strand"], ages=list(spec["ages"]), minutes=10,
                            audience=spec.get("audience", "pupils"), teacher_led=spec.get("teacher_led", False),
                            retired=spec.get("retired", False), position=position, content_hash="x",
                            pack_version="1", quiz=[])
            lesson.bands = [LessonBand(band=band) for band in spec["ages"]]
            db.session.add(lesson)
            db.session.flush()
            lesson_ids[spec["slug"]] = lesson.id
        for spec in badges:
            badge = PackBadge(pack_id=pack.id, slug=spec["slug"], name=spec.get("name", spec["slug"].title()),
                              description=spec.get("description", "A badge."), image=spec.get("image", "star"),
                              criteria=spec["criteria"], retired=spec.get("retired", False))
            db.session.add(badge)
            db.session.flush()
            badge_ids[spec["slug"]] = badge.id
        db.session.commit()
        return SimpleNamespace(id=pack.id, lessons=lesson_ids, badges=badge_ids)


def complete(app, user, lesson_id: int, when: datetime | None = None) -> None:
    """A finished lesson, as the lessons feature records it."""
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        db.session.add(LessonProgress(school_id=user.school_id, user_id=user.id, lesson_id=lesson_id, band="7-11",
                                      strand=lesson.strand, reached_end=True, attempts=1, best_score=100,
                                      completed_at=when or utcnow(), pack_version="1"))
        db.session.commit()


def attempt(app, user, lesson_id: int, full_marks: bool = True) -> int:
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        row = QuizAttempt(school_id=user.school_id, user_id=user.id, lesson_id=lesson_id,
                          attempt_token=uuid.uuid4().hex, pack_slug="p", pack_version="1", band="7-11",
                          strand=lesson.strand, snapshot=[], answers={}, results={}, correct_count=3 if full_marks
                          else 1, question_count=3, score=100 if full_marks else 33, full_marks=full_marks,
                          passed=full_marks)
        db.session.add(row)
        db.session.commit()
        return row.id


def send(app, signal, user, **kwargs) -> list[dict]:
    """Send a feature's signal the way its view does (inside a request, then commit); what was announced."""
    with app.test_request_context():
        user = db.session.get(User, user.id)
        for name in ("lesson", "attempt"):
            if isinstance(kwargs.get(name), int):
                model = Lesson if name == "lesson" else QuizAttempt
                kwargs[name] = db.session.get(model, kwargs[name])
        key = "leader" if "log" in kwargs else "user"
        results = signal.send(app, **{key: user}, **kwargs)
        db.session.commit()
        return [item for _receiver, items in results for item in (items or [])]


def held(app, user) -> list[str]:
    """Slugs or names of the badges a pupil holds and still sees."""
    from esafe_learn.badges.services import award_view

    with app.app_context():
        awards = db.session.scalars(select(BadgeAward).where(BadgeAward.user_id == user.id,
                                                             BadgeAward.revoked_at.is_(None))).all()
        return sorted(award_view(award).name for award in awards)


def add_badges(app, world: dict) -> None:
    """A school badge given to the pupil by their teacher (for the access table's badge routes)."""
    from esafe_learn.badges import services

    with app.app_context():
        teacher = db.session.get(User, world["teacher"].id)
        pupil = db.session.get(User, world["pupil"].id)
        badge = SchoolBadge(school_id=pupil.school_id, name="Helper", description="Helped someone.", icon="heart",
                            strand="online-relationships", created_by_id=teacher.id)
        db.session.add(badge)
        db.session.flush()
        award = services.award_badge(pupil, badge, awarded_by=teacher, reason="Helped a friend")
        db.session.commit()
        world["school_badge"] = SimpleNamespace(id=badge.id)
        world["award"] = SimpleNamespace(id=award.id)
        world["award_public"] = SimpleNamespace(id=award.public_id)
        world["badge_key"] = SimpleNamespace(id=f"school-{badge.id}")
        world["issuer"] = SimpleNamespace(id=world["school"].slug)


def school_badge(app, school, name: str = "Helper", **fields) -> int:
    with app.app_context():
        badge = SchoolBadge(school_id=school.id, name=name, description=fields.get("description", "Helped someone."),
                            icon=fields.get("icon", "heart"), strand=fields.get("strand"))
        db.session.add(badge)
        db.session.commit()
        return badge.id


def award_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(BadgeAward.id)))
