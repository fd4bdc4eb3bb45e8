"""Entry dates as aware UTC, with a documented policy for missing and far-future dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Feeds that write local time as GMT (common for +08:00 sites) run up to a day ahead; that much is
# tolerated. Beyond it the date is dropped rather than clamped to `now`: a clamped date would move
# on every run (and change the content hash with it), whereas None lets the store use the
# first-seen time, which is fixed once.
FUTURE_TOLERANCE = timedelta(days=1)


def to_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def plausible(value: datetime | None, now: datetime) -> datetime | None:
    """The date in UTC, or None when it lies more than FUTURE_TOLERANCE after `now`."""
    value = to_utc(value)
    if value is None or value > to_utc(now) + FUTURE_TOLERANCE:
        return None
    return value


def entry_dates(
    published: datetime | None, updated: datetime | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(published, updated): published falls back to updated (RSS 1.0's dc:date, Atom without <published>)."""
    updated = plausible(updated, now)
    published = plausible(published, now) or updated
    return published, updated
