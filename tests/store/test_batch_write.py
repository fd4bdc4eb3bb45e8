"""`Store.record_batch` (group commit): many feeds in one transaction, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from feedstation.errors import StoreError
from feedstation.group_commit import GroupCommit
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store
from feedstation.store.writes import NotModifiedWrite, SuccessWrite

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SOURCES = [Source("博客", f"站 {n}", "全文", f"https://example.com/{n}.xml") for n in range(4)]


def entry(n: int, content_hash: str = "h") -> Entry:
    return Entry(identity=f"id-{n}", title=f"t{n}", link=None, author=None, published=NOW, updated=None,
                 summary="", content="", image=None, content_hash=f"{content_hash}-{n}")


def ok(source: Source, etag: str) -> Fetched:
    return Fetched(source=source, status=FetchStatus.OK, http_status=200, etag=etag)


def not_modified(source: Source) -> Fetched:
    return Fetched(source=source, status=FetchStatus.NOT_MODIFIED, http_status=304, max_age=600)


def snapshot(store: Store) -> tuple:
    states = store.feed_states()
    health = sorted((h.site, h.status, h.http_status, h.entry_count, h.error) for h in store.health())
    return health, sorted(((s.etag or ""), str(s.next_attempt_at)) for s in states.values()), store.entry_count()


def test_a_batch_stores_exactly_what_the_same_writes_one_by_one_store(store_target, tmp_path):
    later = NOW + timedelta(hours=1)
    first = [(0, [entry(1), entry(2)]), (1, [entry(3)]), (2, [entry(4)])]
    second = [  # a changed item and a new one, a 304, an unchanged feed
        SuccessWrite(0, ok(SOURCES[0], '"b"'), FeedMeta(title="zero"), [entry(1, "changed"), entry(2), entry(5)], later),
        NotModifiedWrite(1, not_modified(SOURCES[1]), later),
        SuccessWrite(2, ok(SOURCES[2], '"b"'), FeedMeta(), [entry(4)], later),
    ]
    outcomes = []
    for target, batched in ((store_target, True), (tmp_path / "one-by-one.db", False)):
        with Store.open(target) as store:
            ids = store.sync_feeds(SOURCES)
            by_index = {n: ids[s.tree] for n, s in enumerate(SOURCES)}
            firsts = [SuccessWrite(by_index[n], ok(SOURCES[n], '"a"'), FeedMeta(), items, NOW) for n, items in first]
            seconds = [SuccessWrite(by_index[w.feed_id], w.fetched, w.meta, w.entries, w.now)
                       if isinstance(w, SuccessWrite) else NotModifiedWrite(by_index[w.feed_id], w.fetched, w.now)
                       for w in second]
            if batched:
                counts = store.record_batch(firsts) + store.record_batch(seconds)
            else:
                counts = [store.record_success(w.feed_id, w.fetched, w.meta, w.entries, w.now) for w in firsts]
                for w in seconds:
                    if isinstance(w, SuccessWrite):
                        counts.append(store.record_success(w.feed_id, w.fetched, w.meta, w.entries, w.now))
                    else:
                        store.record_not_modified(w.feed_id, w.fetched, w.now)
                        counts.append((0, 0))
            outcomes.append((counts, snapshot(store)))
    assert outcomes[0] == outcomes[1]
    counts, (health, _states, stored) = outcomes[0]
    assert counts == [(2, 0), (1, 0), (1, 0), (1, 1), (0, 0), (0, 0)]
    assert stored == 5
    assert ("站 1", "not_modified", 304, 1, None) in health


def test_a_database_error_in_a_batch_is_the_failure_of_its_own_feed_only(store_target):
    # A feed id with no row: its entries break the foreign key, a real database error on both databases.
    with Store.open(store_target) as store:
        ids = store.sync_feeds(SOURCES)
        good, other = ids[SOURCES[0].tree], ids[SOURCES[1].tree]
        missing = max(ids.values()) + 100
        outcomes = store.record_batch([
            SuccessWrite(good, ok(SOURCES[0], '"a"'), FeedMeta(), [entry(1), entry(2)], NOW),
            SuccessWrite(missing, ok(SOURCES[2], '"a"'), FeedMeta(), [entry(3)], NOW),
            NotModifiedWrite(other, not_modified(SOURCES[1]), NOW),
        ])
        assert outcomes[0] == (2, 0) and outcomes[2] == (0, 0)
        assert isinstance(outcomes[1], StoreError) and "database error" in str(outcomes[1])
        assert store.entry_count() == 2  # the good feed's entries, nothing of the broken one
        states = store.feed_states()
        assert states[good].etag == '"a"'
        assert {h.site: h.status for h in store.health()}["站 1"] == "not_modified"


def test_group_commit_answers_every_waiting_feed_and_raises_only_for_the_failed_one(tmp_path):
    async def scenario(store: Store, ids: dict) -> list:
        writes = GroupCommit(store, delay=0.01, max_batch=2)
        jobs = [writes.write(SuccessWrite(ids[SOURCES[n].tree], ok(SOURCES[n], '"a"'), FeedMeta(), [entry(n)], NOW))
                for n in range(3)]
        jobs.append(writes.write(SuccessWrite(999, ok(SOURCES[3], '"a"'), FeedMeta(), [entry(9)], NOW)))
        return await asyncio.gather(*jobs, return_exceptions=True)

    with Store.open(tmp_path / "fs.db") as store:
        ids = store.sync_feeds(SOURCES)
        results = asyncio.run(scenario(store, ids))
        assert results[:3] == [(1, 0), (1, 0), (1, 0)]
        assert isinstance(results[3], StoreError)
        assert store.entry_count() == 3


def test_an_empty_batch_writes_nothing(tmp_path):
    with Store.open(tmp_path / "fs.db") as store:
        assert store.record_batch([]) == []


@pytest.mark.parametrize("count", [1, 7])
def test_a_batch_of_only_304s_sets_each_feeds_next_attempt_from_its_own_answer(tmp_path, count):
    with Store.open(tmp_path / "fs.db") as store:
        ids = store.sync_feeds(SOURCES)
        writes = [NotModifiedWrite(ids[SOURCES[n % 4].tree], Fetched(source=SOURCES[n % 4], status=FetchStatus.NOT_MODIFIED,
                                                                    http_status=304, max_age=60 * (n % 4 + 1)), NOW)
                  for n in range(count)]
        assert store.record_batch(writes) == [(0, 0)] * count
        states = store.feed_states()
        for w in writes[-4:]:
            assert states[w.feed_id].next_attempt_at == NOW + timedelta(seconds=w.fetched.max_age)
