"""The store on SQLite and PostgreSQL: schema, history semantics, failures, retention, crash safety; SQLite's pragmas."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store
from feedstation.store.schema import LATEST, UPGRADES, entries, skipped_entries
from tests.database_reads import connection
from tests.store.old_schema import dates_as_text, stamp_version

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SOURCE = Source("社交媒体", "知乎", "知乎热榜", "rsshub:/zhihu/hotlist")


def entry(identity: str, *, content_hash: str | None = None, published: datetime | None = NOW, title: str = "t") -> Entry:
    return Entry(identity=identity, title=title, link=f"https://example.com/{identity}", author=None,
                 published=published, updated=None, summary="<p>s</p>", content="<p>c</p>", image=None,
                 content_hash=content_hash or f"hash-{identity}")


def fetched(etag: str | None = None) -> Fetched:
    return Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200, etag=etag, served_by="https://rsshub.app")


@pytest.fixture
def store(store_target):
    with Store.open(store_target) as s:
        yield s


def feed_id(store: Store) -> int:
    return store.sync_feeds([SOURCE])[SOURCE.tree]


def test_schema_is_versioned_and_reopening_does_not_migrate_again(store_target):
    Store.open(store_target).close()
    with Store.open(store_target) as again, again.engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM schema_version")).scalars().all()
    assert versions == [LATEST]  # a new database is created at the latest version


def test_a_version_1_database_is_migrated_in_place_keeping_its_rows(store_target):
    with Store.open(store_target) as store:  # make a v1 database by hand: drop what later migrations added
        fid = feed_id(store)
        store.record_success(fid, fetched(etag='"v1"'), FeedMeta(), [entry("a")], NOW)
    with connection(store_target) as conn:
        dates_as_text(conn)
        for statement in ("ALTER TABLE feeds DROP COLUMN warning", "ALTER TABLE entries DROP COLUMN feed_date",
                          "ALTER TABLE entries DROP COLUMN warning", "DROP TABLE skipped_entries",
                          "ALTER TABLE entries DROP COLUMN enclosures", "ALTER TABLE entries DROP COLUMN hidden_by",
                          "DROP TABLE full_texts"):
            conn.execute(text(statement))
        stamp_version(conn, 1)
    with Store.open(store_target) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars().all() == \
            [1, *sorted(UPGRADES)]
        assert [(e.identity, e.published) for e in store.iter_entries()] == [("a", NOW)]
        assert store.health()[0].warning is None
        assert store.feed_states()[fid].etag == '"v1"'


def test_every_sqlite_connection_has_wal_foreign_keys_and_busy_timeout(tmp_path):
    # SQLite only: these pragmas are SQLite's; PostgreSQL has no per-connection equivalent to check.
    with Store.open(tmp_path / "feedstation.db") as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_history_accumulates_and_unchanged_items_are_not_updated(store):
    fid = feed_id(store)
    assert store.record_success(fid, fetched(), FeedMeta(), [entry("a"), entry("b")], NOW) == (2, 0)
    # Second run: a left the feed, b unchanged, c new, and b's duplicate in one document is ignored.
    later = NOW + timedelta(hours=1)
    assert store.record_success(fid, fetched(), FeedMeta(), [entry("b"), entry("c"), entry("b")], later) == (1, 0)
    # Third run: b changed.
    assert store.record_success(fid, fetched(), FeedMeta(), [entry("b", content_hash="new", title="b2")], later) == (0, 1)
    stored = {e.identity: e for e in store.iter_entries()}
    assert sorted(stored) == ["a", "b", "c"]
    assert stored["b"].title == "b2" and stored["b"].first_seen == NOW and stored["b"].last_seen == later
    assert stored["a"].last_seen == NOW  # kept although it left the feed


def test_an_undated_item_keeps_its_first_seen_date_forever(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(), FeedMeta(), [entry("x", published=None)], NOW)
    later = NOW + timedelta(days=3)
    store.record_success(fid, fetched(), FeedMeta(), [entry("x", published=None, content_hash="changed")], later)
    (stored,) = store.iter_entries()
    assert stored.published == NOW and stored.first_seen == NOW and stored.last_seen == later


def test_failures_back_off_and_keep_entries_and_validators(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(etag='"v1"'), FeedMeta(), [entry("a")], NOW)
    store.record_failure(fid, "HTTP 500 Internal Server Error", NOW, http_status=500)
    store.record_failure(fid, "timed out", NOW + timedelta(hours=1))
    state = store.feed_states()[fid]
    (health,) = store.health()
    assert state.etag == '"v1"' and state.consecutive_failures == 2
    assert state.next_attempt_at == NOW + timedelta(hours=1, minutes=30)
    assert health.status == "error" and health.error == "timed out" and health.failing_since == NOW
    assert health.entry_count == 1
    store.record_success(fid, fetched(etag='"v2"'), FeedMeta(), [entry("a")], NOW + timedelta(hours=2))
    (health,) = store.health()
    assert health.status == "ok" and health.consecutive_failures == 0 and health.failing_since is None


def test_a_source_removed_from_the_config_keeps_its_history_but_is_not_published(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(), FeedMeta(), [entry("a")], NOW)
    store.sync_feeds([])
    assert list(store.iter_entries()) == []
    assert len(list(store.iter_entries(active_only=False))) == 1
    store.sync_feeds([SOURCE])
    assert len(list(store.iter_entries())) == 1


def test_changing_a_feed_url_drops_its_validators(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(etag='"v1"'), FeedMeta(), [], NOW)
    store.sync_feeds([replace(SOURCE, url="https://other.example/feed")])
    assert store.feed_states()[fid].etag is None


def test_retention_is_explicit_and_counts_what_it_removes(store):
    fid = feed_id(store)
    items = [entry(str(i), published=NOW - timedelta(days=i)) for i in range(10)]
    store.record_success(fid, fetched(), FeedMeta(), items, NOW)
    assert store.apply_retention(NOW, max_age_days=None, max_items_per_feed=None) == 0
    assert store.apply_retention(NOW, max_age_days=7, max_items_per_feed=None) == 2  # 8 and 9 days old
    assert store.apply_retention(NOW, max_age_days=None, max_items_per_feed=3) == 5
    assert [e.identity for e in store.iter_entries()] == ["0", "1", "2"]


CRASH_SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
    from feedstation.store import Store
    source = Source("a", "b", "c", "https://example.com/feed")
    store = Store.open(sys.argv[1])
    fid = store.sync_feeds([source])[source.tree]
    e = Entry("x", "t", None, None, None, None, "", "", None, "h")
    store.record_success(fid, Fetched(source, FetchStatus.OK, etag='"new"'), FeedMeta(), [e],
                         datetime.now(timezone.utc))
""")


