"""SQL the two databases spell differently."""

from __future__ import annotations

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """The UTC calendar day of a stored time, for grouping by day in SQL."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _utc_day_default(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    # SQLite keeps our aware UTC times as "YYYY-MM-DD HH:MM:SS" text in UTC.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    # timestamptz to a UTC wall-clock time first, whatever the session's time zone is.
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


class unindexed(FunctionElement):  # noqa: N801
    """A column that SQLite must not use an index for (its no-op unary +); unchanged elsewhere.

    The school-wide figures read every record of one school in a period. Through the school_id index
    SQLite reads those rows in table order; if a time index is chosen instead (as SQLite does once
    ANALYZE or PRAGMA optimize has run) it jumps around the table and the school page takes twice as
    long. Wrapping the time column in the period filter keeps the school_id plan.
    """

    name = "unindexed"
    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


class bits_or(FunctionElement):  # noqa: N801
    """The bitwise OR of small powers of two over a group: PostgreSQL's bit_or; on SQLite, which has none,
    the sum of the distinct values (the same number when every value is 0 or a power of two)."""

    type = Integer()
    name = "bits_or"
    inherit_cache = True


@compiles(bits_or)
def _bits_or_default(element, compiler, **kw):
    return f"sum(DISTINCT {compiler.process(element.clauses, **kw)})"


@compiles(bits_or, "postgresql")
def _bits_or_postgresql(element, compiler, **kw):
    return f"bit_or({compiler.process(element.clauses, **kw)})"
