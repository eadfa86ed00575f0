"""Stored times are UTC; pages show the UK clock, GMT or BST, and UK dates."""

from __future__ import annotations

from datetime import UTC, date, datetime


def test_pages_show_uk_time_with_its_name(app):
    shown = app.jinja_env.filters["datetime"]
    assert shown(datetime(2026, 6, 3, 14, 5, tzinfo=UTC)) == "3 June 2026, 15:05 BST"
    assert shown(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "15 January 2026, 23:30 GMT"
    assert shown(None) == ""


def test_a_late_summer_evening_is_already_the_next_day_in_the_uk(app):
    day = app.jinja_env.filters["date"]
    assert day(datetime(2026, 6, 3, 23, 30, tzinfo=UTC)) == "4 June 2026"
    assert day(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "15 January 2026"
    assert day(date(2026, 6, 3)) == "3 June 2026"  # a date is a date: nothing to convert