BATCH_CRASH_SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
    from feedstation.store import Store
    from feedstation.store.writes import SuccessWrite
    sources = [Source("a", "b", name, f"https://example.com/{name}") for name in ("c", "d")]
    store = Store.open(sys.argv[1])
    ids = store.sync_feeds(sources)
    now = datetime.now(timezone.utc)
    store.record_batch([SuccessWrite(ids[s.tree], Fetched(s, FetchStatus.OK, etag=f'"{s.channel}"'), FeedMeta(),
                                     [Entry(s.channel, "t", None, None, None, None, "", "", None, "h")], now)
                        for s in sources])
""")


def test_a_batch_killed_between_its_entries_and_validators_stores_neither_for_any_feed(store_target):
    """Group commit writes a batch's rows and validators together at its end: a crash there loses the
    whole batch's transaction, never the validators of one feed without its items."""
    env = {**os.environ, "FEEDSTATION_FAULT_POINT": "between_entries_and_validators",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    result = subprocess.run([sys.executable, "-c", BATCH_CRASH_SCRIPT, str(store_target)], env=env,
                            capture_output=True)
    assert result.returncode == 70, result.stderr.decode()
    with Store.open(store_target) as store:
        assert list(store.iter_entries()) == []
        assert all(state.etag is None for state in store.feed_states().values())
    env.pop("FEEDSTATION_FAULT_POINT")
    subprocess.run([sys.executable, "-c", BATCH_CRASH_SCRIPT, str(store_target)], env=env, check=True)
    with Store.open(store_target) as store:
        assert sorted(e.identity for e in store.iter_entries()) == ["c", "d"]
        assert sorted(s.etag for s in store.feed_states().values()) == ['"c"', '"d"']


def test_validators_saved_before_the_items_never_happens(store_target):
    """Issue 8.4: a crash between storing entries and storing the ETag loses neither alone."""
    db = store_target
    env = {**os.environ, "FEEDSTATION_FAULT_POINT": "between_entries_and_validators",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    result = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(db)], env=env, capture_output=True)
    assert result.returncode == 70, result.stderr.decode()
    with Store.open(db) as store:
        assert list(store.iter_entries()) == []
        assert all(state.etag is None for state in store.feed_states().values())
    # And without the fault, both land together.
    env.pop("FEEDSTATION_FAULT_POINT")
    subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(db)], env=env, check=True)
    with Store.open(db) as store:
        assert [e.identity for e in store.iter_entries()] == ["x"]
        assert [s.etag for s in store.feed_states().values()] == ['"new"']


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    # SQLite only: a PostgreSQL target is a server, not a file that could hold anything else.
    from feedstation.errors import StoreError

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the database .*bad.db: file is not a database"):
        Store.open(bad)


