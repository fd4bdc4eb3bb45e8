"""The store's side of full text, on SQLite and PostgreSQL: pending items, results, readers, retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, FullText, Source
from feedstation.store import Store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
SOURCE = Source("新闻", "Courier", "要闻", "https://courier.example.com/feed.xml", full_text=True)
ARTICLE = "<p>The whole article, much longer than the teaser the feed gave.</p>"


def entry(identity: str, *, content_hash: str = "", image: str | None = None) -> Entry:
    return Entry(identity=identity, title=identity, link=f"https://courier.example.com/{identity}", author=None,
                 published=NOW, updated=None, summary="<p>teaser</p>", content="<p>teaser</p>", image=image,
                 content_hash=content_hash or f"hash-{identity}")


def store_feed(store: Store, entries: list[Entry], when: datetime) -> int:
    feed_id = store.sync_feeds([SOURCE])[SOURCE.tree]
    store.record_success(feed_id, Fetched(source=SOURCE, status=FetchStatus.OK, http_status=200), FeedMeta(),
                         entries, when)
    return feed_id


def ok(entry_id: int, for_hash: str, image: str | None = "https://img.example.com/og.jpg") -> FullText:
    return FullText(entry_id=entry_id, for_hash=for_hash, status="ok", content=ARTICLE, image=image, etag='"p1"')


def test_pending_results_and_readers_on_both_databases(store_target):
    with Store.open(store_target) as store:
        feed_id = store_feed(store, [entry("a"), entry("b", image="https://feed.example.com/own.jpg"), entry("c")],
                             NOW)
        pending = {p.link.rsplit("/", 1)[1]: p for p in store.full_text_pending(feed_id)}
        assert sorted(pending) == ["a", "b", "c"] and pending["a"].feed_html == "<p>teaser</p>"
        store.record_full_text([
            ok(pending["a"].entry_id, "hash-a"), ok(pending["b"].entry_id, "hash-b"),
            FullText(entry_id=pending["c"].entry_id, for_hash="hash-c", status="failed", reason="HTTP 404 Not Found"),
        ], NOW)
        assert store.full_text_pending(feed_id) == []  # each page once per version of its item
        read = {e.identity: e for e in store.iter_entries()}
        assert read["a"].content == ARTICLE and read["a"].image == "https://img.example.com/og.jpg"
        assert read["a"].content_hash.startswith("hash-a+")  # publishers see the article as a change
        assert read["b"].image == "https://feed.example.com/own.jpg"  # the feed's own image wins
        assert read["c"].content == "<p>teaser</p>" and read["c"].content_hash == "hash-c"
        assert store.full_text_counts() == {"ok": 2, "failed": 1}
        (problem,) = store.full_text_problems()
        assert (problem.feed, problem.title, problem.status, problem.reason) == \
            ("新闻 › Courier › 要闻", "c", "failed", "HTTP 404 Not Found")

        # The item changes: it is pending again, with the page's validators; a 304 keeps the article.
        later = NOW + timedelta(hours=1)
        store_feed(store, [entry("a", content_hash="hash-a2"), entry("b"), entry("c")], later)
        (again,) = store.full_text_pending(feed_id)
        assert again.content_hash == "hash-a2" and again.etag == '"p1"'
        store.record_full_text([FullText(entry_id=again.entry_id, for_hash="hash-a2", status="ok", unchanged=True)],
                               later)
        assert store.full_text_pending(feed_id) == []
        assert {e.identity: e for e in store.iter_entries()}["a"].content == ARTICLE


def test_items_that_left_the_feed_are_not_fetched_and_retention_takes_their_rows(store_target):
    with Store.open(store_target) as store:
        feed_id = store_feed(store, [entry("old")], NOW - timedelta(days=30))
        (old,) = store.full_text_pending(feed_id)
        store.record_full_text([ok(old.entry_id, "hash-old")], NOW - timedelta(days=30))
        store_feed(store, [entry("new")], NOW)
        assert [p.link for p in store.full_text_pending(feed_id)] == ["https://courier.example.com/new"]
        assert store.apply_retention(NOW, max_age_days=None, max_items_per_feed=1) == 1  # "old" goes
        assert store.full_text_counts() == {}  # the removed entry's row went with it (ON DELETE CASCADE)
