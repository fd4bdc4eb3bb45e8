"""Issue 14.5: `hexo.keep` exports only the window and removes only feedstation's own posts that fell out."""

from __future__ import annotations

from datetime import timedelta

from feedstation import pipeline
from feedstation.config import load_config
from feedstation.store import Store
from tests.hostile.support import T0, posts, rss, write_config

ITEMS = 8


def feed_file(folder) -> str:
    path = folder / "feed.xml"
    path.write_bytes(rss("window", [
        {"title": f"item {i}", "link": f"https://example.com/{i}", "guid": f"g{i}", "description": f"<p>{i}</p>",
         "pubDate": (T0 - timedelta(days=i)).strftime("%a, %d %b %Y %H:%M:%S GMT")} for i in range(ITEMS)]))
    return str(path)


def run(folder, keep: str, now=T0):
    config = write_config(folder, {"c": {"s": {"ch": str(folder / "feed.xml")}}}, extra=f"hexo: {{keep: {keep}}}\n")
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        pipeline.fetch_all(cfg, store, now=lambda: now)
        published = pipeline.publish_all(cfg, store, now=lambda: now)
        stored = store.entry_count()
    return published, stored


def titles(folder) -> list[str]:
    return sorted(p.front["title"] for p in posts(folder / "posts") if p.path.name != "mine.md")


def test_window_keeps_exactly_the_newest_posts_and_a_larger_window_brings_the_older_back(tmp_path):
    feed_file(tmp_path)
    published, stored = run(tmp_path, "{posts: 3}")
    assert titles(tmp_path) == ["item 0", "item 1", "item 2"] and stored == ITEMS
    assert published.hexo.written == 3
    # Every item is still on feedstation's own site and in the database.
    assert len(list((tmp_path / "public" / "item").rglob("*.html"))) == ITEMS

    foreign = tmp_path / "posts" / "c" / "s" / "ch" / "mine.md"
    foreign.write_text("\n---\ntitle: mine\n---\n<div>mine</div>\n", encoding="utf-8")
    published, _ = run(tmp_path, "{posts: 5}")
    assert titles(tmp_path) == ["item 0", "item 1", "item 2", "item 3", "item 4"]
    assert (published.hexo.written, published.hexo.unchanged, published.hexo.removed) == (2, 3, 0)

    published, _ = run(tmp_path, "{posts: 2}")
    assert titles(tmp_path) == ["item 0", "item 1"] and published.hexo.removed == 3
    assert foreign.read_text(encoding="utf-8") == "\n---\ntitle: mine\n---\n<div>mine</div>\n"  # not ours: never removed


def test_day_window_moves_with_now_and_both_limits_apply_together(tmp_path):
    feed_file(tmp_path)
    run(tmp_path, "{days: 3}")  # published T0, T0-1d, ..., T0-7d: the last 3 days hold items 0..3
    assert titles(tmp_path) == ["item 0", "item 1", "item 2", "item 3"]
    run(tmp_path, "{days: 3}", now=T0 + timedelta(days=2))
    assert titles(tmp_path) == ["item 0", "item 1"]
    run(tmp_path, "{days: 30, posts: 1}")
    assert titles(tmp_path) == ["item 0"]