def test_a_recoverable_parse_warning_is_kept_on_the_feed_and_cleared_by_a_clean_fetch(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(), FeedMeta(warning="ill-formed XML, parsed loosely: mismatched tag"), [], NOW)
    assert store.health()[0].warning == "ill-formed XML, parsed loosely: mismatched tag"
    store.record_success(fid, fetched(), FeedMeta(), [], NOW)
    assert store.health()[0].warning is None


def test_a_row_stored_under_a_former_fallback_identity_is_rekeyed_not_duplicated(store):
    fid = feed_id(store)
    store.record_success(fid, fetched(), FeedMeta(), [entry("sha256:old")], NOW)
    first = replace(entry("sha256:new-a"), former_identity="sha256:old")
    second = replace(entry("sha256:new-b"), former_identity="sha256:old")  # wrongly merged before: new now
    later = NOW + timedelta(hours=1)
    assert store.record_success(fid, fetched(), FeedMeta(), [first, second], later) == (1, 1)
    assert sorted(e.identity for e in store.iter_entries()) == ["sha256:new-a", "sha256:new-b"]
    assert store.record_success(fid, fetched(), FeedMeta(), [first, second], later) == (0, 0)


def test_skipped_rows_are_recorded_once_and_unchanged_lists_write_nothing(store, store_target):
    from feedstation.models import SkippedEntry

    fid = feed_id(store)
    row = SkippedEntry(feed_id=fid, feed="c › s › ch", entry_id=7, identity="x", reason="title is NULL")
    store.record_skipped([row], NOW)
    wal = Path(f"{store_target}-wal")  # SQLite: a write of any table would touch the WAL file

    def wal_state():
        return (wal.stat().st_mtime_ns, wal.stat().st_size) if wal.exists() else None

    before = wal_state()
    store.record_skipped([row], NOW + timedelta(hours=1))  # same list: no write (serve would rebuild)
    assert wal_state() == before
    with store.engine.connect() as conn:  # a rewrite would have given the row the later time
        assert conn.execute(select(skipped_entries.c.noticed_at)).scalars().all() == [NOW]
    [back] = store.skipped()
    assert (back.feed, back.entry_id, back.identity, back.reason) == (" › ".join(SOURCE.tree), 7, "x", "title is NULL")
    store.record_skipped([], NOW)
    assert store.skipped() == []


def test_a_feed_date_set_aside_on_update_falls_back_to_the_first_seen_time(store):
    # A database from before issue 11 holds the year-103 date as the entry's date; the upgraded
    # normaliser sets it aside (published None, feed_date kept), so the row goes back to first-seen.
    fid = feed_id(store)
    ancient = datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)
    store.record_success(fid, fetched(), FeedMeta(), [entry("a", published=ancient, content_hash="h1")], NOW)
    again = replace(entry("a", published=None, content_hash="h2"), feed_date=ancient, warning="before 1990")
    assert store.record_success(fid, fetched(), FeedMeta(), [again], NOW + timedelta(days=1)) == (0, 1)
    (stored,) = store.iter_entries()
    assert stored.published == stored.first_seen == NOW
    with store.engine.connect() as conn:
        row = conn.execute(select(entries.c.date_from_feed, entries.c.feed_date, entries.c.warning)).one()
    assert tuple(row) == (False, ancient, "before 1990")
