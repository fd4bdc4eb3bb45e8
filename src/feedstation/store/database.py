"""The store: feeds and their entries, one transaction per feed update, history never dropped by accident."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from feedstation import schedule
from feedstation.errors import StoreError
from feedstation.models import Entry, FeedHealth, FeedMeta, FeedState, Fetched, Source, StoredEntry
from feedstation.store.engine import create_store_engine
from feedstation.store.schema import entries, feeds, migrate

log = logging.getLogger(__name__)

Tree = tuple[str, str, str]

# Set by crash tests only: the process dies at this named point, mid-transaction.
_FAULT_ENV = "FEEDSTATION_FAULT_POINT"


def _fault_point(name: str) -> None:
    if os.environ.get(_FAULT_ENV) == name:
        os._exit(70)


class Store:
    """Feeds and entries behind one small interface (SQLite by default, any SQLAlchemy URL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path) -> "Store":
        try:
            engine = create_store_engine(target)
            migrate(engine)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open the database {target}: {_reason(exc)}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- feeds -----------------------------------------------------------------

    def sync_feeds(self, sources: Iterable[Source]) -> dict[Tree, int]:
        """Make a feed row for every configured source; mark rows no longer configured inactive.

        Inactive feeds keep their entries (history is never dropped), they are just not
        fetched or published until they come back into the config.
        """
        wanted = {source.tree: source for source in sources}
        with self._begin() as conn:
            rows = conn.execute(select(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel, feeds.c.url, feeds.c.active)).all()
            known = {(r.category, r.site, r.channel): r for r in rows}
            for tree, source in wanted.items():
                row = known.get(tree)
                if row is None:
                    conn.execute(feeds.insert().values(
                        category=tree[0], site=tree[1], channel=tree[2], url=source.url, active=True,
                        status="never", consecutive_failures=0))
                elif row.url != source.url or not row.active:
                    # A new URL starts fresh: old validators would be wrong for it.
                    changes = {"active": True}
                    if row.url != source.url:
                        changes.update(url=source.url, etag=None, last_modified=None, next_attempt_at=None)
                    conn.execute(update(feeds).where(feeds.c.id == row.id).values(**changes))
            for tree, row in known.items():
                if tree not in wanted and row.active:
                    conn.execute(update(feeds).where(feeds.c.id == row.id).values(active=False))
            ids = conn.execute(select(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel)).all()
        return {(r.category, r.site, r.channel): r.id for r in ids if (r.category, r.site, r.channel) in wanted}

    def feed_states(self) -> dict[int, FeedState]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(
                feeds.c.id, feeds.c.etag, feeds.c.last_modified, feeds.c.consecutive_failures,
                feeds.c.next_attempt_at, feeds.c.last_fetched_at)).all()
        return {
            r.id: FeedState(etag=r.etag, last_modified=r.last_modified, consecutive_failures=r.consecutive_failures,
                            next_attempt_at=r.next_attempt_at, last_fetched_at=r.last_fetched_at)
            for r in rows
        }

    def record_success(self, feed_id: int, fetched: Fetched, meta: FeedMeta, new_entries: list[Entry], now: datetime) -> tuple[int, int]:
        """Store a fetched feed's entries AND its new validators in one transaction.

        Validators saved without their entries would make the next 304 lose those entries
        for good, so they commit together or not at all. Returns (new, updated) counts.
        """
        with self._begin() as conn:
            counts = _upsert_entries(conn, feed_id, new_entries, now)
            _fault_point("between_entries_and_validators")
            conn.execute(_FEED_OK, {
                "b_id": feed_id, "b_etag": fetched.etag, "b_last_modified": fetched.last_modified,
                "b_title": meta.title, "b_link": meta.link, "b_ttl_minutes": meta.ttl_minutes, "b_warning": meta.warning,
                "b_http_status": fetched.http_status, "b_now": now, "b_served_by": fetched.served_by,
                "b_next_attempt_at": schedule.next_attempt_after_success(now, meta.ttl_minutes, fetched.max_age)})
        return counts

    def record_not_modified(self, feed_id: int, fetched: Fetched, now: datetime) -> None:
        with self._begin() as conn:
            ttl = conn.execute(select(feeds.c.ttl_minutes).where(feeds.c.id == feed_id)).scalar_one_or_none()
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
                status="not_modified", http_status=fetched.http_status, error=None,
                consecutive_failures=0, failing_since=None,
                last_fetched_at=now, last_success_at=now, served_by=fetched.served_by,
                next_attempt_at=schedule.next_attempt_after_success(now, ttl, fetched.max_age)))

    def record_failure(self, feed_id: int, error: str, now: datetime, *, http_status: int | None = None,
                       retry_after: float | None = None, served_by: str | None = None,
                       back_off: bool = True) -> None:
        """Record a failed fetch or parse; entries and validators are left exactly as they were.

        `back_off=False` (this machine's network was down, not the feed) records the error but
        neither counts the failure nor delays the next attempt: the next run retries the feed.
        """
        with self._begin() as conn:
            row = conn.execute(select(feeds.c.consecutive_failures, feeds.c.failing_since)
                               .where(feeds.c.id == feed_id)).one()
            failures = row.consecutive_failures + 1 if back_off else row.consecutive_failures
            next_attempt = schedule.next_attempt_after_failure(failures, now, retry_after) if back_off else None
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
                status="error", http_status=http_status, error=error,
                consecutive_failures=failures, failing_since=row.failing_since or now,
                last_fetched_at=now, served_by=served_by, next_attempt_at=next_attempt))

    def health(self) -> list[FeedHealth]:
        counts = select(entries.c.feed_id, func.count().label("n")).group_by(entries.c.feed_id).subquery()
        query = (select(feeds, func.coalesce(counts.c.n, 0).label("entry_count"))
                 .outerjoin(counts, counts.c.feed_id == feeds.c.id)
                 .where(feeds.c.active.is_(True))
                 .order_by(feeds.c.category, feeds.c.site, feeds.c.channel))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            FeedHealth(category=r.category, site=r.site, channel=r.channel, url=r.url, status=r.status,
                       http_status=r.http_status, error=r.error, consecutive_failures=r.consecutive_failures,
                       failing_since=r.failing_since, last_fetched_at=r.last_fetched_at,
                       last_success_at=r.last_success_at, next_attempt_at=r.next_attempt_at,
                       served_by=r.served_by, entry_count=r.entry_count, warning=r.warning)
            for r in rows
        ]

    # -- entries ---------------------------------------------------------------

    def iter_entries(self, *, active_only: bool = True) -> Iterator[StoredEntry]:
        """Every stored entry, newest first (ties broken by id for a stable order)."""
        query = (select(entries, feeds.c.category, feeds.c.site, feeds.c.channel)
                 .join(feeds, feeds.c.id == entries.c.feed_id)
                 .order_by(entries.c.published.desc(), entries.c.id.desc()))
        if active_only:
            query = query.where(feeds.c.active.is_(True))
        with self.engine.connect() as conn:
            for r in conn.execute(query.execution_options(yield_per=2000)):
                yield StoredEntry(
                    id=r.id, feed_id=r.feed_id, category=r.category, site=r.site, channel=r.channel,
                    identity=r.identity, title=r.title, link=r.link, author=r.author, published=r.published,
                    updated=r.updated, first_seen=r.first_seen, last_seen=r.last_seen, summary=r.summary,
                    content=r.content, image=r.image, content_hash=r.content_hash)

    def entry_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(entries)).scalar_one()

    def apply_retention(self, now: datetime, *, max_age_days: int | None, max_items_per_feed: int | None) -> int:
        """Delete entries beyond the configured retention (explicit opt-in only). Returns how many."""
        removed = 0
        with self._begin() as conn:
            if max_age_days is not None:
                cutoff = now - timedelta(days=max_age_days)
                removed += conn.execute(delete(entries).where(entries.c.published < cutoff)).rowcount
            if max_items_per_feed is not None:
                ranked = select(entries.c.id, func.row_number().over(
                    partition_by=entries.c.feed_id,
                    order_by=(entries.c.published.desc(), entries.c.id.desc())).label("rank")).subquery()
                doomed = select(ranked.c.id).where(ranked.c.rank > max_items_per_feed)
                removed += conn.execute(delete(entries).where(entries.c.id.in_(doomed))).rowcount
        return removed

    def _begin(self):
        return _Transaction(self.engine)


