"""Stored dates round-trip for every year 1–9999 and sort as text in time order (issue 11)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store
from feedstation.store.schema import entries as entries_table
from tests.database_reads import connection
from tests.store.old_schema import dates_as_text, stamp_version
from feedstation.store.utc_column import iso_utc as _iso_utc, parse_utc_text

SOURCE = Source("c", "s", "ch", "https://example.com/feed")
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
UTC_DATETIMES = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                             timezones=st.just(timezone.utc))


@settings(max_examples=300, deadline=None)
@given(UTC_DATETIMES, UTC_DATETIMES)
def test_every_year_round_trips_and_text_order_is_time_order(a, b):
    assert parse_utc_text(_iso_utc(a)) == a
    assert (_iso_utc(a) < _iso_utc(b)) == (a < b)


def test_year_103_is_written_zero_padded():
    assert _iso_utc(datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)) == "0103-12-13T18:30:02.000000Z"


def test_older_unpadded_text_is_still_read():
    assert parse_utc_text("103-12-13T18:30:02.000000Z") == datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)
    assert parse_utc_text("2024-01-01 10:00:00") == datetime(2024, 1, 1, 10, tzinfo=timezone.utc)


def test_migration_3_pads_years_an_older_version_wrote_unpadded(store_target):
    with Store.open(store_target) as store:
        fid = store.sync_feeds([SOURCE])[SOURCE.tree]
        entries = [Entry(identity=i, title=i, link=None, author=None, published=when, updated=None, summary="",
                         content="<p>x</p>", image=None, content_hash=i)
                   for i, when in (("new", NOW - timedelta(days=1)), ("old", datetime(2020, 1, 1, tzinfo=timezone.utc)))]
        store.record_success(fid, Fetched(source=SOURCE, status=FetchStatus.OK), FeedMeta(), entries, NOW)
    with connection(store_target) as conn:  # what feedstation ≤ schema 2 wrote for a year-103 date
        dates_as_text(conn)
        conn.execute(text("UPDATE entries SET published = '103-12-13T18:30:02.000000Z' WHERE identity = 'old'"))
        for statement in ("ALTER TABLE entries DROP COLUMN feed_date", "ALTER TABLE entries DROP COLUMN warning",
                          "DROP TABLE skipped_entries", "ALTER TABLE entries DROP COLUMN enclosures",
                          "ALTER TABLE entries DROP COLUMN hidden_by"):
            conn.execute(text(statement))
        stamp_version(conn, 2)
    with Store.open(store_target) as store, store.engine.connect() as conn:
        published = conn.execute(select(entries_table.c.published).where(entries_table.c.identity == "old")).scalar()
        assert published == datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)
        if conn.dialect.name == "sqlite":  # the text itself is padded (PostgreSQL holds a timestamptz by now)
            assert conn.execute(text("SELECT published FROM entries WHERE identity = 'old'")).scalar() == \
                "0103-12-13T18:30:02.000000Z"
        assert [e.identity for e in store.iter_entries()] == ["new", "old"]  # newest first


def test_every_year_from_1_to_9999_round_trips_through_the_store_in_time_order(store_target):
    # One entry per year, at a moment inside it that varies every field (so text order and time order
    # could disagree anywhere), stored through the store and read back by the publishers' reader.
    moments = [datetime(y, y % 12 + 1, y % 28 + 1, y % 24, y % 60, (y * 7) % 60, (y * 7919) % 1_000_000,
                        tzinfo=timezone.utc) for y in range(1, 10_000)]
    rows = [Entry(identity=f"y{when.year}", title=str(when.year), link=None, author=None, published=when, updated=None,
                  summary="", content="<p>x</p>", image=None, content_hash=str(when.year), feed_date=when)
            for when in moments]
    with Store.open(store_target) as store:
        fid = store.sync_feeds([SOURCE])[SOURCE.tree]
        store.record_success(fid, Fetched(source=SOURCE, status=FetchStatus.OK), FeedMeta(), rows, NOW)
        skipped = []
        back = list(store.iter_entries(on_skip=skipped.append))
        with store.engine.connect() as conn:
            feed_dates = dict(conn.execute(select(entries_table.c.identity, entries_table.c.feed_date)).all())
            ordered = conn.execute(select(entries_table.c.published).order_by(entries_table.c.published)).scalars().all()
    assert skipped == []
    assert [e.published for e in back] == moments[::-1]  # newest first, every value exact
    assert feed_dates == {f"y{when.year}": when for when in moments}
    assert ordered == moments  # the database's own order (SQLite: text, PostgreSQL: timestamptz) is time order
