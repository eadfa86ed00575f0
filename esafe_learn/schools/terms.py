"""Reporting periods: the school's terms and the academic year (September to August).

A school may set its own term dates; without them the defaults are autumn (1 September to
31 December), spring (1 January to 31 March) and summer (1 April to 31 August).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SchoolTerm(db.Model):
    __tablename__ = "school_term"
    __table_args__ = (UniqueConstraint("school_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


@dataclass(frozen=True)
class Period:
    """An inclusive range of days, with a name for headings ("Autumn term 2026")."""

    name: str
    start: date
    end: date

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes, for comparing with stored times."""
        return utc_midnight(self.start), utc_midnight(self.end + timedelta(days=1))

    def contains(self, moment: datetime | date) -> bool:
        day = moment.date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end


def utc_midnight(day: date) -> datetime:
    """The moment a day starts, as periods count days (whole UTC days)."""
    return datetime.combine(day, time.min, UTC)


def academic_year(day: date) -> Period:
    first = day.year if day.month >= 9 else day.year - 1
    return Period(f"Academic year {first} to {first + 1}", date(first, 9, 1), date(first + 1, 8, 31))


def default_terms(day: date) -> list[Period]:
    year = academic_year(day)
    first = year.start.year
    return [
        Period(f"Autumn term {first}", date(first, 9, 1), date(first, 12, 31)),
        Period(f"Spring term {first + 1}", date(first + 1, 1, 1), date(first + 1, 3, 31)),
        Period(f"Summer term {first + 1}", date(first + 1, 4, 1), date(first + 1, 8, 31)),
    ]


def school_terms(school_id: int, day: date) -> list[Period]:
    """The terms of the academic year containing `day`: the school's own dates, else the defaults."""
    year = academic_year(day)
    rows = db.session.scalars(
        select(SchoolTerm)
        .where(SchoolTerm.school_id == school_id, SchoolTerm.starts_on <= year.end, SchoolTerm.ends_on >= year.start)
        .order_by(SchoolTerm.starts_on)
    ).all()
    if not rows:
        return default_terms(day)
    return [Period(row.name, row.starts_on, row.ends_on) for row in rows]


def current_term(school_id: int, day: date) -> Period:
    """The term containing `day`; in a holiday between terms, the term just ended (or the next one)."""
    terms = school_terms(school_id, day)
    for term in terms:
        if term.contains(day):
            return term
    past = [term for term in terms if term.end < day]
    return past[-1] if past else terms[0]
