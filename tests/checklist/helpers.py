"""Factories for checklist tests: the seeded checklist, AUP versions and acknowledgements, staff training and
reflections marked as pupil voice, written through the real services or directly to the tables."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select

from esafe_learn.auth.models import User
from esafe_learn.checklist import aup, services
from esafe_learn.checklist.models import ChecklistItem
from esafe_learn.content.models import Lesson, Pack
from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress, Reflection

STAFF_PACK = "lessons/staff-online-safeguarding"


def seed_checklist(app, school) -> dict[str, int]:
    """Seed the school's checklist; returns {key: item id}."""
    with app.app_context():
        services.seed(school.id)
        db.session.commit()
        return {item.key: item.id for item in services.school_items(school.id) if item.key}


def items(app, school) -> list[SimpleNamespace]:
    with app.app_context():
        return [SimpleNamespace(id=i.id, key=i.key, text=i.text, area=i.area, rating=i.rating,
                                rating_reason=i.rating_reason, suggested_rating=i.suggested_rating)
                for i in services.school_items(school.id)]


def item(app, item_id: int) -> SimpleNamespace:
    with app.app_context():
        row = db.session.get(ChecklistItem, item_id)
        return SimpleNamespace(**{c.name: getattr(row, c.name) for c in ChecklistItem.__table__.columns})


def publish(app, school, actor, version: str = "1", text: str = "Use the school's computers kindly.",
            pupil_text: str = "") -> int:
    with app.app_context():
        row = aup.publish(school.id, db.session.get(User, actor.id), version, text, pupil_text)
        db.session.commit()
        return row.id


def acknowledge(app, user, version_id: int) -> None:
    from esafe_learn.checklist.models import AupVersion

    with app.app_context():
        aup.acknowledge(db.session.get(User, user.id), db.session.get(AupVersion, version_id))
        db.session.commit()


def install_staff_pack(app) -> dict[str, int]:
    """The staff pack that ships with the app; returns {lesson slug: id}."""
    from pathlib import Path

    from esafe_learn.content.services import install_pack

    with app.app_context():
        install_pack(Path(__file__).parent.parent.parent / STAFF_PACK)
        db.session.commit()
        return {lesson.slug: lesson.id for lesson in db.session.scalars(
            select(Lesson).join(Pack).where(Pack.slug == "staff-online-safeguarding"))}


def complete(app, school, user, lesson_id: int, when: datetime, band: str = "7-11") -> None:
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        db.session.add(LessonProgress(school_id=school.id, user_id=user.id, lesson_id=lesson_id, band=band,
                                      strand=lesson.strand, reached_end=True, attempts=1, best_score=100,
                                      completed_at=when, pack_version="1.0.0", last_activity_at=when))
        db.session.commit()


def reflection(app, school, pupil_id: int, lesson_id: int, text: str, band: str = "7-11", voice: bool = True) -> int:
    with app.app_context():
        row = Reflection(school_id=school.id, user_id=pupil_id, lesson_id=lesson_id, text=text, band=band,
                         pupil_voice=voice)
        db.session.add(row)
        db.session.commit()
        return row.id
