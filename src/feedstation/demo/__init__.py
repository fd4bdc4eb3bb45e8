"""The offline demo: a config over sample feeds that ship inside the package (no network needed)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# category → site → channel → shipped file: RSS 2.0, Atom 1.0 and JSON Feed 1.1, Chinese and English.
# The items are sample text written for the demo (no real articles); the sites' names show what
# the matching RSSHub routes would bring in.
DEMO_TREE = {
    "社交媒体": {"知乎": {"知乎热榜": "zhihu-hotlist.xml"}},
    "编程": {"开源中国": {"资讯": "oschina-news.xml"}, "Hacker News": {"Best": "hn-best.atom"}},
    "新媒体": {"少数派": {"首页": "sspai.json"}},
    "博客": {"Field Notes": {"Essays": "field-notes.xml"}},
}
# The demo items' pictures: WebP files in demo/theme/static/demo/ (drawn by scripts/make_demo_images.py),
# published with the site as /static/demo/<name>.webp through the demo's theme folder; the items
# point at them under the demo's site.url, which `feedstation serve` answers.
DEMO_SITE_URL = "http://127.0.0.1:8000"


def demo_feeds_dir() -> Path:
    return Path(str(resources.files("feedstation").joinpath("demo/feeds")))


def demo_theme_dir() -> Path:
    return Path(str(resources.files("feedstation").joinpath("demo/theme")))


def write_demo_config(folder: Path) -> Path:
    """Write `folder/feedstation.yaml` pointing at the shipped sample feeds; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    feeds = demo_feeds_dir()
    lines = [
        "# Demo config written by `feedstation demo`: sample feeds shipped inside feedstation.",
        f"site: {{title: feedstation 演示站, url: '{DEMO_SITE_URL}', language: zh-CN, timezone: Asia/Shanghai,",
        "       description: 由 feedstation 从示例订阅源生成的离线演示站点,",
        f"       theme: {_yaml_quote(str(demo_theme_dir()))}}}",
        "storage: feedstation.db",
        "output: {site: public, hexo: source/_posts}",
        "sources:",
    ]
    for category, sites in DEMO_TREE.items():
        lines.append(f"  {category}:")
        for site, channels in sites.items():
            lines.append(f"    {site}:")
            for channel, name in channels.items():
                lines.append(f"      {channel}: {_yaml_quote(str(feeds / name))}")
    path = folder / "feedstation.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
