"""Schema version 7: dates are timestamptz on PostgreSQL, text on SQLite, and read back identically on both.

The migration is tested from a database in the shape the version before it left (dates as VARCHAR(32)
text, some of it not dates at all) on a real PostgreSQL server, and the very same rows on SQLite must
give the same entries and the same skip reports.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, SkippedEntry, Source
from feedstation.store import Store
from feedstation.store.schema import UPGRADES, unreadable_dates
from tests.database_reads import connection, table_names
from tests.store.old_schema import column_types, dates_as_text, stamp_version

TIMESTAMPTZ_VERSION = next(v for v, upgrade in UPGRADES.items() if upgrade.__name__ == "_dates_to_timestamptz")
NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
SOURCE = Source("类别", "站点", "频道", "https://example.com/feed.xml")
UTC = timezone.utc
DATED = {  # identity → published, written by the store before the database is taken back to text
    "ancient": datetime(103, 12, 13, 18, 30, 2, tzinfo=UTC),
    "last-moment": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    "first-moment": datetime(1, 1, 1, tzinfo=UTC),
    "micro": datetime(2024, 2, 29, 12, 0, 0, 1, tzinfo=UTC),
    "bad-published": datetime(2025, 1, 1, tzinfo=UTC),
    "bad-updated": datetime(2025, 1, 2, tzinfo=UTC),
    "leap-second": datetime(2025, 1, 3, tzinfo=UTC),
    "other-spelling": datetime(2025, 1, 4, tzinfo=UTC),
    "bad-feed-date": datetime(2025, 1, 5, tzinfo=UTC),
}
# Text another tool or a hand edit left in the old text columns: (table, identity or None, column, text).
HAND_EDITS = [
    ("entries", "bad-published", "published", "not a date"),
    ("entries", "bad-updated", "updated", "2024-02-30T00:00:00.000000Z"),  # no such day
    ("entries", "leap-second", "first_seen", "2024-12-31T23:59:60.000000Z"),  # PostgreSQL would roll it over
    ("entries", "other-spelling", "published", "2025-01-04 10:00:00"),  # a date the reader accepts: kept
    ("entries", "bad-feed-date", "feed_date", "0000-01-01T00:00:00.000000Z"),  # there is no year 0
    ("feeds", None, "next_attempt_at", "soon"),
    ("skipped_entries", None, "noticed_at", "yesterday"),
]


def entry(identity: str, published: datetime) -> Entry:
    return Entry(identity=identity, title=f"title {identity}", link=f"https://example.com/{identity}", author=None,
                 published=published, updated=published, summary="<p>s</p>",
                 content="<p>c</p>", image=None, content_hash=f"h-{identity}", feed_date=published)


def make_pre_timestamptz_store(target) -> int:
    """A store at the version before timestamptz, with the HAND_EDITS in it; returns the feed id."""
    with Store.open(target) as store:
        fid = store.sync_feeds([SOURCE])[SOURCE.tree]
        fetched = Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200, etag='"e"')
        store.record_success(fid, fetched, FeedMeta(), [entry(i, when) for i, when in DATED.items()], NOW)
        store.record_failure(fid, "HTTP 503", NOW)
        store.record_skipped([SkippedEntry(feed_id=fid, feed="f", entry_id=1, identity="x", reason="r")], NOW)
    with connection(target) as conn:
        dates_as_text(conn)
        for table, identity, column, value in HAND_EDITS:
            where = "WHERE identity = :identity" if identity else ""
            conn.execute(text(f"UPDATE {table} SET {column} = :value {where}"), {"value": value, "identity": identity})
        stamp_version(conn, TIMESTAMPTZ_VERSION - 1)
    return fid


def read_back(target) -> tuple[list[tuple], list[tuple]]:
    """(entries as published, skip reports) of a store."""
    skipped: list[SkippedEntry] = []
    with Store.open(target) as store:
        rows = [(e.identity, e.published, e.updated, e.first_seen, e.last_seen)
                for e in store.iter_entries(on_skip=skipped.append)]
    return rows, sorted((s.identity, s.reason) for s in skipped)


def test_migration_7_on_postgresql_converts_text_dates_keeping_unreadable_ones_and_reads_like_sqlite(
        tmp_path, postgres_server):
    sqlite_target, pg_target = tmp_path / "old.db", postgres_server.new_database()
    for target in (sqlite_target, pg_target):
        make_pre_timestamptz_store(target)
    with connection(pg_target) as conn:
        assert column_types(conn, "entries")["published"] == "character varying"  # really the old shape
        # A server whose sessions default to another zone and date style: feedstation's own are UTC and ISO.
        name = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Shanghai'"))
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET datestyle = 'SQL, DMY'"))

    sqlite_rows, sqlite_skips = read_back(sqlite_target)
    pg_rows, pg_skips = read_back(pg_target)  # Store.open runs the migration
    assert pg_rows == sqlite_rows
    assert pg_skips == sqlite_skips == [
        ("bad-published", "published is not a date: 'not a date'"),
        ("bad-updated", "updated is not a date: '2024-02-30T00:00:00.000000Z'"),
        ("leap-second", "first_seen is not a date: '2024-12-31T23:59:60.000000Z'"),
    ]
    readable = {identity for identity, *_ in pg_rows}
    assert readable == set(DATED) - {"bad-published", "bad-updated", "leap-second"}
    assert dict((i, p) for i, p, *_ in pg_rows)["other-spelling"] == datetime(2025, 1, 4, 10, tzinfo=UTC)

    with connection(pg_target) as conn:
        for table, columns in (("entries", ("published", "updated", "first_seen", "last_seen", "feed_date")),
                               ("feeds", ("failing_since", "last_fetched_at", "last_success_at", "next_attempt_at")),
                               ("skipped_entries", ("noticed_at",)), ("schema_version", ("applied_at",))):
            types = column_types(conn, table)
            assert {c: types[c] for c in columns} == {c: "timestamp with time zone" for c in columns}
        kept = conn.execute(select(unreadable_dates.c.table_name, unreadable_dates.c.column_name,
                                   unreadable_dates.c.stored_text)).all()
        # Every value that was not a date is kept as it was; the one in another spelling is not among them.
        assert sorted(kept) == sorted((t, c, v) for t, _i, c, v in HAND_EDITS if v != "2025-01-04 10:00:00")
        versions = conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars().all()
    assert versions == [TIMESTAMPTZ_VERSION - 1, *sorted(v for v in UPGRADES if v >= TIMESTAMPTZ_VERSION)]
    with Store.open(pg_target) as store:
        (state,) = store.feed_states().values()
        assert state.next_attempt_at is None and state.etag == '"e"'  # "soon" became "due now"
        assert [s.identity for s in store.skipped()] == ["x"]
        with store.engine.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar_one() == "UTC"
            assert conn.execute(text("SHOW datestyle")).scalar_one() == "ISO, YMD"


def test_the_migration_leaves_sqlite_text_alone(tmp_path):
    target = tmp_path / "old.db"
    make_pre_timestamptz_store(target)
    with connection(target) as conn:
        before = conn.execute(text("SELECT identity, published, updated, first_seen FROM entries ORDER BY id")).all()
    Store.open(target).close()
    with connection(target) as conn:
        assert conn.execute(text("SELECT identity, published, updated, first_seen FROM entries ORDER BY id")).all() == before
    assert "unreadable_dates" not in table_names(target)  # nothing to salvage where dates stay text


def test_dates_of_every_year_round_trip_and_order_the_same_on_both_dialects(store_target):
    rng = random.Random(18)
    span = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - datetime(1, 1, 1, tzinfo=UTC)).total_seconds()
    moments = [datetime(1, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, span)) for _ in range(300)]
    moments += [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                datetime(1970, 1, 1, tzinfo=UTC), moments[0]]  # a tie: ordered by id
    with Store.open(store_target) as store:
        fid = store.sync_feeds([SOURCE])[SOURCE.tree]
        fetched = Fetched(source=SOURCE, status=FetchStatus.OK)
        store.record_success(fid, fetched, FeedMeta(), [entry(f"e{n}", when) for n, when in enumerate(moments)], NOW)
        back = list(store.iter_entries())
        expected = sorted(((when, n) for n, when in enumerate(moments)), reverse=True)
        assert [(e.published, e.identity) for e in back] == [(when, f"e{n}") for when, n in expected]
        assert all(e.updated == e.published and e.first_seen == NOW for e in back)
        assert all(e.published.tzinfo is UTC for e in back)
        # The database compares them too: retention by age and the failure bookkeeping.
        assert store.apply_retention(datetime(2000, 1, 1, tzinfo=UTC), max_age_days=0, max_items_per_feed=None) == \
            sum(1 for when in moments if when < datetime(2000, 1, 1, tzinfo=UTC))
        store.record_failure(fid, "HTTP 500", NOW)
        (health,) = store.health()
        assert health.failing_since == NOW and health.last_fetched_at == NOW
