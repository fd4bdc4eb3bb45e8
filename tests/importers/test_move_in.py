"""Moving in end to end: the reference's config and post folder imported, then one `feedstation run` publishes all of it.

Judged by feedstation's real entry points (CLI) against an RSSHub stand-in on loopback that
serves every imported route; the Hexo folder and the site are checked file by file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from feedstation.cli import main
from feedstation.config import load_config
from feedstation.importers.opml_in import read_opml
from feedstation.store import Store
from tests.importers.test_hexo_posts import SEED, SEED_TITLE, reference_post
from tests.loopback import LoopbackServer

REFERENCE = Path(__file__).parent.parent / "fixtures" / "reference"
PG_URL = "http://www.aaronsw.com/2002/feeds/pgessays.rss"
RUANYF_URL = "https://www.ruanyifeng.com/blog/atom.xml"  # a diy `link` given as a full URL


def feed_for(path: str) -> bytes:
    item = (f"<item><title>item of {path}</title><link>https://example.org{path}/1</link>"
            f"<pubDate>Mon, 10 Jan 2022 00:00:00 GMT</pubDate><description>from {path}</description></item>")
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{path}</title>{item}</channel></rss>".encode()


def served_path(url: str) -> str:
    """Where the loopback server answers for an imported location (a route, or an external feed moved there)."""
    if url.startswith("rsshub:"):
        return url[len("rsshub:"):]
    return "/" + url.rsplit("/", 1)[1]


def test_reference_config_and_posts_imported_then_one_run_publishes_every_route_and_post(tmp_path):
    with LoopbackServer() as server:
        # The reference's files, its external feeds pointed at loopback (tests never leave 127.0.0.0/8).
        config_yml = tmp_path / "ref" / "config.yml"
        config_yml.parent.mkdir()
        config_yml.write_text((REFERENCE / "config.yml").read_text(encoding="utf-8")
                              .replace(PG_URL, server.url("/pgessays.rss")), encoding="utf-8")
        (tmp_path / "ref" / "user_config.yml").write_text((REFERENCE / "user_config.yml").read_text(encoding="utf-8")
                                                          .replace(RUANYF_URL, server.url("/ruanyf.xml")), encoding="utf-8")
        posts = tmp_path / "site" / "source" / "_posts"
        (posts / "社交媒体" / "知乎" / "知乎热榜").mkdir(parents=True)
        shutil.copy(SEED, posts / "社交媒体" / "知乎" / "知乎热榜" / f"{SEED_TITLE}.md")
        # ##36氪 has no ### heading: the reference filed its posts under the channel above it (首页).
        (posts / "新媒体" / "36氪" / "首页").mkdir(parents=True)
        (posts / "新媒体" / "36氪" / "首页" / "快讯.md").write_text(reference_post(
            "快讯：旧的一条", ("新媒体", "36氪", "首页"), "Wed, 05 Jan 2022 01:02:03 GMT", "<p>old &#123;news&#125;</p>",
            "https://picsum.photos/400/300?random=5"), encoding="utf-8")

        config = tmp_path / "site" / "feedstation.yaml"
        runner = CliRunner()
        result = runner.invoke(main, ["import", "rsshub-page", str(config_yml), "--user-config",
                                      str(tmp_path / "ref" / "user_config.yml"), "--instance", server.url(""),
                                      "-o", str(config)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        cfg = load_config(config)
        sources = cfg.sources()
        assert len(sources) == 12
        for source in sources:
            server.serve(served_path(source.url), body=feed_for(served_path(source.url)))

        result = runner.invoke(main, ["import", "hexo", str(posts), "--config", str(config)], catch_exceptions=False)
        assert result.exit_code == 0 and ": 2 imported into" in " ".join(result.output.split()), result.output
        assert "新媒体/36氪/首页/快讯.md: filed under 新媒体 › 36氪 › 36氪" in result.output

        result = runner.invoke(main, ["run", "--config", str(config)], catch_exceptions=False)
        assert result.exit_code == 0, result.output

        with Store.open(cfg.storage) as store:
            health = {(h.category, h.site, h.channel): h for h in store.health()}
            titles = {e.title for e in store.iter_entries()}
        assert {s.tree for s in sources} == set(health)
        assert all(h.status == "ok" and h.entry_count >= 1 for h in health.values()), health
        assert {SEED_TITLE, "快讯：旧的一条"} <= titles
        # Hexo: a post for every route's item and for every imported post, each once.
        hexo = [p.read_text(encoding="utf-8") for p in posts.rglob("*.md")]
        for source in sources:
            path = served_path(source.url)
            assert sum(f"item of {path}'" in text for text in hexo) == 1, path
        assert sum(SEED_TITLE in text for text in hexo) == 1
        assert sum("old &#123;news&#125;" in text for text in hexo) == 1
        assert len(hexo) == len(sources) + 2
        assert not (posts / "新媒体" / "36氪" / "首页" / "快讯.md").exists()  # now the 36氪 channel's post
        # The site: every imported route in its OPML (a route at the instance that served it), every imported
        # post on an item page; importing that OPML again gives the same tree and URLs.
        site = cfg.output.site
        opml = read_opml((site / "sources.opml").read_bytes(), "sources.opml", from_web=True)
        assert opml.notes == ()
        assert {(f.tree, f.url) for f in opml.feeds} == {(s.tree, server.url(served_path(s.url))) for s in sources}
        pages = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
        assert SEED_TITLE in pages and "快讯：旧的一条" in pages
        # Merged back into the config it came from, the site's OPML adds nothing: its route URLs are the routes.
        before = config.read_bytes()
        result = runner.invoke(main, ["import", "opml", str(site / "sources.opml"), "--merge", "--config", str(config)],
                               catch_exceptions=False)
        assert "0 feeds imported" in result.output and f"duplicates merged ({len(sources)})" in result.output
        assert config.read_bytes() == before
