"""OPML in: real readers' export shapes, hostile and broken lists, `import opml`, OPML lists as `sources` entries."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.errors import ConfigError
from feedstation.importers.opml_in import read_opml
from feedstation.models import Source
from feedstation.publish.opml import render_opml
from feedstation.store import Store
from tests.loopback import LoopbackServer, Reply

OPML = Path(__file__).parent.parent / "fixtures" / "opml"

READERS = {
    # Miniflux: every feed under a category outline; no `type`; title + text + htmlUrl.
    "miniflux.opml": [(("All", "Miniflux", "Miniflux"), "https://miniflux.app/feed.xml"),
                      (("All", "LWN.net", "LWN.net"), "https://lwn.net/headlines/rss"),
                      (("编程", "阮一峰的网络日志", "阮一峰的网络日志"), "https://www.ruanyifeng.com/blog/atom.xml")],
    # FreshRSS: frss: namespace attributes; an HTML+XPath scraped "feed" is not a feed.
    "freshrss.opml": [(("Uncategorized", "FreshRSS releases", "FreshRSS releases"),
                       "https://github.com/FreshRSS/FreshRSS/releases.atom"),
                      (("新闻", "少数派", "少数派"), "https://sspai.com/feed")],
    # Feedly: OPML 1.0, one feed in two folders (merged into the first).
    "feedly.opml": [(("Tech", "The Verge", "The Verge"), "https://www.theverge.com/rss/index.xml"),
                    (("Tech", "Ars Technica", "Ars Technica"), "https://feeds.arstechnica.com/arstechnica/index"),
                    (("Design", "Smashing Magazine", "Smashing Magazine"), "https://www.smashingmagazine.com/feed/")],
    # Inoreader: a feed outside any folder next to folders.
    "inoreader.opml": [(("其他", "Python Insider", "Python Insider"), "https://pythoninsider.blogspot.com/feeds/posts/default"),
                       (("Blogs", "Paul Graham: Essays", "Paul Graham: Essays"), "http://www.aaronsw.com/2002/feeds/pgessays.rss"),
                       (("Blogs", "Julia Evans", "Julia Evans"), "https://jvns.ca/atom.xml")],
    # NetNewsWire: OPML 1.1 with a comment before the root; a JSON Feed URL.
    "netnewswire.opml": [(("其他", "Daring Fireball", "Daring Fireball"), "https://daringfireball.net/feeds/json"),
                         (("Apple", "Six Colors", "Six Colors"), "https://feedpress.me/sixcolors?type=xml"),
                         (("Apple", "MacStories", "MacStories"), "https://www.macstories.net/feed/")],
    # No `version`, a flat feed with an OPML 2.0 `category` attribute, three nested folders.
    "nested-category-attr.opml": [(("科技", "新闻", "Flat with a category attribute"), "https://example.org/tech.xml"),
                                  (("其他", "Flat without one", "Flat without one"), "https://example.org/plain.xml"),
                                  (("世界", "亚洲 / 东亚", "Deep feed"), "https://example.org/deep.xml")],
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_real_readers_exports_map_to_the_tree(name):
    result = read_opml((OPML / name).read_bytes(), name, from_web=True)
    assert [(f.tree, f.url) for f in result.feeds] == READERS[name]


def test_reader_quirks_are_reported():
    feedly = read_opml((OPML / "feedly.opml").read_bytes(), "feedly.opml", from_web=True)
    assert [str(n) for n in feedly.notes] == [
        "feedly.opml:13: https://www.theverge.com/rss/index.xml is listed again (first at feedly.opml:9); merged into that one"]
    fresh = read_opml((OPML / "freshrss.opml").read_bytes(), "freshrss.opml", from_web=True)
    assert [n.kind for n in fresh.notes] == ["refused"] and "HTML+XPath" in fresh.notes[0].message


def test_hostile_list_from_the_web_gets_a_line_per_problem_and_no_crash():
    result = read_opml((OPML / "hostile.opml").read_bytes(), "hostile.opml", from_web=True)
    assert [(f.tree, f.url) for f in result.feeds] == [
        (("News", "Good", "Good"), "https://example.org/good.xml"),
        (("News", "Good", "Good (2)"), "https://example.org/other.xml")]
    lines = [str(n) for n in result.notes]
    assert any(line.startswith("hostile.opml:8: outline 'Script': refused 'javascript:") for line in lines)
    assert "hostile.opml:9: outline 'Passwords': refused the local location 'file:///etc/passwd' in an OPML list " \
           "from the web; skipped" in lines
    assert any(line.startswith("hostile.opml:10:") and "/etc/shadow" in line for line in lines)
    assert "hostile.opml:11: outline 'A bookmark' has no xmlUrl, so it is not a feed; skipped" in lines
    assert any(line.startswith("hostile.opml:7:") and "listed again" in line for line in lines)
    assert any(line.startswith("hostile.opml:12:") and "'Good (2)'" in line for line in lines)
    # The same file from the user's own disk may name local feed files.
    local = read_opml((OPML / "hostile.opml").read_bytes(), "hostile.opml", from_web=False)
    assert "file:///etc/passwd" in [f.url for f in local.feeds]
    assert not any(f.url.startswith("javascript:") for f in local.feeds)


@pytest.mark.parametrize(("body", "expected"), [
    (b"", "the file is empty"),
    (b"this is not xml", "not well-formed XML"),
    (b"<rss version='2.0'><channel/></rss>", "the root element is <rss>, not <opml>"),
    (b"<opml version='2.0'><head/></opml>", "has no <body>"),
    (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "declares XML entities"),
])
def test_broken_lists_are_a_report_line_not_a_crash(body, expected):
    result = read_opml(body, "list.opml", from_web=True)
    assert result.feeds == () and expected in result.notes[0].message


def test_truncated_list_is_read_leniently_and_says_so():
    result = read_opml((OPML / "malformed.opml").read_bytes(), "malformed.opml", from_web=True)
    assert [f.url for f in result.feeds] == ["https://example.org/a.xml", "https://example.org/b.xml"]
    assert result.notes[0].origin == "malformed.opml:4" and "read leniently" in result.notes[0].message


def test_sources_opml_of_the_site_build_round_trips():
    sources = [Source("社交媒体", "知乎", "知乎热榜", "https://rsshub.example/zhihu/hotlist"),
               Source("社交媒体", "知乎", "知乎日报", "https://rsshub.example/zhihu/daily"),
               Source("博客", "Paul Graham", "Essays", "http://www.aaronsw.com/2002/feeds/pgessays.rss"),
               Source("社交媒体", "微博", "热搜 & <榜>", "https://rsshub.example/weibo/search/hot?a=1&b=2")]
    body = render_opml("站", sources, created=datetime(2026, 12, 1, tzinfo=timezone.utc))
    result = read_opml(body, "sources.opml", from_web=True)
    assert result.notes == ()
    assert sorted((f.tree, f.url) for f in result.feeds) == sorted((s.tree, s.url) for s in sources)


def test_import_opml_writes_a_config_and_merges_into_one(tmp_path):
    out = tmp_path / "feedstation.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", "opml", str(OPML / "inoreader.opml"), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "3 feeds imported in 2 categories" in result.output
    assert {s.url for s in load_config(out).sources()} == {url for _, url in READERS["inoreader.opml"]}
    out.write_text("# my own comment\n" + out.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["import", "opml", str(OPML / "netnewswire.opml"), "--merge", "--config", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# my own comment\n")
    trees = {s.tree for s in load_config(out).sources()}
    assert ("Blogs", "Julia Evans", "Julia Evans") in trees and ("Apple", "MacStories", "MacStories") in trees
    # Merging again adds nothing: every URL is known; the report says so.
    result = runner.invoke(main, ["import", "opml", str(OPML / "netnewswire.opml"), "--merge", "--config", str(out)])
    assert "0 feeds imported" in result.output and "first at the existing config" in " ".join(result.output.split())
    assert out.read_text(encoding="utf-8") == text


def _rss(title: str, *items: str) -> bytes:
    body = "".join(f"<item><title>{i}</title><link>https://example.org/{i}</link><guid>{i}</guid>"
                   f"<pubDate>Thu, 06 Jan 2022 10:32:27 GMT</pubDate></item>" for i in items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>".encode()


def _opml(server: LoopbackServer, *names: str) -> bytes:
    outlines = "".join(f'<outline text="{n}" type="rss" xmlUrl="{server.url("/" + n + ".xml")}"/>' for n in names)
    return f'<opml version="2.0"><body><outline text="站"><outline text="频道组">{outlines}</outline></outline></body></opml>'.encode()


def test_opml_lists_in_sources_are_expanded_and_a_dead_url_keeps_its_feeds(tmp_path):
    with LoopbackServer() as server:
        for name in ("a", "b", "c"):
            server.serve(f"/{name}.xml", body=_rss(name, f"{name}1"))
        (tmp_path / "local.opml").write_bytes(_opml(server, "a"))
        server.serve_sequence("/list.opml", [Reply(body=_opml(server, "b")), Reply(body=_opml(server, "b", "c")),
                                             Reply(status=500)])
        (tmp_path / "feedstation.yaml").write_text(
            "fetch: {allow_private_addresses: true, retries: 0}\n"
            "sources:\n"
            "  本地: local.opml\n"
            "  远程:\n"
            f"    列表: {server.url('/list.opml')}\n"
            "  手写:\n"
            "    站:\n"
            f"      A: {server.url('/a.xml')}\n", encoding="utf-8")
        cfg = load_config(tmp_path / "feedstation.yaml")
        assert [s.tree for s in cfg.sources()] == [("手写", "站", "A")]  # local a.xml is known; remote not downloaded yet

        def run() -> set[tuple[str, str, str]]:
            with Store.open(cfg.storage) as store:
                report = pipeline.fetch_all(cfg, store, force=True)
                assert not report.failed
                return {r.source.tree for r in report.reports}

        assert run() == {("手写", "站", "A"), ("远程", "列表", "b")}
        assert run() == {("手写", "站", "A"), ("远程", "列表", "b"), ("远程", "列表", "c")}  # the list changed
        assert run() == {("手写", "站", "A"), ("远程", "列表", "b"), ("远程", "列表", "c")}  # 500: last good copy
        assert len(server.requests_to("/list.opml")) == 3

        (tmp_path / "local.opml").write_bytes(_opml(server, "a", "c"))
        cfg.forget_sources()
        # c.xml is now in both lists: listed once, in the first place the config order gives it.
        assert [s.tree for s in cfg.sources() if s.url.endswith("/c.xml")] == [("本地", "站 / 频道组", "c")]


def test_opml_list_mistakes_name_the_key(tmp_path):
    cfg_file = tmp_path / "feedstation.yaml"
    cfg_file.write_text("sources:\n  订阅: missing.opml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cfg_file).sources()
    assert "sources.订阅: OPML list not found" in str(caught.value)
    cfg_file.write_text("sources:\n  订阅:\n    站:\n      频道: list.opml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cfg_file)
    assert "sources.订阅.站.频道" in str(caught.value) and "cannot be one channel" in str(caught.value)


def test_an_opml_list_given_as_one_channel_fails_with_a_message_that_says_where_it_goes(tmp_path):
    (tmp_path / "subs.xml").write_bytes((OPML / "miniflux.opml").read_bytes())
    (tmp_path / "feedstation.yaml").write_text("sources:\n  订阅:\n    站:\n      全部: subs.xml\n", encoding="utf-8")
    cfg = load_config(tmp_path / "feedstation.yaml")
    with Store.open(cfg.storage) as store:
        (report,) = pipeline.fetch_all(cfg, store).reports
    assert report.status == "error"
    assert "is an OPML list of feeds, not one feed: give its location in place of a site" in report.error


def test_import_opml_from_a_url_goes_through_the_fetcher_and_refuses_local_locations(tmp_path):
    config = tmp_path / "feedstation.yaml"
    config.write_text("fetch: {allow_private_addresses: true, retries: 0}\nsources:\n  手写:\n    站:\n"
                      "      A: https://example.org/a.xml\n", encoding="utf-8")
    with LoopbackServer() as server:
        server.serve("/hostile.opml", body=(OPML / "hostile.opml").read_bytes())
        result = CliRunner().invoke(main, ["import", "opml", server.url("/hostile.opml"), "--merge",
                                           "--config", str(config)], catch_exceptions=False)
        assert server.requests_to("/hostile.opml")[0].headers["User-Agent"].startswith("feedstation/")
        missing = CliRunner().invoke(main, ["import", "opml", server.url("/nope.opml"), "--merge", "--config", str(config)])
    output = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "refused the local location 'file:///etc/passwd' in an OPML list from the web" in output
    assert "/etc/shadow" in output
    urls = {s.url for s in load_config(config).sources()}
    assert urls == {"https://example.org/a.xml", "https://example.org/good.xml", "https://example.org/other.xml"}
    assert missing.exit_code != 0 and "could not download the OPML list" in missing.output and "404" in missing.output


def test_import_of_a_list_with_no_usable_feed_writes_nothing_and_fails(tmp_path):
    out = tmp_path / "feedstation.yaml"
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<rss/>")
    result = CliRunner().invoke(main, ["import", "opml", str(bad), "-o", str(out)])
    assert result.exit_code == 4 and not out.exists()
    assert "the root element is <rss>, not <opml>" in result.output and "lists no feed" in result.output


def test_a_whole_sources_tree_can_be_one_opml_list(tmp_path):
    (tmp_path / "subs.opml").write_bytes((OPML / "miniflux.opml").read_bytes())
    (tmp_path / "feedstation.yaml").write_text("sources: subs.opml\n", encoding="utf-8")
    cfg = load_config(tmp_path / "feedstation.yaml")
    assert [(s.tree, s.url) for s in cfg.sources()] == READERS["miniflux.opml"]


GBK_LIST = ('<opml version="1.0"><head><title>订阅</title></head><body><outline text="科技">'
            '<outline text="少数派" type="rss" xmlUrl="https://sspai.com/feed"/></outline></body></opml>')


@pytest.mark.parametrize(("body", "declared"), [
    (GBK_LIST.encode("gbk"), "no encoding, so UTF-8"),  # a Windows reader's export with no declaration
    (('<?xml version="1.0" encoding="utf-8"?>' + GBK_LIST).encode("gbk"), "utf-8"),  # a wrong one
    (('<?xml version="1.0" encoding="gb2312"?>' + GBK_LIST.replace("少数派", "少数派·镕")).encode("gb18030"), "gb2312"),
], ids=["undeclared", "labelled-utf-8", "labelled-gb2312"])
def test_a_chinese_list_whose_bytes_are_not_its_declared_encoding_is_read_right_and_says_so(body, declared):
    result = read_opml(body, "subs.opml", from_web=True)
    assert [f.tree[:2] for f in result.feeds] == [("科技", "少数派" + ("·镕" if declared == "gb2312" else ""))]
    assert [str(n) for n in result.notes] == [
        f"subs.opml: its bytes are not in the encoding it declares ({declared}); read as gb18030, check the names"]


def test_a_latin1_list_labelled_utf8_keeps_its_accents():
    body = ('<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><body><outline text="Café">'
            '<outline text="Crème" xmlUrl="https://example.org/c.xml"/></outline></body></opml>').encode("latin-1")
    result = read_opml(body, "l.opml", from_web=True)
    assert [f.tree for f in result.feeds] == [("Café", "Crème", "Crème")]
    assert result.notes[0].kind == "read-as"


def test_every_outline_is_imported_or_reported_and_every_feed_loads(tmp_path):
    body = b"""<opml version="2.0"><body>
      <outline text="Parent feed" xmlUrl="https://example.org/parent.xml">
        <outline text="Child feed" xmlUrl="https://example.org/child.xml"/>
      </outline>
      <outline text="F">
        <outline text="filters" xmlUrl="https://example.org/f.xml"/>
        <outline title="&#x200b;" text="Visible text" xmlUrl="https://example.org/v.xml"/>
        <outline text="&#x200b;" xmlUrl="https://example.org/z.xml"/>
        <outline text="A reading list" xmlUrl="https://example.org/more.opml"/>
        <outline text="Unfilled" xmlUrl="rsshub:/zhihu/people/:id"/>
      </outline>
    </body></opml>"""
    result = read_opml(body, "l.opml", from_web=False)
    assert [(f.tree, f.url) for f in result.feeds] == [
        (("其他", "Parent feed", "Parent feed"), "https://example.org/parent.xml"),
        (("Parent feed", "Child feed", "Child feed"), "https://example.org/child.xml"),  # not dropped
        (("F", "filters (site)", "filters (channel)"), "https://example.org/f.xml"),
        (("F", "Visible text", "Visible text"), "https://example.org/v.xml"),
        (("F", "example.org", "example.org"), "https://example.org/z.xml")]
    lines = [str(n) for n in result.notes]
    assert "l.opml:6: the channel name 'filters' cannot be used in the tree; https://example.org/f.xml is under " \
           "'filters (channel)'" in lines
    assert any(line.startswith("l.opml:9: https://example.org/more.opml looks like an OPML list") for line in lines)
    assert any(line.startswith("l.opml:10: RSSHub route /zhihu/people/:id still holds the parameter :id") for line in lines)
    out = tmp_path / "feedstation.yaml"
    (tmp_path / "l.opml").write_bytes(body)
    result = CliRunner().invoke(main, ["import", "opml", str(tmp_path / "l.opml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(load_config(out).sources()) == 5


def test_many_feeds_of_one_name_are_numbered_in_order():
    outlines = "".join(f'<outline text="Same" xmlUrl="https://example.org/{i}.xml"/>' for i in range(3000))
    result = read_opml(f'<opml version="2.0"><body>{outlines}</body></opml>'.encode(), "l.opml", from_web=True)
    assert [f.channel for f in result.feeds] == ["Same"] + [f"Same ({n})" for n in range(2, 3001)]


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # a billion laughs
    '<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',  # XXE
    '<!DOCTYPE opml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',  # a parameter entity
], ids=["billion-laughs", "xxe", "parameter-entity"])
def test_an_opml_with_entities_is_refused_by_the_cli_with_a_line_and_no_output(tmp_path, doctype):
    (tmp_path / "bomb.opml").write_text(f'<?xml version="1.0"?>{doctype}<opml version="2.0"><body>'
                                        '<outline text="&b;" xmlUrl="https://example.org/a.xml"/></body></opml>')
    result = CliRunner().invoke(main, ["import", "opml", str(tmp_path / "bomb.opml"), "-o", str(tmp_path / "o.yaml")])
    assert result.exit_code == 4 and not (tmp_path / "o.yaml").exists()
    assert "bomb.opml: feed refused: its DOCTYPE declares XML entities" in result.output
