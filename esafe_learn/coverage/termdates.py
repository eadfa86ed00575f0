"""A school's own term dates (the reporting periods of the coverage pages). Services flush, never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..schools.terms import SchoolTerm, academic_year


class TermError(ValueError):
    """A term that cannot be added, with a message in plain words."""


def school_term_rows(school_id: int) -> list[SchoolTerm]:
    return list(db.session.scalars(
        select(SchoolTerm).where(SchoolTerm.school_id == school_id).order_by(SchoolTerm.starts_on)
    ))


def add_term(school_id: int, name: str, starts_on: date, ends_on: date) -> SchoolTerm:
    name = " ".join(name.split())
    if not name:
        raise TermError("Type a name for the term.")
    if ends_on < starts_on:
        raise TermError("The last day is before the first day.")
    if academic_year(starts_on) != academic_year(ends_on):
        raise TermError("A term starts and ends in the same school year (September to August).")
    clash = db.session.scalar(
        select(SchoolTerm).where(SchoolTerm.school_id == school_id, SchoolTerm.starts_on <= ends_on,
                                 SchoolTerm.ends_on >= starts_on).limit(1)
    )
    if clash is not None:
        raise TermError(f"Those dates overlap {clash.name} ({clash.starts_on:%d/%m/%Y} to {clash.ends_on:%d/%m/%Y}).")
    term = SchoolTerm(school_id=school_id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(term)
    db.session.flush()
    return term


def delete_term(term: SchoolTerm) -> None:
    db.session.delete(term)
    db.session.flush()