class _Transaction:
    """`engine.begin()` that turns database failures into StoreError with the reason."""

    def __init__(self, engine: Engine):
        self._ctx = engine.begin()

    def __enter__(self) -> Connection:
        try:
            return self._ctx.__enter__()
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"database error: {_reason(exc)}") from exc

    def __exit__(self, exc_type, exc, tb):
        try:
            return self._ctx.__exit__(exc_type, exc, tb)
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(f"database error: {_reason(err)}") from err


# The per-feed statements, built once: rebuilding them per call cost more than running them.
_EXISTING = select(entries.c.identity, entries.c.content_hash).where(
    entries.c.feed_id == bindparam("b_feed"), entries.c.identity.in_(bindparam("b_ids", expanding=True)))
_TOUCH = (update(entries)
          .where(entries.c.feed_id == bindparam("b_feed"), entries.c.identity.in_(bindparam("b_ids", expanding=True)))
          .values(last_seen=bindparam("b_now")))
_FEED_OK = update(feeds).where(feeds.c.id == bindparam("b_id")).values(
    etag=bindparam("b_etag"), last_modified=bindparam("b_last_modified"), title=bindparam("b_title"),
    link=bindparam("b_link"), ttl_minutes=bindparam("b_ttl_minutes"), warning=bindparam("b_warning"), status="ok",
    http_status=bindparam("b_http_status"), error=None, consecutive_failures=0, failing_since=None,
    last_fetched_at=bindparam("b_now"), last_success_at=bindparam("b_now"), served_by=bindparam("b_served_by"),
    next_attempt_at=bindparam("b_next_attempt_at"))


