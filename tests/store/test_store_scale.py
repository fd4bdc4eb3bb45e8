"""The store at sizes and failures real feeds reach, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from feedstation.errors import StoreError
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SOURCE = Source("博客", "大站", "全文", "https://example.com/huge.xml")


def entry(n: int, content_hash: str = "h") -> Entry:
    return Entry(identity=f"id-{n}", title=f"t{n}", link=None, author=None, published=NOW, updated=None,
                 summary="", content="", image=None, content_hash=f"{content_hash}-{n}")


def test_a_feed_with_70000_items_is_stored_and_refetched(store_target):
    # More identities than one statement may carry parameters (PostgreSQL: 65,535; SQLite: 32,766).
    fetched = Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200)
    items = [entry(n) for n in range(70_000)]
    with Store.open(store_target) as store:
        feed_id = store.sync_feeds([SOURCE])[SOURCE.tree]
        assert store.record_success(feed_id, fetched, FeedMeta(), items, NOW) == (70_000, 0)
        changed = items[:-1] + [entry(69_999, content_hash="new")]
        assert store.record_success(feed_id, fetched, FeedMeta(), changed, NOW) == (0, 1)
        assert store.entry_count() == 70_000


def test_two_writers_of_one_feed_at_once_neither_fail_nor_double_nor_miscount(store_target):
    # A redelivered task, or two workers on one feed, storing overlapping items at the same moment.
    fetched = Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200)
    batches = [[entry(n) for n in range(0, 600)], [entry(n) for n in range(300, 900)]]
    with Store.open(store_target) as setup:
        feed_id = setup.sync_feeds([SOURCE])[SOURCE.tree]
    start = threading.Barrier(len(batches))

    def write(batch: list[Entry]) -> tuple[int, int]:
        with Store.open(store_target) as store:
            start.wait()
            return store.record_success(feed_id, fetched, FeedMeta(), batch, NOW)

    with ThreadPoolExecutor(len(batches)) as pool:
        counts = list(pool.map(write, batches))
    with Store.open(store_target) as store:
        assert store.entry_count() == 900
    assert sum(new for new, _ in counts) == 900


def test_concurrent_failures_of_one_feed_are_all_counted(store_target):
    with Store.open(store_target) as setup:
        feed_id = setup.sync_feeds([SOURCE])[SOURCE.tree]
    start = threading.Barrier(4)

    def fail(_n: int) -> None:
        with Store.open(store_target) as store:
            start.wait()
            store.record_failure(feed_id, "HTTP 503", NOW)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fail, range(4)))
    with Store.open(store_target) as store:
        (health,) = store.health()
        assert health.consecutive_failures == 4
        assert health.failing_since == NOW


def test_concurrent_first_opens_of_a_fresh_database_and_first_syncs_all_succeed(store_target):
    start = threading.Barrier(4)

    def first_run(_n: int) -> dict:
        start.wait()
        with Store.open(store_target) as store:
            return store.sync_feeds([SOURCE])

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(first_run, range(4)))
    assert len({tuple(i.items()) for i in ids}) == 1


def test_a_database_error_inside_a_feed_transaction_is_a_store_error_and_nothing_is_half_written(postgres_server):
    # PostgreSQL refuses NUL in text: the statement fails mid-transaction, after other rows went in.
    target = postgres_server.new_database()
    fetched = Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200, etag='"new"')
    bad = [entry(1), replace(entry(2), title="a\x00b")]
    with Store.open(target) as store:
        feed_id = store.sync_feeds([SOURCE])[SOURCE.tree]
        with pytest.raises(StoreError, match="database error: .*NUL"):
            store.record_success(feed_id, fetched, FeedMeta(), bad, NOW)
        assert store.entry_count() == 0
        assert store.feed_states()[feed_id].etag is None  # validators rolled back with the entries


def test_the_change_marker_moves_when_a_run_stores_something_and_only_then(store_target):
    with Store.open(store_target) as store:
        feed_id = store.sync_feeds([SOURCE])[SOURCE.tree]
        before = store.change_marker()
        assert store.change_marker() == before
        store.record_success(feed_id, Fetched(source=SOURCE, status=FetchStatus.OK), FeedMeta(), [entry(1)], NOW)
        after_success = store.change_marker()
        assert after_success != before
        store.record_failure(feed_id, "HTTP 500", datetime(2026, 1, 3, tzinfo=timezone.utc))
        assert store.change_marker() != after_success
