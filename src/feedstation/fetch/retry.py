"""Pure retry policy: which failures are transient, Retry-After parsing, and backoff delays."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# RFC 9110 §15.5.9 (408), RFC 6585 §4 (429) and every 5xx say "try again later".
_TRANSIENT_4XX = frozenset({408, 429})


def is_transient_status(status: int) -> bool:
    """True when an HTTP status is worth retrying in the same run."""
    return status >= 500 or status in _TRANSIENT_4XX


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header, or None if absent/unreadable.

    RFC 9110 §10.2.3: either delta-seconds (`120`) or an HTTP-date
    (`Wed, 21 Oct 2015 07:28:00 GMT`). A date in the past means "now" (0 s).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 §5.6.7: HTTP-dates are always GMT.
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Delay before retry number `attempt` (0-based): full jitter over `min(cap, base * 2**attempt)`.

    `jitter` is a number in [0, 1) supplied by the caller (random.random()), so this
    stays a pure function. Full jitter (every delay in the window equally likely) keeps
    many feeds failing on one host from retrying in lock-step.
    """
    window = min(cap, base * (2**attempt))
    return window * jitter


def retry_delay(
    attempt: int, retry_after: float | None, base: float, cap: float, jitter: float
) -> float | None:
    """How long to wait before retrying a transient failure, or None to stop retrying now.

    A server's Retry-After wins over our backoff. One longer than `cap` is not waited
    out in this run: the caller returns the error with `retry_after` so the store can
    push the next attempt back instead.
    """
    if retry_after is not None:
        if retry_after > cap:
            return None
        return max(retry_after, backoff_delay(attempt, base, cap, jitter))
    return backoff_delay(attempt, base, cap, jitter)
