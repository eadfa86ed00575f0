"""The suggested rating of the curriculum item: a pure function of the coverage figures and the thresholds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..coverage.rollup import STRAND_COUNT
from .models import (
    AMBER,
    DEFAULT_AMBER_PERCENT,
    DEFAULT_GREEN_PERCENT,
    DEFAULT_MIN_STRANDS,
    GREEN,
    RED,
    UNRATED,
)


@dataclass(frozen=True)
class Thresholds:
    """Green from `green_percent` of pupils covering at least `min_strands` strands, amber from `amber_percent`."""

    green_percent: int = DEFAULT_GREEN_PERCENT
    amber_percent: int = DEFAULT_AMBER_PERCENT
    min_strands: int = DEFAULT_MIN_STRANDS

    def problems(self) -> dict[str, str]:
        """What is wrong with these thresholds, by field; empty when they can be used."""
        found = {}
        if not 0 <= self.green_percent <= 100:
            found["green_percent"] = "Type a percentage from 0 to 100 for green."
        if not 0 <= self.amber_percent <= 100:
            found["amber_percent"] = "Type a percentage from 0 to 100 for amber."
        elif "green_percent" not in found and self.green_percent < self.amber_percent:
            found["green_percent"] = "Green can't start below amber. Make green the same as amber or higher."
        if not 1 <= self.min_strands <= STRAND_COUNT:
            found["min_strands"] = f"Type a number of strands from 1 to {STRAND_COUNT}."
        return found

    def as_dict(self) -> dict[str, int]:
        return {"green_percent": self.green_percent, "amber_percent": self.amber_percent,
                "min_strands": self.min_strands}


@dataclass(frozen=True)
class Suggestion:
    rating: str  # green, amber, red; "unrated" when there are no pupils to count
    reason: str  # one sentence
    pupils: int
    covering: int

    @property
    def share(self) -> float | None:
        return self.covering / self.pupils if self.pupils else None


def percent_text(part: int, whole: int) -> str:
    """A percentage rounded down to one decimal place, so 79.96% reads "79.9%" and never looks like 80%."""
    value = math.floor(1000 * part / whole) / 10 if whole else 0.0
    return (f"{value:.0f}" if value == int(value) else f"{value:.1f}") + "%"


def suggest_curriculum_rating(strands_covered: Sequence[int], thresholds: Thresholds) -> Suggestion:
    """`strands_covered[n]` is the number of pupils who covered exactly n strands at their band in the period."""
    pupils = sum(strands_covered)
    n = thresholds.min_strands
    covering = sum(strands_covered[n:])
    if not pupils:
        return Suggestion(UNRATED, "There are no pupils on roll yet, so there is no coverage to rate.", 0, 0)
    share = f"{percent_text(covering, pupils)} of pupils ({covering} of {pupils})"
    measure = f"completed lessons in at least {n} of the {STRAND_COUNT} strands at their age band"
    green, amber = thresholds.green_percent, thresholds.amber_percent
    # Whole numbers only: covering / pupils >= green / 100, without rounding.
    if 100 * covering >= green * pupils:
        return Suggestion(GREEN, f"Green because {share} {measure}, and green starts at {green}%.", pupils, covering)
    if 100 * covering >= amber * pupils:
        return Suggestion(AMBER, f"Amber because {share} {measure}, which is at least {amber}% but below the "
                                 f"{green}% needed for green.", pupils, covering)
    return Suggestion(RED, f"Red because {share} {measure}, which is below the {amber}% needed for amber.",
                      pupils, covering)
