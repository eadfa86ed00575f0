"""Make mentoring logs for tests through the real service."""

from __future__ import annotations

from types import SimpleNamespace

from esafe_learn.auth.models import User
from esafe_learn.extensions import db
from esafe_learn.mentoring import services
from esafe_learn.mentoring.models import MentoringSession


def entry(**overrides) -> services.LogEntry:
    values = {
        "session_date": services.school_today(), "kind": "one_to_one", "mentee_mode": "unnamed",
        "unnamed_year_group": 4,
        "strands": ["online-bullying"], "what_we_did": "Talked about blocking", "what_helped": "Listening",
        "duration_minutes": 15,
    }
    values.update(overrides)
    return services.LogEntry(**values)


def add_log(app, leader, *, reviewed_by=None, **overrides) -> SimpleNamespace:
    with app.app_context():
        log = services.save_log(db.session.get(User, leader.id), entry(**overrides))
        if reviewed_by is not None:
            services.review_log(log, db.session.get(User, reviewed_by.id), "Well done")
        db.session.commit()
        return SimpleNamespace(id=log.id)


def count_logs(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(MentoringSession.id)))
