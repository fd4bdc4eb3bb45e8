"""`hexo.dedupe` through a real run (local feed files → SQLite → Hexo posts): off by default, one post per story when on."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from feedstation import pipeline
from feedstation.config import load_config
from feedstation.store import Store

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate>"
                   f"<description>{t}</description></item>" for t, link, d in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'


def run(tmp_path: Path, hexo: dict) -> list[str]:
    feeds = tmp_path / "feeds"
    feeds.mkdir(exist_ok=True)
    (feeds / "a.xml").write_text(rss([
        ("比亚迪11月新能源汽车销量50.6万辆，同比增长12%", "https://www.cls.cn/detail/1880001?utm_source=rss",
         "Tue, 01 Dec 2026 02:00:00 GMT"),
        ("理想汽车11月交付新车5.2万辆", "https://www.cls.cn/detail/1880002", "Tue, 01 Dec 2026 02:10:00 GMT")]),
        encoding="utf-8")
    (feeds / "b.xml").write_text(rss([
        ("比亚迪：11月新能源汽车销量50.6万辆，同比增长12%", "https://m.cls.cn/detail/1880001",
         "Tue, 01 Dec 2026 03:00:00 GMT")]), encoding="utf-8")
    config = tmp_path / "feedstation.yaml"
    tree = {"财经": {"财联社": {"电报": str(feeds / "a.xml")}, "转载": {"快讯": str(feeds / "b.xml")}}}
    config.write_text(json.dumps({"storage": "history.db", "output": {"site": None, "hexo": "posts"}, "hexo": hexo,
                                  "sources": tree}, ensure_ascii=False), encoding="utf-8")
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        pipeline.fetch_all(cfg, store, now=lambda: NOW)
        pipeline.publish_all(cfg, store, now=lambda: NOW)
    return sorted(p.read_text(encoding="utf-8").split("title: ", 1)[1].splitlines()[0]
                  for p in (tmp_path / "posts").rglob("*.md"))


def test_hexo_export_keeps_one_post_per_item_by_default(tmp_path):
    assert len(run(tmp_path, {})) == 3


def test_hexo_dedupe_exports_each_story_once_and_removes_the_later_copy_it_wrote(tmp_path):
    assert len(run(tmp_path, {})) == 3
    titles = run(tmp_path, {"dedupe": True})
    assert len(titles) == 2
    assert not any(t.startswith("比亚迪：") for t in titles), "the later copy's post is removed, the earliest stays"
