"""The store at sizes and failures real feeds reach, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import datetime, timezone

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
