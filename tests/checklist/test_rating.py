"""The suggested curriculum rating at the edges of its thresholds (a pure function: no database)."""

from __future__ import annotations

import pytest

from esafe_learn.checklist.rating import Thresholds, percent_text, suggest_curriculum_rating


def spread(pupils: int, covering: int, strands: int = 6, others: int = 0) -> list[int]:
    """`covering` pupils who covered exactly `strands` strands, the rest `others` strands."""
    counts = [0] * 9
    counts[strands] += covering
    counts[others] += pupils - covering
    return counts


@pytest.mark.parametrize(("covering", "rating"), [
    (1000, "green"), (800, "green"), (799, "amber"), (500, "amber"), (499, "red"), (0, "red"),
])
def test_default_thresholds_at_their_edges(covering, rating):
    assert suggest_curriculum_rating(spread(1000, covering), Thresholds()).rating == rating


def test_79_9_percent_is_amber_and_80_is_green():
    amber = suggest_curriculum_rating(spread(1000, 799), Thresholds())
    green = suggest_curriculum_rating(spread(1000, 800), Thresholds())
    assert (amber.rating, green.rating) == ("amber", "green")
    assert "79.9% of pupils (799 of 1000)" in amber.reason and "80% needed for green" in amber.reason
    assert "80% of pupils (800 of 1000)" in green.reason


def test_49_9_percent_is_red_and_50_is_amber():
    red = suggest_curriculum_rating(spread(1000, 499), Thresholds())
    amber = suggest_curriculum_rating(spread(1000, 500), Thresholds())
    assert (red.rating, amber.rating) == ("red", "amber")
    assert "49.9% of pupils" in red.reason and "below the 50% needed for amber" in red.reason


def test_five_strands_do_not_count_towards_six_but_six_do():
    assert suggest_curriculum_rating(spread(10, 10, strands=5), Thresholds()).rating == "red"
    assert suggest_curriculum_rating(spread(10, 10, strands=6), Thresholds()).rating == "green"
    assert suggest_curriculum_rating(spread(10, 10, strands=8), Thresholds()).rating == "green"
    assert suggest_curriculum_rating(spread(10, 10, strands=5), Thresholds(min_strands=5)).rating == "green"


def test_a_percentage_just_under_a_threshold_never_reads_as_the_threshold():
    assert percent_text(7999, 10000) == "79.9%"
    assert percent_text(1, 3) == "33.3%"
    assert percent_text(2, 2) == "100%"


def test_the_reason_is_one_sentence():
    for covering in (900, 600, 100):
        reason = suggest_curriculum_rating(spread(1000, covering), Thresholds()).reason
        assert reason.endswith(".") and reason.count(". ") == 0


def test_school_thresholds_are_used_and_green_may_equal_amber():
    same = Thresholds(green_percent=60, amber_percent=60, min_strands=4)
    assert suggest_curriculum_rating(spread(10, 6, strands=4), same).rating == "green"
    assert suggest_curriculum_rating(spread(10, 5, strands=4), same).rating == "red"


def test_no_pupils_means_no_suggestion():
    suggestion = suggest_curriculum_rating([0] * 9, Thresholds())
    assert suggestion.rating == "unrated" and suggestion.share is None


@pytest.mark.parametrize(("values", "fields"), [
    ((80, 50, 6), set()), ((100, 0, 1), set()), ((0, 0, 8), set()), ((101, 50, 6), {"green_percent"}),
    ((80, -1, 6), {"amber_percent"}), ((40, 50, 6), {"green_percent"}), ((80, 50, 0), {"min_strands"}),
    ((80, 50, 9), {"min_strands"}),
])
def test_threshold_checks(values, fields):
    assert set(Thresholds(*values).problems()) == fields
