"""The evidence of the fed items on a small school whose every figure is worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update

from esafe_learn.auth.models import User
from esafe_learn.checklist import evidence
from esafe_learn.checklist.rating import Thresholds, suggest_curriculum_rating
from esafe_learn.concerns.models import Concern
from esafe_learn.content.taxonomy import STRANDS
from esafe_learn.extensions import db
from esafe_learn.schools.terms import academic_year
from esafe_learn.timeutil import utcnow

from ..concerns.helpers import add_concern
from ..conftest import login
from ..coverage.helpers import add_class, add_pupils, attempt, make_pack, progress
from ..mentoring.helpers import add_log
from .helpers import acknowledge, complete, install_staff_pack, publish, seed_checklist

S = list(STRANDS)  # the eight strands in framework order: S[0] .. S[7]


def _at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


@pytest.fixture
def small_school(app, make_school, make_user):
    """Six pupils in two classes, three staff (and one who left), a leader's logs, three concerns, an AUP.

    3A (Year 3, ages 7-11): P1 six strands, P2 all eight, P3 five, P4 (the Online Leader) none this year.
    8B (Year 8, ages 11-14): P5 six strands; P6 two strands at 7-11 (not their band) and one at 11-14.
    """
    school = make_school("Hand Count Primary")
    year = academic_year(utcnow().date())
    this_year, last_year = _at(year.start + timedelta(days=3)), _at(year.start - timedelta(days=30))
    lessons = make_pack(app)
    teacher, dsl = make_user(school, "teacher"), make_user(school, "dsl")
    admin, left = make_user(school, "school_admin"), make_user(school, "teacher")
    with app.app_context():
        db.session.execute(update(User).where(User.id == left.id).values(archived_at=utcnow()))
        db.session.commit()
    c3, c8 = add_class(app, school, "3A", 3), add_class(app, school, "8B", 8)
    p1, p2, p3, p4 = add_pupils(app, school, 4, c3, year_group=3, prefix="three")
    p5, p6 = add_pupils(app, school, 2, c8, year_group=8, prefix="eight")
    with app.app_context():
        db.session.execute(update(User).where(User.id == p4).values(is_online_leader=True))
        db.session.commit()
    sid = school.id

    def done(pupil, strands, band, when=this_year):
        for slug in strands:
            progress(app, sid, pupil, lessons[f"{slug}@{band}"], band=band, completed=when, score=90)

    done(p1, S[:6], "7-11")
    done(p2, S, "7-11")
    done(p3, S[:5], "7-11")
    done(p4, S[:3], "7-11", when=last_year)  # last academic year: not counted
    done(p5, S[:6], "11-14")
    done(p6, S[6:], "7-11")  # below their band: delivered, not covered
    done(p6, S[7:], "11-14")
    attempt(app, sid, p1, lessons[f"{S[0]}@7-11"], this_year, 60)
    attempt(app, sid, p2, lessons[f"{S[0]}@7-11"], this_year, 100)
    attempt(app, sid, p5, lessons[f"{S[0]}@11-14"], this_year, 50, band="11-14")
    attempt(app, sid, p5, lessons[f"{S[1]}@11-14"], last_year, 10, band="11-14")  # last year: not counted

    leader = User(id=p4, school_id=sid)
    add_log(app, leader, kind="one_to_one", mentee_mode="unnamed", unnamed_year_group=3, duration_minutes=15,
            strands=["online-bullying"])
    add_log(app, leader, kind="class_talk", mentee_mode="group", group_size=5, duration_minutes=30,
            strands=["online-bullying", "privacy-and-security"], follow_up_needed=True)

    pupil_one = User(id=p1, school_id=sid)
    concerns = [add_concern(app, pupil_one, source="pupil"), add_concern(app, teacher, source="staff"),
                add_concern(app, pupil_one, source="pupil", category="content")]
    raised = _at(year.start + timedelta(days=10))
    with app.app_context():
        for concern, waited in zip(concerns, (timedelta(hours=2, minutes=30), timedelta(minutes=45), None),
                                   strict=True):
            db.session.execute(update(Concern).where(Concern.id == concern.id).values(
                created_at=raised, acknowledged_at=raised + waited if waited else None))
        db.session.commit()

    staff_lessons = install_staff_pack(app)
    complete(app, school, teacher, staff_lessons["annual-update"], this_year)
    complete(app, school, dsl, staff_lessons["responding-to-disclosures"], this_year)
    complete(app, school, admin, staff_lessons["annual-update"], last_year)  # last year: not counted
    complete(app, school, left, staff_lessons["annual-update"], this_year)  # has left: not counted
    complete(app, school, teacher, lessons[f"{S[0]}@7-11"], this_year)  # a pupils' lesson: not training

    first = publish(app, school, dsl, "2024-1")
    acknowledge(app, teacher, first)
    acknowledge(app, User(id=p1, school_id=sid), first)
    second = publish(app, school, dsl, "2024-2")
    acknowledge(app, dsl, second)
    acknowledge(app, User(id=p2, school_id=sid), second)
    acknowledge(app, User(id=p3, school_id=sid), second)
    return {"school": school, "dsl": dsl, "year": year}


def test_the_figures_of_a_small_school(app, small_school):
    with app.app_context():
        figures = evidence.collect(small_school["school"].id, small_school["year"])

    coverage = figures["coverage"]
    school = coverage["school"]
    assert school["pupils"] == 6
    # strands covered at their band: P4 0, P6 1, P3 5, P1 6, P5 6, P2 8
    assert school["strands_covered"] == [1, 1, 0, 0, 0, 1, 2, 0, 1]
    # S[0]: P1 P2 P3 P5; S[5]: P1 P2 P5; S[6]: P2 (P6's was below their band); S[7]: P2 and P6 (at 11-14)
    assert [school["covered"][slug] for slug in S] == [4, 4, 4, 4, 4, 3, 1, 2]
    assert school["quiz_average"][S[0]] == 70  # (60 + 100 + 50) / 3
    assert school["quiz_average"][S[1]] is None  # only last year's attempt
    bands = {group["band"]: group for group in coverage["bands"]}
    assert bands["7-11"]["pupils"] == 4 and bands["11-14"]["pupils"] == 2
    assert bands["4-7"]["pupils"] == 0 and bands["14-18"]["pupils"] == 0
    assert bands["7-11"]["covered"][S[0]] == 3 and bands["11-14"]["covered"][S[0]] == 1
    assert bands["7-11"]["covered"][S[7]] == 1 and bands["11-14"]["covered"][S[7]] == 1  # P2; P6
    assert bands["7-11"]["quiz_average"][S[0]] == 80 and bands["11-14"]["quiz_average"][S[0]] == 50
    assert bands["7-11"]["strands_covered"] == [1, 0, 0, 0, 0, 1, 1, 0, 1]
    # 3A: P2's eight lessons include every other one; 8B: P5's six at 11-14, and P6's S6, S7 at 7-11 and S7 at 11-14
    assert {row["name"]: row["lessons_delivered"] for row in coverage["classes"]} == {"3A": 8, "8B": 9}

    # three of six pupils covered at least six strands: 50%, exactly the amber threshold
    suggestion = suggest_curriculum_rating(school["strands_covered"], Thresholds())
    assert suggestion.rating == "amber"
    assert "50% of pupils (3 of 6)" in suggestion.reason
    assert suggest_curriculum_rating(school["strands_covered"], Thresholds(min_strands=5)).rating == "amber"
    assert suggest_curriculum_rating(school["strands_covered"], Thresholds(amber_percent=51)).rating == "red"

    concerns = figures["concerns"]
    assert [concerns[key] for key in ("total", "from_pupils", "from_staff", "from_leaders")] == [3, 2, 1, 0]
    assert (concerns["acknowledged"], concerns["waiting"]) == (2, 1)
    assert concerns["median_seconds"] == (150 + 45) * 60 // 2  # the middle of 2 h 30 min and 45 min
    assert concerns["longest_seconds"] == 150 * 60
    assert concerns["by_category"]["Content"] == 1 and concerns["by_category"]["Contact"] == 2

    mentoring = figures["mentoring"]
    assert (mentoring["sessions"], mentoring["leaders_active"], mentoring["pupils_helped"]) == (2, 1, 6)
    assert (mentoring["minutes"], mentoring["follow_ups"], mentoring["strands_covered"]) == (45, 1, 2)
    assert mentoring["strands"]["online-bullying"] == 2

    training = figures["training"]
    assert (training["staff"], training["trained"], training["annual_update"]) == (3, 2, 1)
    assert [(row["title"], row["staff"]) for row in training["lessons"]] == [
        ("Online safeguarding: annual update for all staff", 1), (training["lessons"][1]["title"], 1)]
    assert training["lessons"][1]["title"] != training["lessons"][0]["title"]

    assert figures["aup"] == {"version": "2024-2", "published_on": utcnow().date().isoformat(), "staff": 3,
                              "staff_acknowledged": 1, "pupils": 6, "pupils_acknowledged": 2}


def test_the_checklist_page_shows_the_figures_and_the_suggestion(app, client, small_school):
    seed_checklist(app, small_school["school"])
    login(client, small_school["dsl"])
    page = client.get("/checklist/").get_data(as_text=True)
    assert "3 of 6 pupils (50%) completed lessons in at least 6 of the 8 strands" in page
    assert "Amber because 50% of pupils (3 of 6)" in page
    assert "3 concerns recorded in the log: 0 from Online Leaders&#39; logs, 2 from pupils, 1 from staff." in page
    assert "2 mentoring sessions by 1 Online Leaders, helping 6 pupils over 45 minutes." in page
    assert "2 of 3 staff (67%) completed online safeguarding training" in page
    assert "1 of 3 staff (33%) and 2 of 6 pupils (33%) acknowledged it." in page
    item = client.get("/checklist/items/" + str(seed_checklist(app, small_school["school"])["curriculum"]))
    text = item.get_data(as_text=True)
    assert item.status_code == 200 and "Suggested rating" in text and "Accept the suggestion" in text
