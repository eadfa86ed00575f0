"""Each automatic criterion at its boundary, checked when the event happens (signals), never by a batch."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafe_learn.badges.models import BadgeAward
from esafe_learn.extensions import db
from esafe_learn.signals import lesson_completed, mentoring_reviewed, quiz_scored

from .helpers import attempt, complete, held, make_pack, send

STRAND = "privacy-and-security"


@pytest.fixture
def pupil(make_school, make_user, make_class):
    school = make_school()
    pupil = make_user(school, "pupil", year_group=5)  # band 7-11
    make_class(school, "5B", 5, pupils=[pupil])
    return pupil


def finish(app, pupil, lesson_id: int) -> list[dict]:
    complete(app, pupil, lesson_id)
    return send(app, lesson_completed, pupil, lesson=lesson_id, progress=None)


def test_first_lesson(app, pupil):
    pack = make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"]}],
                     [{"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}}])
    assert held(app, pupil) == []
    announced = finish(app, pupil, pack.lessons["a"])
    assert [item["name"] for item in announced] == ["First steps"]
    assert announced[0]["image"] == "/static/badges/star.svg" and announced[0]["description"] == "A badge."
    assert held(app, pupil) == ["First steps"]
    with app.app_context():
        award = db.session.scalar(select(BadgeAward))
        assert award.evidence == {"lessons": [pack.lessons["a"]]} and award.awarded_by_id is None


def test_lessons_completed_at_its_boundary(app, pupil):
    lessons = [{"slug": f"l{i}", "strand": STRAND, "ages": ["7-11"]} for i in range(5)]
    pack = make_pack(app, lessons, [{"slug": "five", "name": "Keeping going",
                                     "criteria": {"kind": "lessons-completed", "count": 5}}])
    for i in range(4):
        assert finish(app, pupil, pack.lessons[f"l{i}"]) == []
    assert held(app, pupil) == []
    assert [item["name"] for item in finish(app, pupil, pack.lessons["l4"])] == ["Keeping going"]
    with app.app_context():
        award = db.session.scalar(select(BadgeAward))
        assert award.evidence["lessons"] == [pack.lessons[f"l{i}"] for i in range(5)]


def test_strand_complete_counts_only_the_pupils_own_lessons_of_the_strand(app, pupil):
    pack = make_pack(app, [
        {"slug": "a", "strand": STRAND, "ages": ["7-11"]},
        {"slug": "b", "strand": STRAND, "ages": ["7-11", "11-14"]},
        {"slug": "led", "strand": STRAND, "ages": ["7-11"], "teacher_led": True},
        {"slug": "old", "strand": STRAND, "ages": ["7-11"], "retired": True},
        {"slug": "older", "strand": STRAND, "ages": ["11-14"]},
        {"slug": "leaders", "strand": STRAND, "ages": ["7-11"], "audience": "online-leaders"},
        {"slug": "other", "strand": "online-bullying", "ages": ["7-11"]},
    ], [{"slug": "strand", "name": "Privacy protector", "criteria": {"kind": "strand-complete", "strand": STRAND}}])
    assert finish(app, pupil, pack.lessons["other"]) == []
    assert finish(app, pupil, pack.lessons["a"]) == []
    assert held(app, pupil) == []
    announced = finish(app, pupil, pack.lessons["b"])  # a and b: every lesson a Year 5 pupil does on their own
    assert [item["name"] for item in announced] == ["Privacy protector"]
    with app.app_context():
        award = db.session.scalar(select(BadgeAward))
        assert award.evidence == {"lessons": sorted([pack.lessons["a"], pack.lessons["b"]]), "strand": STRAND,
                                  "band": "7-11"}


def test_strand_complete_uses_the_pupils_band(app, make_school, make_user, make_class):
    school = make_school()
    older = make_user(school, "pupil", year_group=8)  # band 11-14
    make_class(school, "8A", 8, pupils=[older])
    pack = make_pack(app, [
        {"slug": "young", "strand": STRAND, "ages": ["7-11"]},
        {"slug": "old1", "strand": STRAND, "ages": ["11-14"]},
        {"slug": "old2", "strand": STRAND, "ages": ["11-14"]},
    ], [{"slug": "strand", "name": "Privacy protector", "criteria": {"kind": "strand-complete", "strand": STRAND}}])
    assert finish(app, older, pack.lessons["old1"]) == []
    assert [item["name"] for item in finish(app, older, pack.lessons["old2"])] == ["Privacy protector"]


def test_a_strand_with_no_lessons_for_the_band_is_never_earned(app, pupil):
    pack = make_pack(app, [{"slug": "old", "strand": STRAND, "ages": ["14-18"]},
                           {"slug": "a", "strand": "online-bullying", "ages": ["7-11"]}],
                     [{"slug": "strand", "criteria": {"kind": "strand-complete", "strand": STRAND}}])
    assert finish(app, pupil, pack.lessons["a"]) == []


def test_quiz_full_marks_counts_different_quizzes(app, pupil):
    pack = make_pack(app, [{"slug": s, "strand": STRAND, "ages": ["7-11"]} for s in ("a", "b", "c")],
                     [{"slug": "quiz", "name": "Quiz champion", "criteria": {"kind": "quiz-full-marks", "count": 3}}])

    def score(slug: str, full: bool = True) -> list[dict]:
        attempt_id = attempt(app, pupil, pack.lessons[slug], full_marks=full)
        return send(app, quiz_scored, pupil, lesson=pack.lessons[slug], attempt=attempt_id)

    assert score("a") == []
    assert score("a") == []  # the same quiz again is still one quiz
    assert score("b") == []
    assert score("c", full=False) == []
    assert held(app, pupil) == []
    assert [item["name"] for item in score("c")] == ["Quiz champion"]
    with app.app_context():
        award = db.session.scalar(select(BadgeAward))
        assert award.evidence["lessons"] == [pack.lessons[s] for s in ("a", "b", "c")]
        assert len(award.evidence["attempts"]) == 3


def test_named_lessons_such_as_online_leader_training(app, make_school, make_user, make_class):
    school = make_school()
    leader = make_user(school, "pupil", year_group=6, leader=True)
    make_class(school, "6A", 6, pupils=[leader])
    ids = ["leader-listening", "leader-confidence", "leader-telling"]
    pack = make_pack(app, [{"slug": s, "strand": "online-relationships", "ages": ["7-11"],
                            "audience": "online-leaders"} for s in ids],
                     [{"slug": "leader", "name": "Online Leader", "image": "shield",
                       "criteria": {"kind": "lessons", "ids": ids}}])
    assert finish(app, leader, pack.lessons["leader-listening"]) == []
    assert finish(app, leader, pack.lessons["leader-confidence"]) == []
    announced = finish(app, leader, pack.lessons["leader-telling"])
    assert [(item["name"], item["image"]) for item in announced] == [("Online Leader", "/static/badges/shield.svg")]


def test_mentoring_sessions_counted_from_reviewed_logs(app, make_school, make_user):
    from ..mentoring.helpers import add_log

    school = make_school()
    leader = make_user(school, "pupil", year_group=6, leader=True)
    teacher = make_user(school, "teacher", supervises=True)
    make_pack(app, [], [{"slug": "mentor", "name": "Peer mentor",
                         "criteria": {"kind": "mentoring-sessions", "count": 2}}])
    add_log(app, leader)  # not reviewed: does not count
    add_log(app, leader, reviewed_by=teacher)
    assert send(app, mentoring_reviewed, leader, log=None) == []
    add_log(app, leader, reviewed_by=teacher)
    assert [item["name"] for item in send(app, mentoring_reviewed, leader, log=None)] == ["Peer mentor"]
    with app.app_context():
        evidence = db.session.scalar(select(BadgeAward)).evidence
        assert evidence["reviewed_sessions"] == 2 and len(evidence["mentoring_logs"]) == 2


def test_a_mentoring_review_reads_no_lesson(app, make_school, make_user):
    """Only mentoring badges can follow a review: their judging needs the reviewed sessions, not the lessons."""
    from ..conftest import count_queries
    from ..mentoring.helpers import add_log

    school = make_school()
    leader = make_user(school, "pupil", year_group=6, leader=True)
    make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"]}],
              [{"slug": "mentor", "name": "Peer mentor", "criteria": {"kind": "mentoring-sessions", "count": 1}},
               {"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}}])
    add_log(app, leader, reviewed_by=make_user(school, "teacher", supervises=True))
    with count_queries(app) as statements:
        assert [item["name"] for item in send(app, mentoring_reviewed, leader, log=None)] == ["Peer mentor"]
    assert statements and not any(" lesson" in statement.lower().replace('"', "") for statement in statements)


def test_badges_count_only_their_own_packs_lessons(app, pupil):
    first = make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"]}],
                      [{"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}}])
    second = make_pack(app, [{"slug": "b", "strand": STRAND, "ages": ["7-11"]}],
                       [{"slug": "first", "name": "Other first", "criteria": {"kind": "first-lesson"}}])
    assert [item["name"] for item in finish(app, pupil, second.lessons["b"])] == ["Other first"]
    assert [item["name"] for item in finish(app, pupil, first.lessons["a"])] == ["First steps"]


def test_retired_and_staff_awarded_badges_are_never_automatic(app, pupil):
    pack = make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"]}], [
        {"slug": "gone", "criteria": {"kind": "first-lesson"}, "retired": True},
        {"slug": "kind", "criteria": {"kind": "staff-awarded"}},
    ])
    assert finish(app, pupil, pack.lessons["a"]) == []
    assert held(app, pupil) == []


def test_staff_learners_get_no_badges(app, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    pack = make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"], "audience": "staff"}],
                     [{"slug": "first", "criteria": {"kind": "first-lesson"}}])
    assert finish(app, teacher, pack.lessons["a"]) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(BadgeAward.id))) == 0


def test_an_earned_badge_is_announced_once(app, pupil):
    pack = make_pack(app, [{"slug": "a", "strand": STRAND, "ages": ["7-11"]}],
                     [{"slug": "first", "name": "First steps", "criteria": {"kind": "first-lesson"}}])
    complete(app, pupil, pack.lessons["a"])
    attempt_id = attempt(app, pupil, pack.lessons["a"])
    # the quiz view sends quiz_scored, then lesson_completed, in one request; a resend announces nothing
    assert send(app, quiz_scored, pupil, lesson=pack.lessons["a"], attempt=attempt_id) == []
    assert [i["name"] for i in send(app, lesson_completed, pupil, lesson=pack.lessons["a"], progress=None)] == [
        "First steps"]
    assert send(app, lesson_completed, pupil, lesson=pack.lessons["a"], progress=None) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(BadgeAward.id))) == 1
