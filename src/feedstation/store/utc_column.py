"""The store's one datetime type: aware UTC datetimes, sortable ISO text on SQLite, `timestamptz` on PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes; the column type is chosen per dialect.

    SQLite has no date type: there they are sortable ISO text (`2022-01-06T10:32:27.000000Z`). The year
    is always four digits (`0103-12-13T…`), so text order is time order for years 1–9999 (issue 11:
    `%Y` wrote `103-…`, which sorted after 2024 and could not be read back).
    PostgreSQL stores `timestamptz` (schema version 7), so the database itself indexes and compares
    them; psycopg hands back aware datetimes, turned to UTC here. Python values are the same on both.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            # Imported here: SQLAlchemy's PostgreSQL dialect is a sixth of its import time (issue 19).
            from sqlalchemy.dialects.postgresql import TIMESTAMP

            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: datetime | None, dialect) -> str | datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the store; datetimes must be aware UTC")
        if dialect.name == "postgresql":
            return value
        return iso_utc(value)

    def process_result_value(self, value: str | datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc)
        return parse_utc_text(value)


# What this and earlier feedstation versions wrote, read leniently: a year of 1–4 digits (older
# versions wrote `103-…`), a space for `T`, optional fraction, `Z` or a zero offset or nothing.
# `+00` alone is PostgreSQL's own spelling (a UTC session writing a timestamptz into a text column).
_UTC_TEXT = re.compile(r"(\d{1,4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|[+-]00(?::?00)?)?")


def parse_utc_text(value: str) -> datetime:
    """Stored ISO text → aware UTC datetime; ValueError naming the value when it is not one."""
    if type(value) is str and len(value) == 27 and value[4] == "-" and value[10] == "T" and value[26] == "Z":
        # What iso_utc writes, read by the C parser (a publish reads three dates of every stored item).
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    match = _UTC_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a stored UTC date: {str(value)[:60]!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                    int((fraction or "0").ljust(6, "0")), tzinfo=timezone.utc)


@lru_cache(maxsize=8192)
def iso_utc(value: datetime) -> str:
    """The text SQLite stores for an aware datetime (and PostgreSQL's dates read back as text)."""
    # Cached: a feed update binds the same `now` (first/last seen) on every one of its rows.
    v = value.astimezone(timezone.utc)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
            f".{v.microsecond:06d}Z")
