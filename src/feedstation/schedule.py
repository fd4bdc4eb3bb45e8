"""Pure decisions about *when* to fetch a feed: back-off after failures, ttl/Cache-Control hints."""

from __future__ import annotations

from datetime import datetime, timedelta

from feedstation.models import FeedState

# After n consecutive failures the next attempt waits BASE * 2**(n-1), capped at CAP:
# 15 min, 30 min, 1 h, 2 h, ... 1 day. A dead feed costs one request a day.
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_CAP = timedelta(days=1)
# Hints from the feed (RSS <ttl>, Cache-Control: max-age) are honoured up to this long.
HINT_CAP = timedelta(hours=6)


def is_due(state: FeedState, now: datetime) -> bool:
    """True when the feed should be fetched in a run starting at `now`."""
    return state.next_attempt_at is None or state.next_attempt_at <= now


def next_attempt_after_failure(failures: int, now: datetime, retry_after: float | None = None) -> datetime:
    """When to try a feed again after its `failures`-th consecutive failure (failures >= 1)."""
    exponent = max(failures - 1, 0)
    wait = min(BACKOFF_BASE * (2 ** min(exponent, 16)), BACKOFF_CAP)
    if retry_after is not None:
        wait = max(wait, _at_most(retry_after, BACKOFF_CAP))
    return now + wait


def next_attempt_after_success(now: datetime, ttl_minutes: int | None, max_age: float | None) -> datetime | None:
    """When a healthy feed next needs fetching: None (every run) unless the feed asked for a pause."""
    hints = []
    if ttl_minutes and ttl_minutes > 0:
        hints.append(timedelta(minutes=ttl_minutes))
    if max_age and max_age > 0:
        hints.append(_at_most(max_age, HINT_CAP))
    if not hints:
        return None
    return now + min(max(hints), HINT_CAP)


def _at_most(seconds: float, cap: timedelta) -> timedelta:
    """`seconds` as a timedelta, capped. Capped before the conversion: a server's `Retry-After:
    99999999999999999999` or `max-age` of that size is beyond what timedelta holds (OverflowError
    stopped the whole run, issue 11)."""
    return cap if seconds >= cap.total_seconds() else timedelta(seconds=seconds)
