"""One convention for time: every stored datetime is timezone-aware UTC; people see UK time.

Every school using the app is in the UK, so "today" and the times pages show are UK dates and times (a UTC
date is still yesterday until 1 a.m. in summer, and a UTC time an hour behind the school clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

SCHOOL_TIMEZONE = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC)


def school_today() -> date:
    return datetime.now(SCHOOL_TIMEZONE).date()


def school_time(moment: datetime) -> datetime:
    """A stored (UTC) moment on the UK clock."""
    return moment.astimezone(SCHOOL_TIMEZONE)


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes; SQLite hands back naive ones, so mark them UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
