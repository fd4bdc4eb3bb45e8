"""The store: feeds and their entries, one transaction per feed update, history never dropped by accident."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Text, and_, bindparam, case, cast, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from feedstation import schedule
from feedstation.errors import StoreError
from feedstation.models import (
    ArticlePage,
    Entry,
    FeedHealth,
    FeedMeta,
    FeedState,
    Fetched,
    FullText,
    FullTextProblem,
    SkippedEntry,
    Source,
    StoredEntry,
)
from feedstation.store.dialect import (
    identity_in,
    insert_ignoring_conflicts,
    refresh_statistics,
)
from feedstation.store import feed_rows, full_text_rows
from feedstation.store.card_rows import CardTable
from feedstation.store.enclosure_column import enclosures_to_column
from feedstation.store.engine import WRITE_OPTION, create_store_engine
from feedstation.store.writes import NotModifiedWrite, SuccessWrite
from feedstation.store.reading import entries_query, feed_label, lenient_text, read_entries, shown
from feedstation.store.schema import (
    UTCDateTime,
    entries,
    feeds,
    migrate,
    skipped_entries,
)

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
        self._import_feeds: set[int] | None = None  # feeds holding imported Hexo posts (see _adopt_imported)

    @classmethod
    def open(cls, target: str | Path) -> "Store":
        try:
            engine = create_store_engine(target)
            migrate(engine)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open the database {_shown(target)}: {_reason(exc)}") from exc
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
        with self._begin() as conn, lenient_text(conn):
            # Leniently: a row whose name is not UTF-8 (a hand edit) matches no source and is marked inactive.
            rows = conn.execute(select(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel, feeds.c.url, feeds.c.active)).all()
            known = {(r.category, r.site, r.channel): r for r in rows}
            for tree, source in wanted.items():
                row = known.get(tree)
                if row is None:
                    # Another process may add the same feed at the same moment: its row wins, ours is dropped.
                    conn.execute(insert_ignoring_conflicts(conn, feeds, ["category", "site", "channel"]).values(
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
        """Each feed's validators and back-off; an unreadable date counts as unknown (store/feed_rows.py)."""
        with self.engine.connect() as conn:
            return feed_rows.read_states(conn)

    def record_success(self, feed_id: int, fetched: Fetched, meta: FeedMeta, new_entries: list[Entry], now: datetime) -> tuple[int, int]:
        """Store a fetched feed's entries AND its new validators in one transaction.

        Validators saved without their entries would make the next 304 lose those entries
        for good, so they commit together or not at all. Returns (new, updated) counts.
        """
        adopt = feed_id in self._feeds_with_imports()
        with self._begin() as conn:
            # Lock the feed's row first: a second writer of the same feed (a redelivered task, another
            # worker) waits here and then sees this one's entries, so nothing is doubled or miscounted.
            _lock_feed_rows(conn, [feed_id])
            counts = _write_success(conn, SuccessWrite(feed_id, fetched, meta, new_entries, now), adopt)
        if counts[0] >= _BULK_INSERT:
            # Without fresh statistics PostgreSQL plans the next lookups of this feed as a scan of all
            # its rows per statement (re-storing a fresh 70,000-item feed: 56 s, with them 1 s).
            refresh_statistics(self.engine, entries)
        return counts

    def record_batch(self, writes: Sequence[SuccessWrite | NotModifiedWrite]) -> list[tuple[int, int] | StoreError]:
        """Several feeds' `record_success` / `record_not_modified` in ONE transaction (group commit).

        Each feed's entries and validators still commit together (the batch is all or nothing), and the
        feed rows are locked up front in id order, so concurrent batches never deadlock. Per feed this
        saves a connection checkout, BEGIN, the row lock and COMMIT, and all 304s share one UPDATE.
        When the batch fails, it is rolled back and every feed is written alone, so a database error
        is the failure of the feed that caused it: that feed's slot holds the StoreError, the others
        their (new, updated) counts ((0, 0) for a 304).
        """
        if not writes:
            return []
        # Only a batch with new bodies can adopt imported posts (a batch of 304s skips the lookup).
        imports = self._feeds_with_imports() if any(isinstance(w, SuccessWrite) for w in writes) else set()
        try:
            with self._begin() as conn:
                _lock_feed_rows(conn, [w.feed_id for w in writes])
                results: list[tuple[int, int] | StoreError] = [(0, 0)] * len(writes)
                # The batch's new rows and its validator updates are each one executemany at the end,
                # not one statement per feed (~0.15 ms of the loop thread's CPU each, issue 19 goal 7).
                batch = _BatchRows()
                for i, write in enumerate(writes):
                    if isinstance(write, SuccessWrite):
                        results[i] = _write_success(conn, write, write.feed_id in imports, batch)
                batch.write(conn)
                _write_not_modified(conn, [w for w in writes if isinstance(w, NotModifiedWrite)])
        except StoreError:
            if len(writes) == 1:
                raise
            return [self._write_alone(write) for write in writes]
        if any(isinstance(r, tuple) and r[0] >= _BULK_INSERT for r in results):
            refresh_statistics(self.engine, entries)
        return results

    def _write_alone(self, write: SuccessWrite | NotModifiedWrite) -> tuple[int, int] | StoreError:
        try:
            if isinstance(write, SuccessWrite):
                return self.record_success(write.feed_id, write.fetched, write.meta, write.entries, write.now)
            self.record_not_modified(write.feed_id, write.fetched, write.now)
            return (0, 0)
        except StoreError as exc:
            return exc

    def record_not_modified(self, feed_id: int, fetched: Fetched, now: datetime) -> None:
        with self._begin() as conn:
            _write_not_modified(conn, [NotModifiedWrite(feed_id, fetched, now)])

    def record_failure(self, feed_id: int, error: str, now: datetime, *, http_status: int | None = None,
                       retry_after: float | None = None, served_by: str | None = None,
                       back_off: bool = True) -> None:
        """Record a failed fetch or parse; entries and validators are left exactly as they were.

        `back_off=False` (this machine's network was down, not the feed) records the error but
        neither counts the failure nor delays the next attempt: the next run retries the feed.
        """
        with self._begin() as conn:
            # The increment is done by the database (and the row stays locked until commit), so two
            # processes recording failures of one feed at once count two failures, not one. A failure
            # while the whole network is down (back_off=False) is recorded without pushing back-off.
            failures = conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
                status="error", http_status=http_status, error=error,
                consecutive_failures=feeds.c.consecutive_failures + (1 if back_off else 0),
                failing_since=func.coalesce(feeds.c.failing_since, bindparam("b_now", now, type_=UTCDateTime)),
                # a failed fetch has no serving instance: keep the one that last served it (OPML lists it)
                last_fetched_at=now,
                served_by=func.coalesce(bindparam("b_served_by", served_by, type_=Text), feeds.c.served_by),
            ).returning(feeds.c.consecutive_failures)).scalar_one()
            next_attempt = schedule.next_attempt_after_failure(failures, now, retry_after) if back_off else None
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(next_attempt_at=next_attempt))

    def import_entries(self, feed_id: int, imported: list[Entry], now: datetime) -> list[tuple[str, bool]]:
        """Store entries read from outside (existing Hexo posts) in one transaction.

        An item of the feed with the same title and date that is already stored *is* that
        entry, so nothing is stored twice. Returns, per input, the identity the item is
        stored under and whether it is new.
        """
        results: list[tuple[str, bool]] = []
        fresh: list[Entry] = []
        with self._begin() as conn:
            for entry in imported:
                found = conn.execute(select(entries.c.identity).where(
                    entries.c.feed_id == feed_id, entries.c.published == entry.published,
                    entries.c.title == entry.title).limit(1)).first()
                if found is not None:
                    results.append((found.identity, False))
                elif any(e.identity == entry.identity for e in fresh):
                    results.append((entry.identity, False))
                else:
                    results.append((entry.identity, True))
                    fresh.append(entry)
            _upsert_entries(conn, feed_id, fresh, now)
        if fresh:
            self._feeds_with_imports().add(feed_id)
        return results

    def _feeds_with_imports(self) -> set[int]:
        """Feeds with imported posts not yet matched by a fetched item: one scan per Store, so
        other feeds pay nothing for the matching."""
        if self._import_feeds is None:
            from feedstation.normalize.identity import IMPORTED_POST_PREFIX

            with self.engine.connect() as conn:
                self._import_feeds = set(conn.execute(select(entries.c.feed_id).distinct().where(
                    entries.c.identity.like(IMPORTED_POST_PREFIX + "%"))).scalars())
        return self._import_feeds

    def health(self) -> list[FeedHealth]:
        """Every active feed's health; a broken feed row is read leniently or left out (store/feed_rows.py)."""
        with self.engine.connect() as conn:
            return feed_rows.read_health(conn)

    # -- entries ---------------------------------------------------------------

    def iter_entries(self, *, active_only: bool = True,
                     on_skip: Callable[[SkippedEntry], None] | None = None) -> Iterator[StoredEntry]:
        """Every readable stored entry, newest first (ties broken by id for a stable order).

        A row that cannot be read (bad date, NULL, BLOB, invalid UTF-8, a huge title) is left
        out and handed to `on_skip` (store/reading.py); it never stops the other rows.
        """
        with self.engine.connect() as conn:
            query = entries_query(conn.dialect.name, active_only=active_only)
            yield from read_entries(conn, query, on_skip or _ignore)

    def set_hidden(self, changes: Mapping[int, str | None]) -> None:
        """Record which entries the filters hide: entry id → the hiding rule, or None to show it again.

        Callers pass only the marks that changed (filters/screen.py), so a publish whose filters and
        entries did not change writes nothing (`serve` rebuilds whenever the database file changes).
        """
        if not changes:
            return
        statement = update(entries).where(entries.c.id == bindparam("b_id")).values(hidden_by=bindparam("b_hidden"))
        rows = [{"b_id": entry_id, "b_hidden": hidden_by} for entry_id, hidden_by in changes.items()]
        with self._begin() as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(statement, rows[start:start + 5000])

    @property
    def cards(self) -> CardTable:
        """Each entry's card and the story pairs, for the site build (store/card_rows.py)."""
        return CardTable(self)

    # -- full text (full_text/) --------------------------------------------------

    def full_text_pending(self, feed_id: int) -> list[ArticlePage]:
        """The feed's current items whose page has not been fetched for their current version."""
        with self.engine.connect() as conn:
            return full_text_rows.pending_pages(conn, feed_id)

    def record_full_text(self, results: list[FullText], now: datetime) -> None:
        """Store the results of one feed's page fetches in one transaction."""
        if results:
            with self._begin() as conn:
                full_text_rows.store_results(conn, results, now)

    def full_text_counts(self) -> dict[str, int]:
        """Items of active feeds per full-text status (ok, summary_kept, failed)."""
        with self.engine.connect() as conn:
            return dict(full_text_rows.status_counts(conn))

    def full_text_problems(self) -> list[FullTextProblem]:
        """Items whose page gave no usable article, newest first, with the reason (`status --items`)."""
        with self.engine.connect() as conn:
            return full_text_rows.problems(conn)

    def record_skipped(self, skipped: Iterable[SkippedEntry], now: datetime) -> None:
        """Replace the list of rows the last publish skipped (shown by `feedstation status`).

        Nothing is written when the list is unchanged: `serve` rebuilds when the database file
        changes, so a build that always wrote here would rebuild itself forever.
        """
        rows = [{"feed_id": s.feed_id, "entry_id": s.entry_id, "identity": s.identity, "reason": s.reason,
                 "noticed_at": now} for s in skipped]
        wanted = {(r["feed_id"], r["entry_id"], r["identity"], r["reason"]) for r in rows}
        with self.engine.connect() as conn, lenient_text(conn):  # a hand-edited row is simply replaced
            known = {tuple(r) for r in conn.execute(select(
                skipped_entries.c.feed_id, skipped_entries.c.entry_id, skipped_entries.c.identity,
                skipped_entries.c.reason)).all()}
        if known == wanted:
            return
        with self._begin() as conn:
            conn.execute(delete(skipped_entries))
            if rows:
                conn.execute(skipped_entries.insert(), rows)

    def skipped(self) -> list[SkippedEntry]:
        """The rows the last publish skipped, with their feed."""
        query = (select(skipped_entries, feeds.c.category, feeds.c.site, feeds.c.channel)
                 .outerjoin(feeds, feeds.c.id == skipped_entries.c.feed_id)
                 .order_by(feeds.c.category, feeds.c.site, feeds.c.channel, skipped_entries.c.entry_id))
        with self.engine.connect() as conn, lenient_text(conn):
            rows = conn.execute(query).all()
        return [SkippedEntry(feed_id=r.feed_id, entry_id=r.entry_id, identity=shown(r.identity),
                             reason=shown(r.reason, 2000), feed=feed_label(r, r.feed_id))
                for r in rows]

    def date_warnings(self) -> list[tuple[str, int]]:
        """Per active feed ("category › site › channel"), how many entries had their feed date set aside."""
        query = (select(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel, func.count().label("n"))
                 .join(entries, entries.c.feed_id == feeds.c.id)
                 .where(entries.c.warning.is_not(None), feeds.c.active.is_(True))
                 .group_by(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel)
                 .order_by(feeds.c.category, feeds.c.site, feeds.c.channel))
        with self.engine.connect() as conn, lenient_text(conn):
            return [(feed_label(r, r.id), r.n) for r in conn.execute(query)]

    def change_marker(self) -> tuple:
        """A value that changes whenever a run stored something (for `serve` on a database it cannot watch).

        Every store write of a run touches its feed's row in the same transaction (`last_fetched_at`),
        and the config's tree changes the feed rows, so the small `feeds` table is enough to look at.
        """
        with self.engine.connect() as conn:
            # As text: only a change matters, and a hand-edited date that does not parse must not stop `serve`.
            row = conn.execute(select(cast(func.max(feeds.c.last_fetched_at), Text), func.count(),
                                      func.sum(case((feeds.c.active.is_(True), 1), else_=0)))).one()
            skipped = conn.execute(select(func.count()).select_from(skipped_entries)).scalar_one()
        return (*tuple(row), skipped)

    def entry_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(entries)).scalar_one()

    def hidden_count(self) -> int:
        """Stored entries the filters hid at the last publish."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(entries)
                                .where(entries.c.hidden_by.is_not(None))).scalar_one()

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
        self._engine = engine
        self._conn: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            self._conn = self._engine.connect().execution_options(**{WRITE_OPTION: True})
            self._conn.begin()
            return self._conn
        except (SQLAlchemyError, OSError) as exc:
            if self._conn is not None:
                self._conn.close()
            raise StoreError(f"database error: {_reason(exc)}") from exc

    def __exit__(self, exc_type, exc, tb):
        assert self._conn is not None
        try:
            if exc is None:
                self._conn.commit()
            else:
                self._conn.rollback()
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(f"database error: {_reason(err)}") from err
        finally:
            self._conn.close()
        if isinstance(exc, SQLAlchemyError):
            # A statement inside the block failed (lost connection, constraint, bad value): the
            # transaction is rolled back and the caller gets one clear error, not a driver traceback.
            raise StoreError(f"database error: {_reason(exc)}") from exc
        return False


# The per-feed statements, built once: rebuilding them per call cost more than running them.
# (per dialect, built on first use: building PostgreSQL's would import its dialect on every SQLite run)
@functools.cache
def _existing(dialect: str):
    return select(entries.c.identity, entries.c.content_hash).where(
        entries.c.feed_id == bindparam("b_feed"), identity_in(dialect, entries.c.identity, "b_ids"))


@functools.cache
def _touch(dialect: str):
    return update(entries).where(
        entries.c.feed_id == bindparam("b_feed"), identity_in(dialect, entries.c.identity, "b_ids")
    ).values(last_seen=bindparam("b_now"))


_FEED_OK = update(feeds).where(feeds.c.id == bindparam("b_id")).values(
    etag=bindparam("b_etag"), last_modified=bindparam("b_last_modified"), title=bindparam("b_title"),
    link=bindparam("b_link"), ttl_minutes=bindparam("b_ttl_minutes"), warning=bindparam("b_warning"), status="ok",
    http_status=bindparam("b_http_status"), error=None, consecutive_failures=0, failing_since=None,
    last_fetched_at=bindparam("b_now"), last_success_at=bindparam("b_now"), served_by=bindparam("b_served_by"),
    next_attempt_at=bindparam("b_next_attempt_at"))
_FEED_NOT_MODIFIED = update(feeds).where(feeds.c.id == bindparam("b_id")).values(
    status="not_modified", http_status=bindparam("b_http_status"), error=None, consecutive_failures=0,
    failing_since=None, last_fetched_at=bindparam("b_now"), last_success_at=bindparam("b_now"),
    served_by=bindparam("b_served_by"), next_attempt_at=bindparam("b_next_attempt_at"))


def _lock_feed_rows(conn: Connection, feed_ids: Sequence[int]) -> None:
    """`SELECT … FOR UPDATE` of the feeds' rows in id order (a no-op lock on SQLite, whose writer holds
    the whole database): a second writer of one feed waits for the first and then sees its entries."""
    for ids in _chunks(sorted(set(feed_ids))):
        conn.execute(select(feeds.c.id).where(feeds.c.id.in_(ids)).order_by(feeds.c.id).with_for_update()).all()


def _write_success(conn: Connection, write: SuccessWrite, adopt_imported: bool,
                   batch: _BatchRows | None = None) -> tuple[int, int]:
    """One feed's entries, then its validators and health, inside the caller's transaction.

    With `batch`, its new rows and its validators are queued there and written with the batch's
    (`_BatchRows.write`, still inside the same transaction).
    """
    rows = batch.inserts if batch is not None else []
    counts = _upsert_entries(conn, write.feed_id, write.entries, write.now, adopt_imported=adopt_imported,
                             insert_rows=rows)
    fetched, meta, now = write.fetched, write.meta, write.now
    validators = {
        "b_id": write.feed_id, "b_etag": fetched.etag, "b_last_modified": fetched.last_modified,
        "b_title": meta.title, "b_link": meta.link, "b_ttl_minutes": meta.ttl_minutes, "b_warning": meta.warning,
        "b_http_status": fetched.http_status, "b_now": now, "b_served_by": fetched.served_by,
        "b_next_attempt_at": schedule.next_attempt_after_success(now, meta.ttl_minutes, fetched.max_age)}
    if batch is not None:
        batch.validators.append(validators)
        return counts
    if rows:
        conn.execute(insert_ignoring_conflicts(conn, entries, ["feed_id", "identity"]), rows)
    _fault_point("between_entries_and_validators")
    conn.execute(_FEED_OK, validators)
    return counts


class _BatchRows:
    """New entry rows and validator updates of a batch's feeds, written together before it commits."""

    def __init__(self) -> None:
        self.inserts: list[dict] = []
        self.validators: list[dict] = []

    def write(self, conn: Connection) -> None:
        if self.inserts:
            conn.execute(insert_ignoring_conflicts(conn, entries, ["feed_id", "identity"]), self.inserts)
        _fault_point("between_entries_and_validators")
        if self.validators:
            conn.execute(_FEED_OK, self.validators)


