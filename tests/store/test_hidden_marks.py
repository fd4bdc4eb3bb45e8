"""The filters' hidden marks (issue 17, migration 5): stored per entry, changed only where asked, kept across
feed updates, and added to a database made before them without touching its rows."""

from __future__ import annotations

from sqlalchemy import text

from feedstation.models import FeedMeta
from feedstation.store import Store
from tests.database_reads import connection
from tests.store.test_store import NOW, entry, feed_id, fetched


def test_marks_are_stored_read_back_and_survive_a_feed_update(store_target):
    with Store.open(store_target) as store:
        fid = feed_id(store)
        store.record_success(fid, fetched(), FeedMeta(), [entry("a"), entry("b"), entry("c")], NOW)
        ids = {e.identity: e.id for e in store.iter_entries()}
        assert {e.hidden_by for e in store.iter_entries()} == {None}, "a new entry is shown"
        store.set_hidden({ids["a"]: "filters.exclude[0]: 广告", ids["b"]: "matches no include rule of filters.include"})
        store.set_hidden({})
        marks = {e.identity: e.hidden_by for e in store.iter_entries()}
        assert marks == {"a": "filters.exclude[0]: 广告", "b": "matches no include rule of filters.include", "c": None}
        # The feed changes entry a: the mark stays until the next publish judges it again.
        store.record_success(fid, fetched(), FeedMeta(), [entry("a", content_hash="new"), entry("b"), entry("c")], NOW)
        store.set_hidden({ids["b"]: None})
        marks = {e.identity: e.hidden_by for e in store.iter_entries()}
        assert marks == {"a": "filters.exclude[0]: 广告", "b": None, "c": None}


def test_more_marks_than_one_chunk_are_all_written(tmp_path):  # chunks of 5,000
    with Store.open(tmp_path / "fs.db") as store:
        fid = feed_id(store)
        store.record_success(fid, fetched(), FeedMeta(), [entry(f"e{n}") for n in range(5_200)], NOW)
        store.set_hidden({e.id: "rule" for e in store.iter_entries()})
        assert {e.hidden_by for e in store.iter_entries()} == {"rule"}


def test_a_version_4_database_gets_the_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "v4.db"
    with Store.open(path) as store:
        store.record_success(feed_id(store), fetched(), FeedMeta(), [entry("a")], NOW)
    with connection(path) as conn:
        conn.execute(text("ALTER TABLE entries DROP COLUMN hidden_by"))
        conn.execute(text("UPDATE schema_version SET version = 4"))
    with Store.open(path) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version ORDER BY version")).scalars().all()[:2] == [4, 5]
        assert [(e.identity, e.hidden_by) for e in store.iter_entries()] == [("a", None)]


def test_an_unreadable_mark_does_not_skip_the_entry(tmp_path):
    path = tmp_path / "fs.db"
    with Store.open(path) as store:
        store.record_success(feed_id(store), fetched(), FeedMeta(), [entry("a")], NOW)
    with connection(path) as conn:  # SQLite: a blob that is not UTF-8 text where the mark belongs
        conn.execute(text("UPDATE entries SET hidden_by = X'00ff'"))
    skipped = []
    with Store.open(path) as store:
        assert [(e.identity, e.hidden_by) for e in store.iter_entries(on_skip=skipped.append)] == [("a", None)]
    assert skipped == []
