"""The reporting period a coverage page shows: this term, this academic year or dates a teacher chose.

Plain functions of a school and the day; the views pass in what the query string said. Bad input never
raises: the answer falls back to this term and carries a message in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..schools.terms import Period, academic_year, current_term

TERM, YEAR, CUSTOM = "term", "year", "custom"
PERIOD_KINDS = (TERM, YEAR, CUSTOM)
PERIOD_LABELS = {TERM: "This term", YEAR: "This academic year", CUSTOM: "Dates I choose"}
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class PeriodChoice:
    """What the page shows: the kind asked for (after any fallback), the period and any problem."""

    kind: str
    period: Period
    problem: str | None = None
    start_text: str = ""
    end_text: str = ""

    def query_args(self) -> dict[str, str]:
        """The query string that shows this period again (for sort links and exports)."""
        if self.kind == CUSTOM:
            return {"period": CUSTOM, "start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        return {"period": self.kind}


def parse_day(text: str | None) -> date | None:
    """A date typed as YYYY-MM-DD (what a date box sends) or DD/MM/YYYY; None when it is not one."""
    text = (text or "").strip()
    if not text or len(text) > 20:
        return None
    match = _UK_DATE.match(text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def custom_name(start: date, end: date) -> str:
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def choose_period(school_id: int, kind: str | None, start: str | None, end: str | None, today: date) -> PeriodChoice:
    """The period for `?period=term|year|custom&start=…&end=…`; this term when the request makes no sense."""
    kind = (kind or TERM).strip().lower()

    def fallback(problem: str) -> PeriodChoice:
        return PeriodChoice(TERM, current_term(school_id, today), f"{problem} Showing this term instead.",
                            start or "", end or "")

    if kind == TERM:
        return PeriodChoice(TERM, current_term(school_id, today))
    if kind == YEAR:
        return PeriodChoice(YEAR, academic_year(today))
    if kind != CUSTOM:
        return fallback("Choose this term, this academic year or your own dates.")
    if not (start or "").strip() or not (end or "").strip():
        return fallback("To choose your own dates, type both a start date and an end date.")
    first, last = parse_day(start), parse_day(end)
    if first is None or last is None:
        which = "start date" if first is None else "end date"
        return fallback(f"The {which} is not a date we can read. Type it like 2025-09-01.")
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
        return fallback("Choose dates between the years 2000 and 2100.")
    if first > last:
        return fallback("The start date is after the end date.")
    return PeriodChoice(CUSTOM, Period(custom_name(first, last), first, last), None, start or "", end or "")