def _write_not_modified(conn: Connection, writes: Sequence[NotModifiedWrite]) -> None:
    """Every 304 of a batch: one SELECT of their ttls, one UPDATE executed for all of them."""
    if not writes:
        return
    ttls: dict[int, int | None] = {}
    for ids in _chunks(sorted({w.feed_id for w in writes})):
        ttls.update(conn.execute(select(feeds.c.id, feeds.c.ttl_minutes).where(feeds.c.id.in_(ids))).all())
    conn.execute(_FEED_NOT_MODIFIED, [{
        "b_id": w.feed_id, "b_http_status": w.fetched.http_status, "b_now": w.now, "b_served_by": w.fetched.served_by,
        "b_next_attempt_at": schedule.next_attempt_after_success(w.now, ttls.get(w.feed_id), w.fetched.max_age),
    } for w in writes])


def _upsert_entries(conn: Connection, feed_id: int, new_entries: list[Entry], now: datetime, *,
                    adopt_imported: bool = False, insert_rows: list[dict] | None = None) -> tuple[int, int]:
    """Insert the feed's new entries, update changed ones, touch the rest; (new, updated).

    With `insert_rows`, the new rows are appended there for the caller to insert instead.
    """
    unique: dict[str, Entry] = {}
    for entry in new_entries:
        unique.setdefault(entry.identity, entry)  # a feed listing one id twice keeps the first
    if not unique:
        return (0, 0)
    existing = _stored_hashes(conn, feed_id, list(unique))
    existing.update(_rekey_former_identities(conn, feed_id, unique, existing))
    if adopt_imported and len(existing) < len(unique):
        existing.update(_adopt_imported(conn, feed_id, [e for i, e in unique.items() if i not in existing]))
    inserts, changes, seen = [], [], []
    for identity, entry in unique.items():
        if identity not in existing:
            inserts.append(_entry_row(feed_id, entry, now))
        elif existing[identity] != entry.content_hash:
            changes.append(entry)
        else:
            seen.append(identity)
    if insert_rows is not None:
        insert_rows.extend(inserts)
    elif inserts:
        # Writers of one feed are serialised by the feed-row lock (record_success), so `existing` is
        # exact; ON CONFLICT DO NOTHING is the safety net should two ever meet anyway.
        conn.execute(insert_ignoring_conflicts(conn, entries, ["feed_id", "identity"]), inserts)
    if changes:
        _update_changed(conn, feed_id, changes, now)
    for ids in _chunks(seen):
        conn.execute(_touch(conn.dialect.name), {"b_feed": feed_id, "b_ids": ids, "b_now": now})
    return (len(inserts), len(changes))


