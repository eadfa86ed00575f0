"""Choosing the period: this term (the school's own dates or the defaults), this year, or custom dates."""

from __future__ import annotations

from datetime import date

import pytest

from esafe_learn.coverage.periods import CUSTOM, TERM, YEAR, choose_period, parse_day
from esafe_learn.extensions import db
from esafe_learn.schools.terms import SchoolTerm

from ..conftest import login

DAY = date(2025, 2, 10)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-09-01", date(2025, 9, 1)), ("01/09/2025", date(2025, 9, 1)), ("1/9/2025", date(2025, 9, 1)),
    (" 2025-09-01 ", date(2025, 9, 1)), ("2025-02-30", None), ("31/02/2025", None), ("tomorrow", None),
    ("", None), (None, None), ("2025-9-1", None), ("9" * 40, None), ("20250901", None),
])
def test_parse_day(text, expected):
    assert parse_day(text) == expected


def test_default_terms_and_year(ctx, make_school):
    school = make_school()
    choice = choose_period(school.id, None, None, None, DAY)
    assert (choice.kind, choice.period.start, choice.period.end) == (TERM, date(2025, 1, 1), date(2025, 3, 31))
    assert choice.problem is None
    year = choose_period(school.id, "year", None, None, DAY)
    assert (year.kind, year.period.start, year.period.end) == (YEAR, date(2024, 9, 1), date(2025, 8, 31))
    assert year.query_args() == {"period": "year"}


def test_the_schools_own_terms(ctx, make_school):
    school = make_school()
    db.session.add(SchoolTerm(school_id=school.id, name="Spring 2025", starts_on=date(2025, 1, 6),
                              ends_on=date(2025, 4, 4)))
    db.session.commit()
    choice = choose_period(school.id, "term", None, None, DAY)
    assert (choice.period.name, choice.period.start, choice.period.end) == \
        ("Spring 2025", date(2025, 1, 6), date(2025, 4, 4))


def test_custom_dates(ctx, make_school):
    school = make_school()
    choice = choose_period(school.id, "custom", "2024-10-01", "31/10/2024", DAY)
    assert (choice.kind, choice.period.start, choice.period.end, choice.problem) == \
        (CUSTOM, date(2024, 10, 1), date(2024, 10, 31), None)
    assert choice.period.name == "1 October 2024 to 31 October 2024"
    assert choice.query_args() == {"period": "custom", "start": "2024-10-01", "end": "2024-10-31"}
    single = choose_period(school.id, "custom", "2024-10-01", "2024-10-01", DAY)
    assert single.period.start == single.period.end


@pytest.mark.parametrize(("kind", "start", "end", "problem"), [
    ("custom", "2024-13-01", "2024-12-01", "The start date is not a date we can read"),
    ("custom", "2024-10-01", "nonsense", "The end date is not a date we can read"),
    ("custom", "2024-12-01", "2024-10-01", "The start date is after the end date."),
    ("custom", "", "2024-10-01", "type both a start date and an end date"),
    ("custom", "1066-10-14", "2024-10-01", "between the years 2000 and 2100"),
    ("custom", "2024-10-01", "9999-12-31", "between the years 2000 and 2100"),
    ("fortnight", None, None, "Choose this term, this academic year or your own dates."),
])
def test_bad_requests_fall_back_to_this_term_with_a_message(ctx, make_school, kind, start, end, problem):
    school = make_school()
    choice = choose_period(school.id, kind, start, end, DAY)
    assert choice.kind == TERM and choice.period.start == date(2025, 1, 1)
    assert problem in choice.problem and choice.problem.endswith("Showing this term instead.")


@pytest.mark.parametrize("query", [
    "?period=custom&start=2024-02-30&end=2024-03-01", "?period=custom&start=2025-01-01&end=2024-01-01",
    "?period=custom&start=9999-12-31&end=9999-12-31", "?period=%00&start=%ff", "?period=custom",
    "?period=custom&start=" + "9" * 5000,
])
def test_pages_never_fail_on_bad_dates(app, client, make_school, make_user, make_class, query):
    school = make_school()
    dsl = make_user(school, "dsl")
    pupil = make_user(school, "pupil")
    school_class = make_class(school, "5B", teachers=[dsl], pupils=[pupil])
    login(client, dsl)
    for path in (f"/coverage/classes/{school_class.id}", f"/coverage/classes/{school_class.id}/grid.csv",
                 f"/coverage/classes/{school_class.id}/strands.csv", "/coverage/school", "/coverage/school.csv",
                 f"/coverage/pupils/{pupil.id}"):
        response = client.get(path + query)
        assert response.status_code == 200, (path, query)
        if not path.endswith(".csv"):
            html = response.get_data(as_text=True)
            assert "Showing this term instead." in html and 'role="alert"' in html


def test_the_period_form_keeps_what_was_chosen(app, client, make_school, make_user):
    school = make_school()
    login(client, make_user(school, "dsl"))
    html = client.get("/coverage/school?period=custom&start=2024-10-01&end=2024-10-31").get_data(as_text=True)
    assert '<option selected value="custom">' in html
    assert 'value="2024-10-01"' in html and 'type="date"' in html
    assert "<label for=\"start\">From</label>" in html
    assert "1 October 2024 to 31 October 2024" in html
