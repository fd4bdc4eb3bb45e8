"""Feed rows back into FeedState and FeedHealth, one row at a time, so that a broken row stops nothing.

Feed rows are feedstation's own bookkeeping, but a hand-edited database (or another tool) can leave
a NULL or non-UTF-8 tree name, a date that does not parse, or a number where text belongs in one.
`run` (which feeds are due), `build` (the status page) and `status` read every row, so one such
row used to stop all three (issue 11). Read leniently instead:

- a date that cannot be read counts as unknown (NULL): for `next_attempt_at` that means "due
  now", the rule migration 7 applies to the dates it cannot convert (store/timestamptz.py);
- a row whose tree name is not text is left out of the health list: it matches no configured
  source, and the entry reader already skips and reports its entries ("category is NULL");
- other text that is not valid UTF-8 reads as unknown (validators) or is shown with U+FFFD.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from feedstation.models import FeedHealth, FeedState
from feedstation.store.dialect import date_text
from feedstation.store.reading import is_text, lenient_text, shown
from feedstation.store.schema import entries, feeds, parse_utc_text, unreadable_dates

log = logging.getLogger(__name__)

_DATES = ("failing_since", "last_fetched_at", "last_success_at", "next_attempt_at")


def _columns(dialect: str, names: tuple[str, ...]) -> list:
    """The named feed columns, dates as raw text (as the entry reader reads them)."""
    return [date_text(dialect, feeds.c[n], unreadable_dates).label(n) if n in _DATES else feeds.c[n] for n in names]


def read_states(conn: Connection) -> dict[int, FeedState]:
    """Each feed's validators and back-off, by feed id."""
    names = ("id", "etag", "last_modified", "consecutive_failures", "next_attempt_at", "last_fetched_at")
    with lenient_text(conn):
        rows = conn.execute(select(*_columns(conn.dialect.name, names))).all()
    return {
        r.id: FeedState(etag=_text_or_none(r.etag), last_modified=_text_or_none(r.last_modified),
                        consecutive_failures=_count(r.consecutive_failures),
                        next_attempt_at=_date(r, "next_attempt_at"), last_fetched_at=_date(r, "last_fetched_at"))
        for r in rows
    }


def read_health(conn: Connection) -> list[FeedHealth]:
    """Every active feed with a readable tree name, with its health and entry count, in tree order."""
    counts = select(entries.c.feed_id, func.count().label("n")).group_by(entries.c.feed_id).subquery()
    columns = _columns(conn.dialect.name, tuple(feeds.c.keys()))
    query = (select(*columns, func.coalesce(counts.c.n, 0).label("entry_count"))
             .select_from(feeds.outerjoin(counts, counts.c.feed_id == feeds.c.id))
             .where(feeds.c.active.is_(True))
             .order_by(feeds.c.category, feeds.c.site, feeds.c.channel))
    with lenient_text(conn):
        rows = conn.execute(query).all()
    health = []
    for r in rows:
        if not all(is_text(name) for name in (r.category, r.site, r.channel)):
            log.warning("feed row %s has a tree name that is not text (%s › %s › %s); left out of the feed list",
                        r.id, shown(r.category), shown(r.site), shown(r.channel))
            continue
        health.append(FeedHealth(
            category=r.category, site=r.site, channel=r.channel, url=_shown_or_none(r.url) or "",
            status=_shown_or_none(r.status) or "never", http_status=r.http_status if _is_int(r.http_status) else None,
            error=_shown_or_none(r.error), consecutive_failures=_count(r.consecutive_failures),
            failing_since=_date(r, "failing_since"), last_fetched_at=_date(r, "last_fetched_at"),
            last_success_at=_date(r, "last_success_at"), next_attempt_at=_date(r, "next_attempt_at"),
            served_by=_text_or_none(r.served_by), entry_count=r.entry_count, warning=_shown_or_none(r.warning)))
    return health


def _date(row: Row, name: str) -> datetime | None:
    value = getattr(row, name)
    if value is None:
        return None
    try:
        return parse_utc_text(value)
    except ValueError:
        log.warning("feed row %s: %s is not a date (%r); read as unknown", row.id, name, shown(value))
        return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: object) -> int:
    return value if _is_int(value) and value >= 0 else 0


def _text_or_none(value: object) -> str | None:
    """Text used as it is (a validator sent back, an instance URL compared): only if valid."""
    return value if is_text(value) else None


def _shown_or_none(value: object) -> str | None:
    """Text only shown to people: kept as it is when valid; invalid bytes become U+FFFD, a number its digits."""
    if value is None or is_text(value):
        return value
    return shown(value, limit=2000)