def _rekey_former_identities(conn: Connection, feed_id: int, unique: dict[str, Entry],
                              existing: dict[str, str]) -> dict[str, str]:
    """Give rows stored under an older fallback identity the entry's current one (issue 11).

    Without it every item with no guid and no link would be stored a second time after the upgrade.
    One former row goes to the first entry that claims it; the others (items the old fallback
    wrongly merged) are new. Returns {current identity: stored content hash} of the re-keyed rows.
    """
    claims: dict[str, str] = {}
    for identity, entry in unique.items():
        former = entry.former_identity
        if identity not in existing and former and former not in unique and former not in claims:
            claims[former] = identity
    if not claims:
        return {}
    found = _stored_hashes(conn, feed_id, list(claims))
    for former in found:
        conn.execute(update(entries).where(entries.c.feed_id == feed_id, entries.c.identity == former)
                     .values(identity=claims[former]))
    return {claims[former]: digest for former, digest in found.items()}


def _adopt_imported(conn: Connection, feed_id: int, new: list[Entry]) -> dict[str, str]:
    """Give an imported post's row (identity from title + date) to the feed's item of that title and date.

    Returns {new identity: old content hash} for the rows taken over, so the caller
    updates them like changed entries. One indexed SELECT per feed with new items.
    """
    # Imported here: the normalize package (nh3, selectolax) is the parse workers' business, and a run
    # where nothing changed must not import it (issue 19).
    from feedstation.normalize.identity import IMPORTED_POST_PREFIX, imported_post_identity

    wanted = {imported_post_identity(e.title, e.published): e for e in new
              if e.published is not None and not e.identity.startswith(IMPORTED_POST_PREFIX)}
    if not wanted:
        return {}
    rows = _stored_hashes(conn, feed_id, list(wanted)).items()
    adopted = {}
    for old_identity, old_hash in rows:
        entry = wanted[old_identity]
        conn.execute(update(entries).where(entries.c.feed_id == feed_id, entries.c.identity == old_identity)
                     .values(identity=entry.identity))
        adopted[entry.identity] = old_hash
    return adopted


