"""Entry dates as aware UTC, with a documented rule for missing and implausible dates.

The rule (docs/architecture.md, "Implausible dates"): a feed's date is used to order an entry
only when it lies between EARLIEST_PLAUSIBLE and `now + FUTURE_TOLERANCE`. Outside that window
the feed's own value is kept (as `feed_date`, with a warning on the entry) and the entry is
ordered by the time feedstation first saw it, which the store fixes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# Feeds that write local time as GMT (common for +08:00 sites) run up to a day ahead; that much is
# tolerated. Beyond it the date is not used rather than clamped to `now`: a clamped date would
# move on every run (and change the content hash with it), whereas the first-seen time is fixed
# once. A date far in the future would otherwise pin the item to the top of every page for years.
FUTURE_TOLERANCE = timedelta(days=1)
# No web feed predates 1990 (the web itself is from 1991, RSS from 1999); dates before it are
# mistakes: the Unix epoch of an unset field, a two-digit year read as year 103, `0001-01-01`.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class EntryDates:
    """The dates an entry is stored with.

    `published` and `updated` are the plausible ones (None: not given, or not plausible);
    `feed_date` is the feed's own value when it was set aside, and `warning` says why.
    """

    published: datetime | None
    updated: datetime | None
    feed_date: datetime | None = None
    warning: str | None = None


def to_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+08:00 is before year 1 in UTC: no usable date
        return None


def implausibility(value: datetime | None, now: datetime) -> str | None:
    """Why `value` cannot order an entry ("in the future", "before 1990"), or None when it can."""
    value = to_utc(value)
    if value is None:
        return None
    if value > to_utc(now) + FUTURE_TOLERANCE:
        return f"more than {_days(FUTURE_TOLERANCE)} in the future"
    if value < EARLIEST_PLAUSIBLE:
        return f"before {EARLIEST_PLAUSIBLE.year}"
    return None


def plausible(value: datetime | None, now: datetime) -> datetime | None:
    """The date in UTC, or None when it is implausible (see `implausibility`)."""
    return None if implausibility(value, now) else to_utc(value)


def entry_dates(published: datetime | None, updated: datetime | None, now: datetime) -> EntryDates:
    """Plausible (published, updated); published falls back to updated (RSS 1.0's dc:date, Atom without <published>).

    The first implausible value the feed gave is kept as `feed_date` with a warning naming it.
    """
    set_aside: list[tuple[str, datetime, str]] = []
    for name, value in (("published", published), ("updated", updated)):
        reason = implausibility(value, now)
        if reason and to_utc(value) is not None:
            set_aside.append((name, to_utc(value), reason))
    good_updated = plausible(updated, now)
    good_published = plausible(published, now) or good_updated
    if not set_aside:
        return EntryDates(good_published, good_updated)
    name, value, reason = set_aside[0]
    used = "ordered by the feed's other date" if good_published else "ordered by the time it was first seen"
    warning = f"the feed's {name} date {iso_text(value)} is {reason}; {used}"
    return EntryDates(good_published, good_updated, feed_date=value, warning=warning)


def before_issue_11(published: datetime | None, updated: datetime | None, now: datetime) -> datetime | None:
    """The published date older versions used (only future dates set aside), for former identities."""
    limit = to_utc(now) + FUTURE_TOLERANCE

    def usable(value: datetime | None) -> datetime | None:
        value = to_utc(value)
        return value if value is not None and value <= limit else None

    return usable(published) or usable(updated)


def iso_text(value: datetime) -> str:
    """`0103-12-13T18:30:02Z`: four-digit years always, so text order is time order for years 1–9999."""
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}Z")


def _days(delta: timedelta) -> str:
    return "1 day" if delta == timedelta(days=1) else f"{delta.days} days"
