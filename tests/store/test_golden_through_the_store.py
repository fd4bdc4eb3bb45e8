"""Golden outputs through a real store: the same entries stored on SQLite or on PostgreSQL and read back
give byte for byte the site and the Hexo posts of tests/fixtures (the publish tests' golden files)."""

from __future__ import annotations

from collections.abc import Iterable

from feedstation.cards.refresh import refresh_cards
from feedstation.cards.store_data import StoreData
from feedstation.filters import FilterSet
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source, StoredEntry
from feedstation.publish.hexo import export_hexo
from feedstation.publish.site import build_site
from feedstation.store import Store
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources
from tests.publish.site.test_build import EXPECTED as SITE_EXPECTED
from tests.publish.site.test_build import _tree_texts
from tests.publish.test_hexo import EXPECTED as HEXO_EXPECTED
from tests.publish.test_hexo import tree_bytes
from tests.publish.test_hexo_support import load_fixture_entries


def as_entry(e: StoredEntry) -> Entry:
    return Entry(identity=e.identity, title=e.title, link=e.link, author=e.author, published=e.published,
                 updated=e.updated, summary=e.summary, content=e.content, image=e.image, content_hash=e.content_hash,
                 enclosures=e.enclosures)


def stored_and_read_back(target, sources: list[Source], entries: Iterable[StoredEntry]) -> list[StoredEntry]:
    """Store `entries` one fetch each, at its first-seen time and in id order (so row ids and first/last
    seen match the fixture's), and read them back."""
    with Store.open(target) as store:
        ids = store.sync_feeds(sources)
        by_tree = {source.tree: source for source in sources}
        for e in sorted(entries, key=lambda e: e.id):
            fetched = Fetched(source=by_tree[e.tree], status=FetchStatus.OK, http_status=200)
            store.record_success(ids[e.tree], fetched, FeedMeta(), [as_entry(e)], e.first_seen)
        return list(store.iter_entries())


def test_the_golden_site_comes_out_of_either_store(store_target, tmp_path):
    sources = fixture_sources()
    fixture = fixture_entries()
    back = stored_and_read_back(store_target, sources, fixture)
    assert sorted(back, key=lambda e: e.id) == sorted(fixture, key=lambda e: e.id)  # every field, ids too
    build_site(back, sources, tmp_path / "site", SETTINGS, now=NOW)
    assert _tree_texts(tmp_path / "site") == _tree_texts(SITE_EXPECTED)


def test_the_golden_site_comes_out_of_the_stored_cards(store_target, tmp_path):
    """The publish path: cards made in the store, the build reading cards and only the bodies it renders."""
    sources = fixture_sources()
    stored_and_read_back(store_target, sources, fixture_entries())
    with Store.open(store_target) as store:
        skipped = []
        assert refresh_cards(store, FilterSet(), skipped.append).made == len(fixture_entries())
        build_site(StoreData(store, FilterSet(), skipped.append), sources, tmp_path / "site", SETTINGS, now=NOW)
        assert skipped == []
    assert _tree_texts(tmp_path / "site") == _tree_texts(SITE_EXPECTED)


def test_the_golden_hexo_posts_come_out_of_either_store(store_target, tmp_path):
    fixture = load_fixture_entries()
    sources = sorted({Source(*e.tree, f"https://example.com/{n}") for n, e in enumerate(fixture)
                      if e.tree not in {f.tree for f in fixture[:n]}}, key=lambda s: s.tree)
    back = stored_and_read_back(store_target, sources, fixture)
    export_hexo(back, tmp_path / "posts")
    assert tree_bytes(tmp_path / "posts") == tree_bytes(HEXO_EXPECTED)
