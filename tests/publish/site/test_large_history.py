"""A site of 120,000 stored items (issue 19 goal 1), built through the real store and the real Pagefind:
every file that grows with history is split under its limits, and one more item afterwards rewrites only
the files it touches, never the old sitemap parts, list pages or search shards.

Slow (a few minutes on two cores), so it runs once, on SQLite. Times are not asserted: machines here
are shared; `bench/site_history.py` measures them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lxml import etree

from feedstation import pipeline
from feedstation.config import config_from_data
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.publish.sitemap import SITEMAP_MAX_BYTES, SITEMAP_MAX_URLS, SITEMAP_NS
from feedstation.publish.site.manifest import read_manifest
from feedstation.publish.site.search import SHARD_PAGES
from feedstation.store import Store

ITEMS = 120_000
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
STEP = timedelta(minutes=7)  # 120,000 items over 19 months: many monthly shards, each split in parts
SOURCES = [Source(category, f"{category}站{s}", f"频道{c}", f"https://{category}{s}{c}.example.cn/feed.xml")
           for category in ("科技", "财经", "体育") for s in range(2) for c in range(2)]
S = f"{{{SITEMAP_NS}}}"


def _entry(n: int) -> Entry:
    body = f"<p>第 {n} 条的正文 item {n}</p>"
    return Entry(identity=f"urn:big:{n}", title=f"第 {n} 条新闻 {n % 97}", link=f"https://example.cn/post/{n}",
                 author=None, published=START + STEP * n, updated=None, summary=body, content=body, image=None,
                 content_hash=hashlib.sha1(body.encode()).hexdigest())


def _record(store: Store, numbers: range, now: datetime) -> None:
    ids = store.sync_feeds(SOURCES)
    by_feed: dict[int, list[Entry]] = {}
    for n in numbers:
        by_feed.setdefault(n % len(SOURCES), []).append(_entry(n))
    for feed, found in by_feed.items():
        source = SOURCES[feed]
        store.record_success(ids[source.tree], Fetched(source=source, status=FetchStatus.OK), FeedMeta(), found, now)


def _sitemap_locs(site: Path, base: str) -> list[str]:
    """Every page URL the sitemap index leads to, each part checked against the sitemaps.org limits."""
    index = etree.parse(str(site / "sitemap.xml")).getroot()
    assert index.tag == S + "sitemapindex"
    locs: list[str] = []
    for part_url in (loc.text for loc in index.iter(S + "loc")):
        part = site / part_url.removeprefix(base)
        assert part.stat().st_size <= SITEMAP_MAX_BYTES
        urls = [loc.text for loc in etree.parse(str(part)).getroot().iter(S + "loc")]
        assert 0 < len(urls) <= SITEMAP_MAX_URLS, part
        locs += urls
    return locs


def test_a_site_of_120000_items_is_split_under_every_limit_and_one_more_item_touches_only_its_files(tmp_path):
    site = tmp_path / "site"
    tree: dict = {}
    for source in SOURCES:
        tree.setdefault(source.category, {}).setdefault(source.site, {})[source.channel] = source.url
    base = "https://big.example.com/"
    config = config_from_data({"sources": tree, "storage": str(tmp_path / "big.db"), "output": {"site": str(site)},
                               "site": {"url": base, "page_size": 50, "feed_items": 50}}, tmp_path / "feedstation.yaml")
    now = START + STEP * ITEMS
    with Store.open(tmp_path / "big.db") as store:
        for start in range(0, ITEMS, 20_000):
            _record(store, range(start, min(start + 20_000, ITEMS)), now)
        report = pipeline.publish_site(config, store, site)
        assert report.left_out == ()

        # Sitemaps: an index of parts, each under 50,000 URLs and 50 MB, naming every item page once.
        locs = _sitemap_locs(site, base)
        items = [loc for loc in locs if loc.startswith(base + "item/")]
        assert len(items) == len(set(items)) == ITEMS
        assert all(_file_of(site, loc.removeprefix(base)).is_file() for loc in locs[::997])

        # Search: every item page in exactly one shard of at most SHARD_PAGES pages, all of them listed.
        shards = read_manifest(site).shards
        counts = {name: _page_count(site / "pagefind" / name) for name in shards}
        assert sum(counts.values()) == ITEMS and max(counts.values()) <= SHARD_PAGES
        listed = set(re.findall(r'"/pagefind/([^"/]+)/"', (site / "pagefind" / "shards.js").read_text()))
        assert listed == set(shards)

        # List pages are numbered from the oldest: every full page of a list holds page_size items.
        latest = sorted(site.glob("latest/page/*/index.html"), key=lambda p: int(p.parent.name))
        assert len(latest) >= ITEMS // 50 - 1

        before = {path: path.stat().st_mtime_ns for path in
                  [site / "sitemap-items-1.xml", latest[0], latest[len(latest) // 2], *(site / "pagefind").glob(
                      f"{min(shards)}/*")]}
        _record(store, range(ITEMS, ITEMS + 1), now + STEP)
        again = pipeline.publish_site(config, store, site)

    written = again.written_paths
    assert any(path.startswith("item/") for path in written)
    assert len(written) < 80, Counter(path.split("/")[0] for path in written)
    assert {path: path.stat().st_mtime_ns for path in before} == before
    assert len([loc for loc in _sitemap_locs(site, base) if loc.startswith(base + "item/")]) == ITEMS + 1


def _file_of(site: Path, path: str) -> Path:
    """The file a static host serves for a site path (a folder's index.html)."""
    return site / (path + "index.html" if path.endswith("/") or not path else path)


def _page_count(shard: Path) -> int:
    entry = json.loads((shard / "pagefind-entry.json").read_text())
    return sum(language["page_count"] for language in entry["languages"].values())
