"""UK year groups and the age bands of the online-safety curriculum."""

from __future__ import annotations

import re

RECEPTION = 0
YEAR_GROUPS = tuple(range(0, 14))
AGE_BANDS = ("4-7", "7-11", "11-14", "14-18")
AGE_BAND_LABELS = {"4-7": "Ages 4 to 7", "7-11": "Ages 7 to 11", "11-14": "Ages 11 to 14", "14-18": "Ages 14 to 18"}


def band_for_year(year_group: int) -> str:
    """Reception–Year 2 → 4-7, Years 3–6 → 7-11, Years 7–9 → 11-14, Years 10–13 → 14-18."""
    if year_group <= 2:
        return "4-7"
    if year_group <= 6:
        return "7-11"
    if year_group <= 9:
        return "11-14"
    return "14-18"


def year_label(year_group: int | None) -> str:
    if year_group is None:
        return ""
    return "Reception" if year_group == RECEPTION else f"Year {year_group}"


def parse_year_group(text: str) -> int | None:
    """Read "Reception", "R", "YR", "Year 5", "Y5" or "5"; None when it is not a UK year group."""
    value = text.strip().lower()
    if value in {"r", "yr", "rec", "reception", "year r", "0"}:
        return RECEPTION
    match = re.fullmatch(r"(?:year|yr|y)?\s*(\d{1,2})", value)
    if match and 1 <= int(match.group(1)) <= 13:
        return int(match.group(1))
    return None


YEAR_CHOICES = [(year, year_label(year)) for year in YEAR_GROUPS]
