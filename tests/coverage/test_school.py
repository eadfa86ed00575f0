"""The school roll-up, curriculum_figures for the checklist, and the school page."""

from __future__ import annotations

from datetime import date

import pytest

from esafe_learn.coverage import services
from esafe_learn.schools.terms import Period
from esafe_learn.timeutil import utcnow

from ..conftest import login
from .helpers import add_class, add_pupils, at, attempt, join_class, make_pack, progress

AUTUMN = Period("Autumn 2024", date(2024, 9, 1), date(2024, 12, 31))


@pytest.fixture
def school_world(app, make_school, make_user):
    school = make_school("Ash School")
    lessons = make_pack(app)
    dsl = make_user(school, "dsl")
    c5a = add_class(app, school, "5A", 5)
    c5b = add_class(app, school, "5B", 5)
    c8 = add_class(app, school, "8N", 8, band="7-11")  # working below the year group's band
    p5a = add_pupils(app, school, 2, c5a, prefix="a")
    p5b = add_pupils(app, school, 2, c5b, prefix="b")
    p8 = add_pupils(app, school, 2, c8, year_group=8, prefix="n")
    loose = add_pupils(app, school, 1, year_group=10, prefix="z")  # in no class
    join_class(app, c5b, [p5a[0]])  # a pupil in two classes counts once for the school
    sid, when = school.id, at(date(2024, 10, 7))  # a Monday
    progress(app, sid, p5a[0], lessons["online-bullying@7-11"], completed=when, score=100)
    progress(app, sid, p5a[0], lessons["privacy-and-security@7-11"], completed=when, score=100)
    progress(app, sid, p5b[0], lessons["online-bullying@7-11"], completed=at(date(2024, 10, 9)))
    progress(app, sid, p8[0], lessons["online-bullying@7-11"], completed=when)  # 7-11 is 8N's band: counts
    progress(app, sid, p8[1], lessons["online-bullying@11-14"], band="11-14", completed=when)  # not its band
    progress(app, sid, loose[0], lessons["online-bullying@14-18"], band="14-18", completed=at(date(2025, 1, 5)))
    attempt(app, sid, p5a[0], lessons["online-bullying@7-11"], when, 100)
    attempt(app, sid, p5b[0], lessons["online-bullying@7-11"], when, 50)
    return {"school": school, "dsl": dsl, "lessons": lessons, "classes": (c5a, c5b, c8), "p5a": p5a, "p5b": p5b,
            "p8": p8, "loose": loose}


def test_school_report_rolls_up_by_class_year_group_and_band(app, school_world):
    with app.app_context():
        report = services.school_report(school_world["school"].id, AUTUMN, date(2025, 6, 1))
    school = report.school
    assert school.pupils == 7
    assert school.covered["online-bullying"] == 3  # p5a[0], p5b[0], p8[0]
    assert school.covered["privacy-and-security"] == 1
    assert school.strands_covered[2] == 1 and school.strands_covered[1] == 2 and school.strands_covered[0] == 4
    assert school.completions == 5  # the January completion is outside the period
    assert school.quiz_average("online-bullying") == 75
    years = {g.year_group: g for g in report.year_groups}
    assert years[5].pupils == 4 and years[5].covered["online-bullying"] == 2
    assert years[8].pupils == 2 and years[8].covered["online-bullying"] == 1
    assert years[10].pupils == 1 and years[10].covered["online-bullying"] == 0
    bands = {g.band: g for g in report.bands}
    assert bands["7-11"].pupils == 6  # year 8 pupils of 8N work at 7-11
    assert bands["11-14"].pupils == 0 and bands["11-14"].share("online-bullying") is None
    classes = {g.label: g for g in report.classes}
    assert classes["5B"].pupils == 3 and classes["5B"].covered["online-bullying"] == 2
    assert classes["5A"].lessons_delivered == 2 and classes["8N"].lessons_delivered == 2
    assert school.lessons_delivered == 3