# Rows inserted at once after which the planner's statistics are refreshed (PostgreSQL).
_BULK_INSERT = 10_000

# Identities per `IN (...)`: PostgreSQL's protocol allows 65,535 parameters per statement and SQLite
# 32,766, and a feed may list more items than that (a 70,000-item feed is 3.5 MiB).
_IN_CHUNK = 5_000


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


def _stored_hashes(conn: Connection, feed_id: int, identities: list[str]) -> dict[str, str]:
    """{identity: content hash} of the feed's stored rows among `identities` (looked up in chunks)."""
    found: dict[str, str] = {}
    for ids in _chunks(identities):
        found.update(conn.execute(_existing(conn.dialect.name), {"b_feed": feed_id, "b_ids": ids}).all())
    return found


def _entry_row(feed_id: int, entry: Entry, now: datetime) -> dict:
    return {
        "feed_id": feed_id, "identity": entry.identity, "title": entry.title, "link": entry.link,
        "author": entry.author, "published": entry.published or now, "date_from_feed": entry.published is not None,
        "updated": entry.updated, "first_seen": now, "last_seen": now, "summary": entry.summary,
        "content": entry.content, "image": entry.image, "content_hash": entry.content_hash,
        "feed_date": entry.feed_date, "warning": entry.warning,
        "enclosures": enclosures_to_column(entry.enclosures),
    }


