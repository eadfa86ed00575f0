"""Every coverage page runs the same number of SQL queries, at most 10, whatever the class or school size."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ..conftest import count_queries, login
from .helpers import add_class, add_pupils, assign, at, attempt, make_pack, progress

MAX_QUERIES = 10
PERIODS = ("", "?period=year", "?period=custom&start=2024-09-01&end=2025-08-31")


def _busy_class(app, school, lessons, teacher, name, size):
    school_class = add_class(app, school, name, 5, teacher=teacher)
    pupils = add_pupils(app, school, size, school_class, prefix=name.lower())
    keys = [key for key in lessons if key.endswith("@7-11")]
    for i, pupil in enumerate(pupils):
        for j, key in enumerate(keys[: 1 + i % 4]):
            when = at(date(2024, 10, 1) + timedelta(days=i + j))
            progress(app, school.id, pupil, lessons[key], completed=when if j % 2 == 0 else None, score=60 + j)
            attempt(app, school.id, pupil, lessons[key], when, 50, misconceptions=("only-a-joke",))
    assign(app, school_class, lessons["teacher-led@7-11"])
    return school_class, pupils


def _count(app, client, url):
    """Statements of a page once the app process keeps the installed lessons (its first view reads them)."""
    client.get(url)
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.fixture
def sized(app, make_school, make_user):
    school = make_school()
    lessons = make_pack(app)
    teacher = make_user(school, "teacher")
    small, small_pupils = _busy_class(app, school, lessons, teacher, "S5", 5)
    large, large_pupils = _busy_class(app, school, lessons, teacher, "L30", 30)
    return {"teacher": teacher, "small": small, "large": large, "pupils": (small_pupils, large_pupils)}


def test_class_pages_run_a_fixed_number_of_queries(app, client, sized):
    login(client, sized["teacher"])
    client.get("/home")
    for suffix in ("", "/grid.csv", "/strands.csv"):
        for period in PERIODS:
            small = _count(app, client, f"/coverage/classes/{sized['small'].id}{suffix}{period}")
            large = _count(app, client, f"/coverage/classes/{sized['large'].id}{suffix}{period}")
            assert small == large <= MAX_QUERIES, (suffix, period, small, large)


def test_pupil_page_runs_a_fixed_number_of_queries(app, client, sized):
    login(client, sized["teacher"])
    few, many = sized["pupils"][0][0], sized["pupils"][1][3]  # 1 lesson against 4, with their attempts
    for period in PERIODS:
        assert _count(app, client, f"/coverage/pupils/{few}{period}") == \
            _count(app, client, f"/coverage/pupils/{many}{period}") <= MAX_QUERIES


def _school_of(app, make_school, make_user, lessons, classes: int):
    school = make_school()
    dsl = make_user(school, "dsl")
    for n in range(classes):
        school_class = add_class(app, school, f"C{n:02d}", 3 + n % 8, band="7-11" if n % 5 == 0 else None)
        pupils = add_pupils(app, school, 3, school_class, year_group=3 + n % 8, prefix=f"s{classes}c{n}")
        for i, pupil in enumerate(pupils):
            key = list(lessons)[(n + i) % 32]
            band = key.split("@")[1]
            when = at(date(2024, 9, 10) + timedelta(days=7 * (n % 10)))
            progress(app, school.id, pupil, lessons[key], band=band, completed=when, score=80)
            attempt(app, school.id, pupil, lessons[key], when, 80)
    return dsl


def test_school_page_runs_a_fixed_number_of_queries(app, make_school, make_user):
    lessons = make_pack(app)
    small_dsl = _school_of(app, make_school, make_user, lessons, 2)
    large_dsl = _school_of(app, make_school, make_user, lessons, 20)
    small_client, large_client = app.test_client(), app.test_client()
    login(small_client, small_dsl)
    login(large_client, large_dsl)
    for path in ("/coverage/school", "/coverage/school.csv"):
        for period in PERIODS:
            small = _count(app, small_client, path + period)
            large = _count(app, large_client, path + period)
            assert small == large <= MAX_QUERIES, (path, period, small, large)
