"""Filters through the real pipeline: `run`, `build`, `export hexo` and `filters test` on the CLI, a feed
served on loopback, SQLite. Hidden items are in no page, feed, sitemap, search shard or Hexo post;
changing the filters needs no re-fetch; removing them brings the items back."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedstation.cli import main
from tests.database_reads import db_rows
from tests.loopback import LoopbackServer

ITEMS = [
    ("g1", "【广告】限时优惠 - 来源", "<p>买一送一</p>"),
    ("g2", "Python 3.14 发布 - 来源", "<p>新版本带来 <b>更快</b> 的解释器。</p>"),
    ("g3", "招聘：后端工程师", "<p>欢迎投递</p>"),
    ("g4", "Rust 新版本", "<p>内容里提到 sponsor 一词</p>"),
]
AD, PYTHON, JOB, RUST = (title for _guid, title, _body in ITEMS)
FILTERS = """filters:
  exclude: [广告]
  rewrite:
    - {pattern: "/\\\\s*-\\\\s*来源$/", field: title}
"""
LEAF_FILTERS = "{url: %s, filters: {exclude: [招聘]}}"


def rss(items) -> bytes:
    body = "".join(f"<item><title>{title}</title><guid>{guid}</guid><link>https://news.example.com/{guid}</link>"
                   f"<pubDate>Thu, 06 Jan 2022 10:3{n}:27 GMT</pubDate><description><![CDATA[{html}]]></description>"
                   "</item>" for n, (guid, title, html) in enumerate(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>资讯</title>'
            f"<link>https://news.example.com/</link>{body}</channel></rss>").encode()


@pytest.fixture
def server():
    with LoopbackServer() as s:
        s.serve("/feed.xml", body=rss(ITEMS), headers={"Content-Type": "application/rss+xml"})
        yield s


def write_config(tmp_path: Path, server: LoopbackServer, *, top: str = "", leaf_filters: bool = False) -> Path:
    url = server.url("/feed.xml")
    leaf = LEAF_FILTERS % url if leaf_filters else url
    config = tmp_path / "feedstation.yaml"
    config.write_text(f"""storage: {tmp_path / 'fs.db'}
