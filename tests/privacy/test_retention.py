"""`esafe-learn retention`: learning records go after the school's period; concerns are only flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from esafe_learn.auth.models import User
from esafe_learn.concerns.models import Concern, ConcernAudit
from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress
from esafe_learn.privacy.retention import learning_due_after
from esafe_learn.schools.models import ClassMembership


def test_due_date_is_the_end_of_the_following_academic_year():
    assert learning_due_after(date(2025, 7, 20), 1) == date(2026, 8, 31)
    assert learning_due_after(date(2025, 10, 1), 1) == date(2027, 8, 31)
    assert learning_due_after(date(2025, 7, 20), 0) == date(2025, 8, 31)


def _count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_dry_run_then_apply(app, runner, make_school, make_user, make_class, install):
    school = make_school()
    leaver = make_user(school, "pupil", name="Leaver Name")
    named = make_user(school, "pupil", name="Named In Concern")
    staying = make_user(school, "pupil")
    make_class(school, "5B", pupils=[leaver, named, staying])
    lesson_id = next(iter(install().values()))
    left = datetime(2025, 7, 20, tzinfo=UTC)
    with app.app_context():
        for user in (leaver, named, staying):
            db.session.add(LessonProgress(school_id=school.id, user_id=user.id, lesson_id=lesson_id, band="7-11",
                                          strand="s", pack_version="1", reached_end=True, attempts=1))
        db.session.get(User, leaver.id).archived_at = left
        db.session.get(User, named.id).archived_at = left
        db.session.add_all([
            Concern(school_id=school.id, source="staff", category="contact", description="x", told_adult="yes",
                    about_id=named.id),  # no date of birth: flagged once the pupil has left
            Concern(school_id=school.id, source="staff", category="contact", description="y", told_adult="yes",
                    about_id=named.id, legal_hold=True),
            Concern(school_id=school.id, source="staff", category="contact", description="z", told_adult="yes",
                    about_id=staying.id, date_of_birth=date(2015, 3, 1)),  # 25th birthday far away
        ])
        db.session.commit()

    early = runner.invoke(args=["retention", "--dry-run", "--today", "2026-08-31"])
    assert early.exit_code == 0, early.output
    assert "of 0 pupil(s)" in early.output
    dry = runner.invoke(args=["retention", "--today", "2026-09-01"])
    assert dry.exit_code == 0, dry.output
    assert "of 2 pupil(s)" in dry.output and "Dry run" in dry.output and "Leaver Name" not in dry.output
    assert "on legal hold: 1" in dry.output
    with app.app_context():
        assert _count(LessonProgress) == 3

    applied = runner.invoke(args=["retention", "--apply", "--today", "2026-09-01"])
    assert applied.exit_code == 0, applied.output
    with app.app_context():
        assert _count(LessonProgress, user_id=leaver.id) == 0 and _count(LessonProgress, user_id=named.id) == 0
        assert _count(LessonProgress, user_id=staying.id) == 1
        assert _count(ClassMembership, user_id=leaver.id) == 0 and _count(ClassMembership, user_id=staying.id) == 1
        gone = db.session.get(User, leaver.id)
        assert gone.display_name == "Former pupil" and gone.username == f"former-{leaver.id}"
        assert gone.password_hash is None
        assert db.session.get(User, named.id).display_name == "Named In Concern"  # safeguarding keeps the name
        assert _count(Concern) == 3  # never deleted
        flagged = db.session.scalars(select(ConcernAudit.concern_id).where(
            ConcernAudit.action == "retention_review_due")).all()
        assert len(flagged) == 1
    again = runner.invoke(args=["retention", "--apply", "--today", "2026-09-01"])
    assert again.exit_code == 0 and "of 0 pupil(s)" in again.output
    with app.app_context():
        assert _count(ConcernAudit, action="retention_review_due") == 1  # flagged once


def test_concern_due_at_twenty_fifth_birthday_and_school_period(app, runner, make_school, make_user):
    app.config["RETENTION_YEARS_AFTER_LEAVING"] = 3
    school = make_school()
    pupil = make_user(school, "pupil")
    other = make_user(school, "pupil")
    with app.app_context():
        db.session.get(User, other.id).archived_at = datetime(2025, 7, 20, tzinfo=UTC)
        db.session.add(Concern(school_id=school.id, source="staff", category="contact", description="x",
                               told_adult="yes", about_id=pupil.id, date_of_birth=date(2000, 2, 29)))
        db.session.get(User, pupil.id).archived_at = datetime(2025, 7, 20, tzinfo=UTC)
        db.session.commit()
    before = runner.invoke(args=["retention", "--today", "2025-02-27"])
    assert "review (never deleted automatically): none" in before.output
    after = runner.invoke(args=["retention", "--today", "2025-02-28"])
    assert "review (never deleted automatically): none" not in after.output
    assert "of 0 pupil(s)" in runner.invoke(args=["retention", "--today", "2028-08-31"]).output  # 3 years
    assert "of 1 pupil(s)" in runner.invoke(args=["retention", "--today", "2028-09-01"]).output
    assert runner.invoke(args=["retention", "--apply", "--dry-run"]).exit_code != 0