def test_weekly_trend_buckets_by_week_and_leaves_the_future_empty(app, school_world, make_user):
    teacher = make_user(school_world["school"], "teacher")
    with app.app_context():
        lesson = school_world["lessons"]["staff"]
    progress(app, school_world["school"].id, teacher.id, lesson, band="staff", completed=at(date(2024, 10, 8)))
    with app.app_context():
        report = services.school_report(school_world["school"].id, AUTUMN, date(2025, 1, 8))
    weeks = dict(report.trend)
    assert report.trend_year.start == date(2024, 9, 1)
    assert weeks[date(2024, 10, 7)] == 5  # staff training is not counted
    assert weeks[date(2024, 12, 30)] == 1  # Sunday 5 January is in the week starting Monday 30 December
    assert weeks[date(2025, 1, 6)] == 0
    assert weeks[date(2025, 1, 13)] is None  # still to come
    assert list(weeks)[0] == date(2024, 8, 26)  # the week holding 1 September
    assert report.trend_total == 6


def test_curriculum_figures_for_the_checklist(app, school_world):
    with app.app_context():
        figures = services.curriculum_figures(school_world["school"].id, AUTUMN)
    assert figures.school.pupils == 7
    assert figures.school.share_covering_at_least(1) == pytest.approx(3 / 7)
    assert figures.school.share_covering_at_least(2) == pytest.approx(1 / 7)
    assert figures.school.share_covering_at_least(0) == 1
    assert figures.bands["7-11"].share("online-bullying") == pytest.approx(3 / 6)
    assert figures.bands["14-18"].pupils == 1
    assert figures.bands["4-7"].share_covering_at_least(1) is None
    assert figures.school.quiz_average("online-bullying") == 75
    assert {d.name: d.lessons_delivered for d in figures.lessons_delivered} == {"5A": 2, "5B": 2, "8N": 2}


def test_school_page_for_dsl_and_admin_only(app, client, school_world, make_user):
    login(client, school_world["dsl"])
    page = client.get("/coverage/school?period=custom&start=2024-09-01&end=2024-12-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1
    assert 'aria-labelledby="year-heat-title year-heat-desc"' in html
    assert 'aria-labelledby="weekly-trend-title weekly-trend-desc"' in html
    assert "<polyline" in html
    for name in ("5A", "5B", "8N", "Year 5", "Year 8", "Year 10", "Ages 7 to 11", "Whole school"):
        assert name in html
    assert " style=" not in html
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/coverage/school"' in home
    teacher = make_user(school_world["school"], "teacher")
    other = app.test_client()
    login(other, teacher)
    assert other.get("/coverage/school").status_code == 403
    assert 'href="/coverage/school"' not in other.get("/home").get_data(as_text=True)


def test_school_page_with_no_pupils(app, client, make_school, make_user):
    school = make_school("Empty School")
    login(client, make_user(school, "school_admin"))
    html = client.get("/coverage/school").get_data(as_text=True)
    assert "There are no pupils in the school yet" in html


def test_trend_counts_this_years_completions(app, client, school_world):
    progress(app, school_world["school"].id, school_world["p5b"][1], school_world["lessons"]["online-reputation@7-11"],
             completed=utcnow())
    login(client, school_world["dsl"])
    html = client.get("/coverage/school?period=year").get_data(as_text=True)
    assert "1 lesson completed by pupils so far." in html


def test_weeks_are_counted_in_utc_whatever_the_database_time_zone(app, make_school):
    """A completion late on Sunday (UTC) belongs to that week even when PostgreSQL's session is ahead of UTC."""
    from datetime import UTC, datetime

    from sqlalchemy import event

    from esafe_learn.extensions import db

    school = make_school()
    lessons = make_pack(app)
    pupil = add_pupils(app, school, 1, year_group=5)[0]
    progress(app, school.id, pupil, lessons["online-bullying@7-11"],
             completed=datetime(2024, 10, 6, 23, 30, tzinfo=UTC))
    with app.app_context():
        engine = db.engine

        def auckland(dbapi_connection, _record):
            if engine.dialect.name == "postgresql":
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SET TIME ZONE 'Pacific/Auckland'")
                dbapi_connection.commit()

        event.listen(engine, "connect", auckland)
        engine.dispose()
        try:
            report = services.school_report(school.id, AUTUMN, date(2025, 6, 1))
        finally:
            event.remove(engine, "connect", auckland)
            db.session.remove()
            engine.dispose()
    weeks = dict(report.trend)
    assert weeks[date(2024, 9, 30)] == 1 and weeks[date(2024, 10, 7)] == 0