fetch: {{allow_private_addresses: true, retries: 0}}
rsshub: {{instances: [https://rsshub.example.org]}}
output: {{site: {tmp_path / 'public'}, hexo: {tmp_path / 'posts'}}}
{top}sources:
  科技:
    资讯站:
      快讯: {leaf}
""", encoding="utf-8")
    return config


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def site_text(site: Path) -> str:
    """Every page, feed, sitemap and script of the site, plus the decoded search fragments."""
    parts = []
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".js", ".txt", ".opml"):
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".pf_fragment":
            parts.append(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return "\n".join(parts)


def search_titles(site: Path) -> set[str]:
    titles = set()
    for path in site.glob("pagefind/*/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        titles.add(json.loads(data[len(b"pagefind_dcd"):])["meta"]["title"])
    return titles


def post_titles(posts: Path) -> dict[str, str]:
    """Exported post file name → its front-matter title line."""
    out = {}
    for path in posts.rglob("*.md"):
        title = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
        out[path.name] = title
    return out


def stored_marks(tmp_path: Path) -> dict[str, str | None]:
    return dict(db_rows(tmp_path / "fs.db", "SELECT title, hidden_by FROM entries"))


def test_hidden_items_leave_site_feeds_search_and_hexo_and_come_back_without_a_refetch(tmp_path, server):
    config = write_config(tmp_path, server)
    cli("run", "--config", str(config))
    site, posts = tmp_path / "public", tmp_path / "posts"
    foreign = posts / "科技" / "资讯站" / "快讯" / "my-own-note.md"
    foreign.write_text("---\ntitle: 广告 in a post I wrote myself\n---\n", encoding="utf-8")
    assert search_titles(site) == {AD, PYTHON, JOB, RUST}
    assert len(post_titles(posts)) == 5

    write_config(tmp_path, server, top=FILTERS, leaf_filters=True)
    cli("build", "--config", str(config))
    cli("export", "hexo", "--config", str(config))
    assert len(server.requests_to("/feed.xml")) == 1, "a filter change needs no re-fetch"
    text = site_text(site)
    for title in (AD, JOB):
        assert title not in text and title.removesuffix(" - 来源") not in text
    assert "Python 3.14 发布" in text and PYTHON not in text, "the rewrite strips the trailing source everywhere"
    assert search_titles(site) == {"Python 3.14 发布", RUST}
    for feed in ("atom.xml", "rss.xml", "feed.json"):
        assert "Rust 新版本" in (site / feed).read_text(encoding="utf-8")
        assert "限时优惠" not in (site / feed).read_text(encoding="utf-8")
    titles = post_titles(posts)
    assert foreign.exists(), "a file feedstation did not write is never removed"
    assert sorted(t for name, t in titles.items() if name != foreign.name) == \
        ["title: 'Python 3.14 发布'", "title: 'Rust 新版本'"], titles
    marks = stored_marks(tmp_path)
    assert marks == {AD: "filters.exclude[0]: 广告", PYTHON: None,
                     JOB: "sources.科技.资讯站.快讯.filters.exclude[0]: 招聘", RUST: None}, \
        "stored titles stay as the feed gave them"

    again = cli("build", "--config", str(config))
    assert "(0 written, " in again, "an unchanged filter rebuilds nothing"

    write_config(tmp_path, server)  # filters removed
    cli("build", "--config", str(config))
    cli("export", "hexo", "--config", str(config))
    assert search_titles(site) == {AD, PYTHON, JOB, RUST}
    assert AD in site_text(site)
    assert len(post_titles(posts)) == 5
    assert set(stored_marks(tmp_path).values()) == {None}
    assert len(server.requests_to("/feed.xml")) == 1


def test_a_run_with_filters_never_exports_a_hidden_item(tmp_path, server):
    config = write_config(tmp_path, server, top="filters:\n  include: [Python, Rust]\n"
                                                "  exclude: [{match: sponsor, fields: content}]\n")
    cli("run", "--config", str(config))
    assert search_titles(tmp_path / "public") == {PYTHON}
    assert [name for name in post_titles(tmp_path / "posts")] == [f"{PYTHON}.md"]
    assert stored_marks(tmp_path)[RUST] == "filters.exclude[0]: sponsor", "the content matched, as text"


def test_filters_test_lists_per_rule_what_it_hides_and_rewrites(tmp_path, server):
    config = write_config(tmp_path, server)
    cli("fetch", "--config", str(config))
    write_config(tmp_path, server, top=FILTERS, leaf_filters=True)
    out = cli("filters", "test", "--config", str(config))
    lines = out.splitlines()
    ad_rule = next(line for line in lines if "exclude «广告» in title/content" in line and "feedstation.yaml:6 (filters.exclude[0])" in line)
    assert ad_rule.split()[-2:] == ["1", "0"], ad_rule  # hides 1, rewrites 0
    job_rule = next(line for line in lines if "exclude «招聘»" in line and "feedstation.yaml:12 (sources.科技.资讯站.快讯.filters.exclude[0])" in line)
    assert job_rule.split()[-2:] == ["1", "0"], job_rule
    rewrite_rule = next(line for line in lines if "feedstation.yaml:8 (filters.rewrite[0])" in line)
    assert rewrite_rule.split()[-2:] == ["0", "1"], "the ad also ends in 来源, but a hidden item is not rewritten"
    assert any("hidden: " + AD in line for line in lines), out
    assert any("hidden: " + JOB in line for line in lines), out
    assert any(f"{PYTHON} → Python 3.14 发布" in line for line in lines), out
    assert "4 stored items checked: 2 hidden, 2 shown" in out
    assert set(stored_marks(tmp_path).values()) == {None}, "filters test writes nothing"

    narrowed = cli("filters", "test", "--config", str(config), "--source", "科技 › 资讯站")
    assert "4 stored items checked under 科技 › 资讯站: 2 hidden, 2 shown" in narrowed
    wrong = CliRunner().invoke(main, ["filters", "test", "--config", str(config), "--source", "生活"])
    assert wrong.exit_code == 2 and "--source '生活' names no feed of the config" in wrong.output


def test_filters_test_without_rules_says_so(tmp_path, server):
    config = write_config(tmp_path, server)
    cli("fetch", "--config", str(config))
    out = cli("filters", "test", "--config", str(config))
    assert "has no filter rules: every stored item is shown (4 items)" in out
