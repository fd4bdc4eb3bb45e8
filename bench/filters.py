"""Filters benchmark: the cost of judging 100,000 stored items at publish time, against reading them without filters.

Run:  PYTHONPATH=src python bench/filters.py [--entries 100000] [--rounds 3] [--db PATH]

The database (SQLite, 20 categories × 10 sites × 5 channels, 0.5–2 KB of HTML per item, Chinese and
English words) is made once in a temporary folder (or kept at --db and reused). Timed, best of --rounds:

- read: `list(store.iter_entries())`, what `publish_site` does without filters (the baseline);
- read + filters: the same read through `Screen.shown` with a realistic rule set (6 top-level
  excludes incl. one regex and one author rule, includes on 4 categories, a site-level exclude, a title
  rewrite and a content rewrite); the marks are already stored, so nothing is written;
- filters alone: `Screen.shown` over the entries already in memory.

Also printed once: the first publish's mark writing (`Store.set_hidden` for every newly hidden item),
and compiling the rules (loading the config). Prints the ratio of read + filters to read.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from feedstation.config import config_from_data
from feedstation.filters import Screen
from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus, Source
from feedstation.store import Store

WORDS = ("哈萨克斯坦 总统 政府 安全 部队 报道 城市 警察 示威 局势 开源 项目 发布 版本 融资 芯片 新能源 汽车 手机 "
         "news update release feature security open source funding chip model launch report").split()
RARE = ["广告", "推广", "sponsor", "招聘", "[PR]", "营销号"]
CATEGORIES = [f"分类{c:02d}" for c in range(20)]
RULES = {
    "filters": {
        "exclude": ["广告", "推广", "sponsor", "招聘", "/^\\[?PR\\]/i", {"match": "营销号", "fields": "author"}],
        "rewrite": [{"pattern": "/\\s*-\\s*来源$/", "field": "title"},
                    {"pattern": "【广告】", "field": "content"}],
    },
}


def sources() -> list[Source]:
    return [Source(c, f"站点{s:02d}", f"频道{h}", f"https://example.com/{c}/{s}/{h}")
            for c in CATEGORIES for s in range(10) for h in range(5)]


def config_raw() -> dict:
    tree: dict = {}
    for source in sources():
        tree.setdefault(source.category, {}).setdefault(source.site, {})[source.channel] = source.url
    for category in CATEGORIES[:4]:  # four categories show only items about a few topics
        tree[category]["filters"] = {"include": ["芯片", "chip", "/开源|open source/i", "发布"]}
    tree[CATEGORIES[5]]["站点03"]["filters"] = {"exclude": ["融资"]}
    return {**RULES, "sources": tree}


def make_database(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    all_sources = sources()
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    per_feed: dict[Source, list[Entry]] = {s: [] for s in all_sources}
    for n in range(count):
        source = all_sources[n % len(all_sources)]
        paragraphs, size, target = [], 0, rng.randint(500, 2000)
        while size < target:
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 30))]
            if rng.random() < 0.01:
                words.insert(rng.randrange(len(words)), rng.choice(RARE))
            para = f'<p>{" ".join(words)} <a href="https://example.com/{n}">链接</a></p>'
            paragraphs.append(para)
            size += len(para.encode("utf-8"))
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} 第{n}条" + (" - 来源" if n % 7 == 0 else "")
        if n % 50 == 0:
            title = rng.choice(RARE) + " " + title
        html = "".join(paragraphs)
        per_feed[source].append(Entry(
            identity=f"https://example.com/{n}", title=title, link=f"https://example.com/{n}",
            author="营销号" if n % 97 == 0 else f"作者{n % 40}", published=start + timedelta(minutes=n), updated=None,
            summary=html, content=html, image=None, content_hash=str(n)))
    with Store.open(path) as store:
        ids = store.sync_feeds(all_sources)
        for source, entries in per_feed.items():
            store.record_success(ids[source.tree], Fetched(source=source, status=FetchStatus.OK), FeedMeta(),
                                 entries, start)


def best(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", type=Path, default=None, help="keep the database here (made if missing)")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="fs-bench-filters-")
    path = args.db or Path(folder.name) / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        make_database(path, args.entries)
        print(f"made {args.entries:,} stored items in {time.perf_counter() - started:.1f}s ({path})")

    started = time.perf_counter()
    filters = config_from_data(config_raw(), Path("/bench/feedstation.yaml")).filters
    compile_time = time.perf_counter() - started

    with Store.open(path) as store:
        first = Screen(filters)
        started = time.perf_counter()
        shown = sum(1 for _ in first.shown(store.iter_entries()))
        judged = time.perf_counter()
        store.set_hidden(first.changes)
        first_time, marks_time = time.perf_counter() - started, time.perf_counter() - judged
        entries = list(store.iter_entries())
        print(f"{len(entries):,} items: {first.hidden:,} hidden, {shown:,} shown ({first.rewritten:,} rewritten)")
        print(f"config load incl. compiling {sum(1 for _ in filters.rules())} rules: {compile_time * 1000:.0f} ms")
        print(f"first publish: {first_time:.2f}s, of which writing {len(first.changes):,} marks {marks_time:.2f}s")

        def read() -> None:
            list(store.iter_entries())

        def read_and_screen() -> None:
            screen = Screen(filters)
            list(screen.shown(store.iter_entries()))
            assert not screen.changes, "marks are already stored"

        def screen_only() -> None:
            list(Screen(filters).shown(entries))

        baseline = best(args.rounds, read)
        with_filters = best(args.rounds, read_and_screen)
        alone = best(args.rounds, screen_only)
    print(f"read (baseline):  {baseline:.2f}s")
    print(f"read + filters:   {with_filters:.2f}s  ratio {with_filters / baseline:.2f}× the baseline")
    print(f"filters alone:    {alone:.2f}s  ({alone / len(entries) * 1e6:.1f} µs per item)")
    folder.cleanup()


if __name__ == "__main__":
    main()
