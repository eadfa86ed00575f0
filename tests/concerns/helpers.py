"""Make concerns for tests through the real service, and read the audit log."""

from __future__ import annotations

from types import SimpleNamespace

from esafe_learn.auth.models import User
from esafe_learn.concerns import services
from esafe_learn.concerns.models import Concern, ConcernAudit
from esafe_learn.extensions import db


def add_concern(app, reporter, *, source: str | None = None, about=None, **overrides) -> SimpleNamespace:
    with app.app_context():
        user = db.session.get(User, reporter.id)
        source = source or ("staff" if user.is_staff else "pupil")
        values = {"category": "contact", "description": "A stranger messaged me", "told_adult": "not_yet"}
        values.update(overrides)
        concern = services.raise_concern(user, source, about=db.session.get(User, about.id) if about else None,
                                         **values)
        db.session.commit()
        return SimpleNamespace(id=concern.id)


def audit_actions(app, concern_id: int | None = None) -> list[tuple[int, str]]:
    """(actor id, action) of every audit row, oldest first; of one concern when given."""
    with app.app_context():
        query = db.select(ConcernAudit).order_by(ConcernAudit.id)
        if concern_id is not None:
            query = query.where(ConcernAudit.concern_id == concern_id)
        return [(row.actor_id, row.action) for row in db.session.scalars(query)]


def concern_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Concern.id)))
