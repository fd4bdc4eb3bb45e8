"""Cards in the store (issue 19): made once per version of an entry, its full text and its feed's rules;
the story pairs they keep give the groups the in-memory dedupe gives. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedstation.cards.refresh import refresh_cards
from feedstation.cards.store_data import StoreData
from feedstation.config import config_from_data
from feedstation.dedupe import duplicate_groups
from feedstation.filters import FilterSet
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store

T0 = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)
SOURCES = [Source("科技", f"站点{n}", "要闻", f"https://s{n}.example.cn/feed.xml") for n in range(4)]


def entry(feed: int, n: int, *, title: str | None = None, hours: float = 0, body: str = "<p>正文</p>") -> Entry:
    return Entry(identity=f"urn:{feed}:{n}", title=title or f"站点{feed} 的第 {n} 条消息", link=f"https://s{feed}.example.cn/{n}",
                 author=None, published=T0 + timedelta(hours=hours or n), updated=None, summary=body, content=body,
                 image=None, content_hash=hashlib.sha1(f"{feed}:{n}:{title}:{hours}:{body}".encode()).hexdigest())


def record(store: Store, feed: int, entries: list[Entry]) -> None:
    ids = store.sync_feeds(SOURCES)
    source = SOURCES[feed]
    store.record_success(ids[source.tree], Fetched(source=source, status=FetchStatus.OK), FeedMeta(), entries, T0)


def filters_of(raw_filters: dict | None) -> FilterSet:
    tree = {"科技": {source.site: {source.channel: source.url} for source in SOURCES}}
    if raw_filters:
        tree["科技"]["站点0"]["filters"] = raw_filters
    return config_from_data({"sources": tree}, Path("/tmp/feedstation.yaml")).filters


def test_only_new_and_changed_entries_get_a_new_card(store_target):
    skipped: list = []
    with Store.open(store_target) as store:
        for feed in range(3):
            record(store, feed, [entry(feed, n) for n in range(5)])
        assert refresh_cards(store, FilterSet(), skipped.append).made == 15
        assert refresh_cards(store, FilterSet(), skipped.append).made == 0, "nothing changed: no card is made"
        record(store, 0, [entry(0, 0, title="改过的标题"), entry(0, 5)])  # one changed, one new
        assert refresh_cards(store, FilterSet(), skipped.append).made == 2
        titles = {card.title for card in StoreData(store, FilterSet(), skipped.append).cards()}
        assert "改过的标题" in titles and "站点0 的第 0 条消息" not in titles and len(titles) == 16
    assert skipped == []


def test_a_filter_change_makes_again_only_the_cards_of_the_feeds_it_covers(store_target):
    skipped: list = []
    with Store.open(store_target) as store:
        for feed in range(3):
            record(store, feed, [entry(feed, n) for n in range(5)])
        refresh_cards(store, FilterSet(), skipped.append)
        hide_two = filters_of({"exclude": ["第 1 条", "第 3 条"], "rewrite": [{"pattern": "消息", "replace": "新闻",
                                                                            "field": "title"}]})
        result = refresh_cards(store, hide_two, skipped.append)
        assert (result.made, result.hidden) == (5, 2), "only 站点0's five cards depend on its rules"
        cards = list(StoreData(store, hide_two, skipped.append).cards())
        mine = sorted(card.title for card in cards if card.site == "站点0")
        assert mine == ["站点0 的第 0 条新闻", "站点0 的第 2 条新闻", "站点0 的第 4 条新闻"]
        assert store.hidden_count() == 2
        assert refresh_cards(store, FilterSet(), skipped.append).made == 5, "removing the rules shows them again"
        assert len(list(StoreData(store, FilterSet(), skipped.append).cards())) == 15 and store.hidden_count() == 0


def test_a_body_is_read_only_for_the_cards_asked_for_and_rewritten_like_its_card(store_target):
    skipped: list = []
    rules = filters_of({"rewrite": [{"pattern": "正文", "replace": "全文", "field": "content"}]})
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        refresh_cards(store, rules, skipped.append)
        data = StoreData(store, rules, skipped.append)
        cards = sorted(data.cards(), key=lambda card: card.identity)
        bodies = data.bodies(cards[:1])
        assert [body.identity for body in bodies] == ["urn:0:0"]
        assert bodies[0].content == "<p>全文</p>" and bodies[0].content_hash == cards[0].content_hash
        assert cards[0].excerpt == "全文"


TITLES = ["美国发布芯片出口管制新规，140家中国实体被列入实体清单", "Storm Bert: thousands without power as rain hits UK",
          "苹果发布新款 MacBook Pro 搭载 M5 芯片", "知乎热榜 2026-11-30", "Python Weekly #123"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, len(TITLES) - 1), st.integers(0, 2),
                          st.floats(0, 24 * 8)), min_size=2, max_size=24),
       st.integers(1, 4), st.randoms(use_true_random=False))
def test_stored_pairs_give_the_groups_the_whole_history_gives(new_store_target, items, batches, rng: random.Random):
    """Items stored and carded batch by batch give, from the stored pairs, exactly the groups that
    `duplicate_groups` finds over all of them at once (same titles with small edits, across feeds and days)."""
    edits = ("", " - IT之家", "（附全文）")
    made = [entry(feed, n, title=TITLES[title] + edits[edit], hours=hours)
            for n, (feed, title, edit, hours) in enumerate(items)]
    order = list(range(len(made)))
    rng.shuffle(order)
    skipped: list = []
    with Store.open(new_store_target()) as store:
        for batch in range(batches):
            chunk = [made[i] for i in order[batch::batches]]
            for feed in range(4):
                mine = [e for e in chunk if e.identity.startswith(f"urn:{feed}:")]
                if mine:
                    record(store, feed, mine)
            refresh_cards(store, FilterSet(), skipped.append)
        data = StoreData(store, FilterSet(), skipped.append)
        cards = sorted(data.cards(), key=lambda card: (card.published, card.identity))
        stored = {tuple(cards[i].identity for i in group) for group in data.story_groups(cards)}
        entries = data.bodies(cards)
        whole = {tuple(entries[i].identity for i in group) for group in duplicate_groups(entries).groups}
    assert stored == whole
    assert skipped == []


def site_config(store_target, site: Path):
    """A config of the four SOURCES publishing a site into `site`."""
    tree = {"科技": {source.site: {source.channel: source.url} for source in SOURCES}}
    return config_from_data({"sources": tree, "storage": str(store_target), "output": {"site": str(site)}},
                            site.parent / "feedstation.yaml")


def test_a_build_with_no_card_changed_reads_no_card_and_one_new_entry_makes_it_read_them(store_target, tmp_path):
    """The store's marker (cards made or dropped, feeds come or gone) tells a no-change rebuild apart
    without reading the cards; anything new is read and rendered."""
    from feedstation import pipeline

    config = site_config(store_target, tmp_path / "site")
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        first = pipeline.publish_site(config, store, tmp_path / "site")
        again = pipeline.publish_site(config, store, tmp_path / "site")
        assert not first.read_nothing and again.read_nothing and again.written == 0
        record(store, 1, [entry(1, 0)])
        third = pipeline.publish_site(config, store, tmp_path / "site")
        assert not third.read_nothing and third.written > 0
        assert any(path.startswith("item/") for path in third.written_paths)


def test_a_run_whose_feeds_had_nothing_new_rewrites_the_status_page_alone(store_target, tmp_path):
    """Every fetch moves the feeds' health, which only the status page (and status.json) shows: with the
    cards unchanged, those two are written and no other output is even looked at; a new item is built as ever."""
    from feedstation import pipeline
    from feedstation.publish.site import MANIFEST

    site = tmp_path / "site"
    config = site_config(store_target, site)
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        pipeline.publish_site(config, store, site)
        ids = store.sync_feeds(SOURCES)
        store.record_not_modified(ids[SOURCES[0].tree], Fetched(source=SOURCES[0], status=FetchStatus.NOT_MODIFIED),
                                  T0 + timedelta(hours=1))
        fetched_again = pipeline.publish_site(config, store, site)
        assert set(fetched_again.written_paths) == {"status/index.html", "status.json", MANIFEST}
        assert fetched_again.pages == len(list(p for p in site.rglob("*") if p.is_file()))
        assert pipeline.publish_site(config, store, site).read_nothing
        record(store, 1, [entry(1, 0)])
        new_item = pipeline.publish_site(config, store, site)
        assert any(path.startswith("item/") for path in new_item.written_paths)
        assert pipeline.publish_site(config, store, site).read_nothing


def test_a_status_page_written_alone_reads_no_card_and_is_the_page_a_full_build_writes(store_target, tmp_path,
                                                                                        monkeypatch):
    """The last build keeps each channel's item dates and the status nav in its manifest: a later fetch that moved
    only the health (here far enough to move the 7-day window) rewrites the status page from them, reading no
    card, byte for byte as a full build of the same store does."""
    from feedstation import pipeline
    from feedstation.publish.site import MANIFEST

    site, full = tmp_path / "site", tmp_path / "full"
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n, hours=24 * n) for n in range(10)])  # one a day for ten days
        record(store, 1, [entry(1, n) for n in range(3)])
        pipeline.publish_site(site_config(store_target, site), store, site)
        ids = store.sync_feeds(SOURCES)
        store.record_not_modified(ids[SOURCES[0].tree], Fetched(source=SOURCES[0], status=FetchStatus.NOT_MODIFIED),
                                  T0 + timedelta(days=12))
        read: list[int] = []
        cards = StoreData.cards
        monkeypatch.setattr(StoreData, "cards", lambda self: read.append(1) or cards(self))
        alone = pipeline.publish_site(site_config(store_target, site), store, site)
        if isinstance(store_target, str):  # PostgreSQL: no write count, so the full check runs
            return
        assert set(alone.written_paths) == {"status/index.html", "status.json", MANIFEST}
        assert read == []
        pipeline.publish_site(site_config(store_target, full), store, full)
        assert read, "the full build reads the cards"
        for name in ("status/index.html", "status.json"):
            assert (site / name).read_bytes() == (full / name).read_bytes()
        rows = {row["site"]: row for row in json.loads((site / "status.json").read_text(encoding="utf-8"))["rows"]}
        assert (rows["站点0"]["items_last_7_days"], rows["站点0"]["items"]) == (5, 10)  # days 5–9 of 12


def test_a_no_change_rebuild_reads_the_manifest_head_and_still_notices_a_lost_file(store_target, tmp_path):
    """With the store's marker unchanged, the build checks the folders against the manifest's head alone; a
    folder changed since (a file lost, or one of the user's added) sends it to the body's list of files."""
    from feedstation import pipeline

    site = tmp_path / "site"
    config = site_config(store_target, site)
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        pipeline.publish_site(config, store, site)
        item_page = next(path for path in sorted(site.glob("item/**/*.html")))
        lost = [site / "index.html", item_page]
        for path in lost:
            wanted = path.read_bytes()
            path.unlink()
            report = pipeline.publish_site(config, store, site)
            assert report.written_paths and not report.read_nothing
            assert path.read_bytes() == wanted
        (item_page.parent / "notes.txt").write_text("the user's file\n")  # its folder changed, nothing lost
        report = pipeline.publish_site(config, store, site)
        assert report.read_nothing and report.written == 0


def test_cards_made_again_change_the_marker_even_when_every_card_is_replaced(store_target):
    """A filter change re-makes every card in one write: the marker must still move (it once did not, when
    the write's number was taken after the old cards were gone)."""
    skipped: list = []
    with Store.open(store_target) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        refresh_cards(store, FilterSet(), skipped.append)
        before = store.cards.marker()
        refresh_cards(store, filters_of({"exclude": ["第 1 条"]}), skipped.append)
        assert store.cards.marker() != before
