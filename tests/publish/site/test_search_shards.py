"""Search shards (issue 19): months cut into shards whose pages never change once full, small tail shards
for the newest month, and a re-index only where the indexed text changed."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context
from feedstation.publish.site.manifest import read_manifest
from feedstation.publish.site.search import plan_shards
from tests.publish.site.conftest import NOW, SETTINGS, fixture_sources, make_entry

MAY = datetime(2024, 5, 1, tzinfo=timezone.utc)


def _items(count: int, start: datetime, step: timedelta = timedelta(hours=1)):
    entries = [make_entry(i, i % 4, f"条目 {i}", f"<p>正文 {i}</p>", None, published=start + i * step)
               for i in range(count)]
    return build_context(entries, SETTINGS).items


def test_a_month_is_cut_oldest_first_and_only_the_newest_month_has_tail_shards():
    april = _items(25, datetime(2024, 4, 1, tzinfo=timezone.utc))
    may = _items(23, MAY)
    plan = plan_shards([*april, *may], size=10, tail=4)
    # April (closed): 10 + 10 + 5. May (newest): 10 + 10 full, then its open shard in tails of 4: 3.
    assert list(plan) == ["2024-05.3-1", "2024-05.2", "2024-05", "2024-04.3", "2024-04.2", "2024-04"]
    assert [len(plan[name]) for name in plan] == [3, 10, 10, 5, 10, 10]
    oldest_may = sorted(may, key=lambda item: item.entry.published)[:10]
    assert plan["2024-05"] == sorted(item.path for item in oldest_may)


def test_new_items_change_only_the_last_tail_shard_until_a_shard_fills():
    may = _items(23, MAY)
    before = plan_shards(may, size=10, tail=4)
    after = plan_shards(_items(24, MAY), size=10, tail=4)  # one newer item
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"2024-05.3-1"}
    full = plan_shards(_items(30, MAY), size=10, tail=4)
    assert list(full) == ["2024-05.3", "2024-05.2", "2024-05"], "a full shard is indexed as one"


def test_a_neighbour_whose_page_changed_only_in_its_links_is_not_indexed_again(tmp_path):
    """The new item's channel neighbour is in January; its page gains a "newer" link, which Pagefind does
    not index, so January's shard is not run again."""
    sources = fixture_sources()
    entries = [make_entry(0, 0, "一月的文章", "<p>一月</p>", None, published=datetime(2022, 1, 10, tzinfo=timezone.utc)),
               make_entry(1, 1, "二月的文章", "<p>二月</p>", None, published=datetime(2022, 2, 10, tzinfo=timezone.utc))]
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    newer = make_entry(2, 0, "二月的新文章", "<p>新</p>", None, published=datetime(2022, 2, 20, tzinfo=timezone.utc))
    report = build_site([*entries, newer], sources, tmp_path, SETTINGS, now=NOW)
    neighbour = build_context(entries, SETTINGS).items[1]
    assert neighbour.entry.title == "一月的文章" and neighbour.path in report.written_paths
    search = {path.split("/")[1] for path in report.written_paths if path.startswith("pagefind/")}
    assert search <= {"2022-02-1", "shards.js"}, search
    shards = read_manifest(tmp_path).shards
    assert set(shards) == {"2022-01", "2022-02-1"}


def test_a_shard_is_indexed_as_soon_as_its_pages_are_on_disk_beside_the_rendering(tmp_path):
    """Pagefind starts on a shard once its last page is written, before the other shards' pages exist."""
    from feedstation.publish.site.search import ShardRuns

    site = tmp_path / "site"
    build_site([make_entry(i, i % 4, f"条目 {i}", f"<p>正文 {i}</p>", None, published=MAY + i * timedelta(hours=1))
                for i in range(6)], fixture_sources(), site, SETTINGS, now=NOW)
    pages = sorted(str(path.relative_to(site)) for path in site.glob("item/*/*.html"))
    runs = ShardRuns(site, {"a": pages[:3], "b": pages[3:]}, jobs=2)
    try:
        for path in pages[:3]:
            assert runs.started == []
            runs.page_on_disk(path)
        assert runs.started == ["a"], "shard a's pages are all there: it runs while b's are still rendering"
        early = {}
        while not early:  # a's files are handed over once its run ends, while b's pages still render
            time.sleep(0.05)
            early = dict(runs.finished())
        assert "pagefind/a/pagefind-entry.json" in early and not any(p.startswith("pagefind/b/") for p in early)
        assert [work.name for work in Path(runs._tmp.name).iterdir()] == [], "a's scratch space is freed"
        for path in pages[3:]:
            runs.page_on_disk(path)
        files = dict(runs.results())
    finally:
        runs.close()
    assert runs.started == ["a", "b"] and "pagefind/b/pagefind-entry.json" in files
    assert "pagefind/pagefind-ui.js" in {**early, **files} and not early.keys() & files.keys()


def test_a_killed_build_s_search_scratch_space_is_freed_by_the_next_one(tmp_path, monkeypatch):
    """Scratch lives in /dev/shm (RAM) when there is one; a build killed mid-way never cleaned it up."""
    import subprocess
    import sys

    from feedstation.publish.site import search

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    orphan = tmp_path / f"{search.SCRATCH_PREFIX}{gone.stdout.strip()}-abc123"
    alive = tmp_path / f"{search.SCRATCH_PREFIX}1-def456"  # pid 1 is running: not ours to judge
    unrelated = tmp_path / f"{search.SCRATCH_PREFIX}x-notes"
    for folder in (orphan, alive, unrelated):
        (folder / "bundle").mkdir(parents=True)
    monkeypatch.setattr(search, "scratch_folder", lambda: tmp_path)
    runs = search.ShardRuns(tmp_path, {}, jobs=1)
    runs.close()
    assert not orphan.exists() and alive.exists() and unrelated.exists()