def _upsert_entries(conn: Connection, feed_id: int, new_entries: list[Entry], now: datetime) -> tuple[int, int]:
    unique: dict[str, Entry] = {}
    for entry in new_entries:
        unique.setdefault(entry.identity, entry)  # a feed listing one id twice keeps the first
    if not unique:
        return (0, 0)
    existing = dict(conn.execute(_EXISTING, {"b_feed": feed_id, "b_ids": list(unique)}).all())
    inserts, changes, seen = [], [], []
    for identity, entry in unique.items():
        if identity not in existing:
            inserts.append(_entry_row(feed_id, entry, now))
        elif existing[identity] != entry.content_hash:
            changes.append(entry)
        else:
            seen.append(identity)
    if inserts:
        conn.execute(entries.insert(), inserts)
    if changes:
        _update_changed(conn, feed_id, changes, now)
    if seen:
        conn.execute(_TOUCH, {"b_feed": feed_id, "b_ids": seen, "b_now": now})
    return (len(inserts), len(changes))


def _entry_row(feed_id: int, entry: Entry, now: datetime) -> dict:
    return {
        "feed_id": feed_id, "identity": entry.identity, "title": entry.title, "link": entry.link,
        "author": entry.author, "published": entry.published or now, "date_from_feed": entry.published is not None,
        "updated": entry.updated, "first_seen": now, "last_seen": now, "summary": entry.summary,
        "content": entry.content, "image": entry.image, "content_hash": entry.content_hash,
    }


def _update_changed(conn: Connection, feed_id: int, changed: list[Entry], now: datetime) -> None:
    # An entry whose feed gives no date keeps the first-seen date it got on insert.
    for entry in changed:
        values = {"title": entry.title, "link": entry.link, "author": entry.author, "updated": entry.updated,
                  "summary": entry.summary, "content": entry.content, "image": entry.image,
                  "content_hash": entry.content_hash, "last_seen": now}
        if entry.published is not None:
            values.update(published=entry.published, date_from_feed=True)
        conn.execute(update(entries).where(and_(entries.c.feed_id == feed_id, entries.c.identity == entry.identity))
                     .values(**values))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig)
    return str(exc)

