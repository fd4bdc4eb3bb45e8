"""Dates on PostgreSQL (schema version 7): what the migration to timestamptz costs, and reading speed.

Run:  PYTHONPATH=src python bench/pg_dates.py [--entries 50000]

Starts a throwaway PostgreSQL server on loopback (tests/postgres_server.py: Debian's `postgresql`),
fills a store with N entries, takes it back to the pre-7 shape (dates as VARCHAR(32) text, as an
older feedstation left them), and times, in the same run:

- migration 7 as feedstation runs it (scan for values that are not canonical dates, repair, ALTER),
  against the baseline of a bare `ALTER … TYPE timestamptz USING col::timestamptz` on an identical copy
  (which would fail on any bad value): the ratio is what the safety costs;
- `Store.iter_entries()` over the N entries on PostgreSQL (timestamptz read back through `to_char`
  and parsed row by row) against the same on SQLite (text), the embedded default.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers: the PostgreSQL server

from sqlalchemy import text  # noqa: E402

from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source  # noqa: E402
from feedstation.store import Store  # noqa: E402
from feedstation.store.engine import create_store_engine  # noqa: E402
from feedstation.store.schema import UPGRADES, metadata  # noqa: E402
from feedstation.store.utc_column import UTCDateTime  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402
from tests.store.old_schema import dates_as_text, stamp_version  # noqa: E402

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SOURCE = Source("c", "s", "ch", "https://example.com/feed.xml")
VERSION = next(v for v, upgrade in UPGRADES.items() if upgrade.__name__ == "_dates_to_timestamptz")


def fill(target, n: int) -> None:
    items = [Entry(identity=f"id-{i}", title=f"title {i}", link=None, author=None,
                   published=NOW - timedelta(minutes=i), updated=None, summary="", content="<p>x</p>", image=None,
                   content_hash=f"h{i}") for i in range(n)]
    with Store.open(target) as store:
        fid = store.sync_feeds([SOURCE])[SOURCE.tree]
        store.record_success(fid, Fetched(source=SOURCE, status=FetchStatus.OK), FeedMeta(), items, NOW)


def pre_7(target) -> None:
    engine = create_store_engine(target)
    with engine.begin() as conn:
        dates_as_text(conn)
        stamp_version(conn, VERSION - 1)
    engine.dispose()


def bare_cast(target) -> float:
    engine = create_store_engine(target)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            columns = [c.name for c in table.c if isinstance(c.type, UTCDateTime)]
            if columns:
                conn.execute(text(f"ALTER TABLE {table.name} " + ", ".join(
                    f"ALTER COLUMN {c} TYPE timestamptz USING {c}::timestamptz" for c in columns)))
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def timed_open(target) -> float:
    start = time.perf_counter()
    Store.open(target).close()
    return time.perf_counter() - start


def timed_read(target) -> tuple[float, int]:
    with Store.open(target) as store:
        start = time.perf_counter()
        count = sum(1 for _ in store.iter_entries())
        return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    args = parser.parse_args()
    server = PostgresServer().start()
    try:
        migrated, baseline = server.new_database(), server.new_database()
        for target in (migrated, baseline):
            fill(target, args.entries)
            pre_7(target)
        bare = bare_cast(baseline)
        migration = timed_open(migrated)
        print(f"migration 7 over {args.entries:,} entries: {migration:.2f} s; bare ALTER … USING cast: {bare:.2f} s "
              f"(×{migration / bare:.2f})")
        with tempfile.TemporaryDirectory() as folder:
            sqlite_target = Path(folder) / "bench.db"
            fill(sqlite_target, args.entries)
            sqlite_read, n1 = timed_read(sqlite_target)
            pg_read, n2 = timed_read(migrated)
        assert n1 == n2 == args.entries
        print(f"iter_entries over {args.entries:,} entries: PostgreSQL (timestamptz) {pg_read:.2f} s, "
              f"SQLite (text) {sqlite_read:.2f} s (×{pg_read / sqlite_read:.2f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
