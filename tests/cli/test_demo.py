"""`feedstation demo`: one command, no network, a complete site and Hexo posts from the shipped sample feeds."""

from __future__ import annotations

import feedparser
import yaml
from click.testing import CliRunner
from lxml import html

from feedstation.cli import main
from feedstation.demo import DEMO_TREE, demo_feeds_dir


def test_demo_ships_rss_atom_and_json_feed_in_chinese_and_english():
    names = sorted(p.name for p in demo_feeds_dir().iterdir())
    assert any(n.endswith(".atom") for n in names) and any(n.endswith(".json") for n in names)
    assert len(DEMO_TREE) >= 3  # several categories


def test_demo_builds_a_complete_site_and_hexo_posts_offline(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    public = folder / "public"
    home = html.fromstring((public / "index.html").read_bytes())
    titles = " ".join(home.xpath("//main//h2//text() | //main//h3//text() | //main//li/a//text()"))  # board or stream
    assert "如何看待 2026 年国产大模型的开源浪潮？" in titles and "How to Work Hard" in titles
    assert home.get("lang") == "zh-CN"
    assert all(img.get("loading") == "lazy" and img.get("referrerpolicy") == "no-referrer" for img in home.iter("img"))
    for feed in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((public / feed).read_bytes())
        assert parsed.bozo == 0 and len(parsed.entries) == 23
    assert (public / "feed.json").exists() and (public / "sources.opml").exists() and (public / "sitemap.xml").exists()
    assert list((public / "pagefind").glob("*/pagefind.js")) and (public / "pagefind" / "shards.js").exists()
    posts = sorted((folder / "source/_posts").rglob("*.md"))
    assert len(posts) == 23
    front = yaml.safe_load(posts[0].read_text(encoding="utf-8").split("---", 2)[1])
    assert front["categories"][0] in DEMO_TREE and front["comments"] is False
    # A second demo run changes nothing on disk.
    again = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"COLUMNS": "200"})
    assert again.exit_code == 0
    assert "23 written" not in again.output and "0 written" in again.output