def _update_changed(conn: Connection, feed_id: int, changed: list[Entry], now: datetime) -> None:
    # An entry whose feed gives no (plausible) date is ordered by the first-seen time it got on
    # insert; one whose feed date was used before and is now set aside goes back to that time.
    for entry in changed:
        values = {"title": entry.title, "link": entry.link, "author": entry.author, "updated": entry.updated,
                  "summary": entry.summary, "content": entry.content, "image": entry.image,
                  "content_hash": entry.content_hash, "last_seen": now, "feed_date": entry.feed_date,
                  "warning": entry.warning,
                  "enclosures": enclosures_to_column(entry.enclosures)}
        if entry.published is not None:
            values.update(published=entry.published, date_from_feed=True)
        else:
            values.update(published=case((entries.c.date_from_feed.is_(True), entries.c.first_seen),
                                         else_=entries.c.published), date_from_feed=False)
        conn.execute(update(entries).where(and_(entries.c.feed_id == feed_id, entries.c.identity == entry.identity))
                     .values(**values))


def _ignore(_skipped: SkippedEntry) -> None:
    pass


def _shown(target: str | Path) -> str:
    """A SQLite path as is; a URL without its password."""
    from feedstation.store.advisory_lock import shown_url

    return shown_url(target) if isinstance(target, str) and "://" in target else str(target)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig)
    return str(exc)

