"""Output feeds: parsed back with feedparser, lxml and json, checked against RFC 4287 / RSS 2.0 / JSON Feed 1.1."""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedstation.models import SiteSettings, StoredEntry
from feedstation.publish.feeds import (
    ATOM_NS,
    FeedInfo,
    entry_id,
    format_rfc3339,
    format_rfc822,
    item_url,
    render_atom,
    render_json_feed,
    render_rss,
    xml_text,
)

UTC = timezone.utc
UPDATED = datetime(2024, 5, 2, 9, 0, 0, tzinfo=UTC)
PUBLISHED = datetime(2024, 5, 1, 8, 30, 15, tzinfo=UTC)
A = f"{{{ATOM_NS}}}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$"
)
HOSTILE = 'Boom ]]> \x00\x1b\ud800 </title><script>alert(1)</script> & "q" 😀'
HOSTILE_CLEAN = 'Boom ]]>  </title><script>alert(1)</script> & "q" 😀'
RENDERERS = [render_atom, render_rss, render_json_feed]
XML_RENDERERS = [render_atom, render_rss]


def make_entry(**changes: object) -> StoredEntry:
    entry = StoredEntry(
        id=7,
        feed_id=3,
        category="社交媒体",
        site="知乎",
        channel="热榜",
        identity="https://www.zhihu.com/question/1",
        title='Tom & "Jerry" <3 知乎热榜 🎉',
        link="https://www.zhihu.com/question/1",
        author="张三",
        published=PUBLISHED,
        updated=None,
        first_seen=PUBLISHED,
        last_seen=PUBLISHED,
        summary="",
        content='<p>你好 &amp; <a href="https://example.org/">link</a> <b>bold</b></p>',
        image="https://pic.example.org/lead.jpg",
        content_hash="h1",
    )
    return replace(entry, **changes)


def info_for(suffix: str) -> FeedInfo:
    return FeedInfo(
        title="小冰 RSSHub · 社交媒体 › 知乎",
        site_url="https://news.example.com/c/social/zhihu/",
        feed_url=f"https://news.example.com/c/social/zhihu/{suffix}",
        description="知乎 & friends",
    )


PAGE = "https://news.example.com/e/7.html"


def timestamp(parsed: object) -> int:
    return calendar.timegm(parsed)  # feedparser gives UTC struct_time


# --- Atom ------------------------------------------------------------------------------


def test_atom_round_trips_through_feedparser():
    updated_entry = make_entry(updated=PUBLISHED + timedelta(hours=2))
    doc = feedparser.parse(render_atom(info_for("atom.xml"), [(updated_entry, PAGE)], updated=UPDATED))

    assert doc.bozo == 0, doc.get("bozo_exception")
    assert doc.version == "atom10"
    assert doc.feed.title == "小冰 RSSHub · 社交媒体 › 知乎"
    assert doc.feed.subtitle == "知乎 & friends"
    assert timestamp(doc.feed.updated_parsed) == UPDATED.timestamp()
    entry = doc.entries[0]
    assert entry.title == 'Tom & "Jerry" <3 知乎热榜 🎉'
    assert entry.link == "https://www.zhihu.com/question/1"
    assert {(l.rel, l.href) for l in entry.links} == {
        ("alternate", "https://www.zhihu.com/question/1"),
        ("related", PAGE),
    }
    assert entry.id == entry_id(updated_entry)
    assert timestamp(entry.published_parsed) == PUBLISHED.timestamp()
    assert timestamp(entry.updated_parsed) == (PUBLISHED + timedelta(hours=2)).timestamp()
    assert entry.content[0].value == updated_entry.content
    assert entry.content[0].type == "text/html"
    assert [t.term for t in entry.tags] == ["社交媒体", "知乎", "热榜"]
    assert entry.author == "张三"
    assert entry.media_thumbnail[0]["url"] == "https://pic.example.org/lead.jpg"


def test_atom_has_rfc4287_essentials():
    entries = [(make_entry(), PAGE), (make_entry(identity="b", author=None, link=None, image=None), PAGE + "?b")]
    root = etree.fromstring(render_atom(info_for("atom.xml"), entries, updated=UPDATED))

    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, name
    assert RFC3339.match(root.findtext(A + "updated"))
    self_links = [l for l in root.findall(A + "link") if l.get("rel") == "self"]
    assert [l.get("href") for l in self_links] == ["https://news.example.com/c/social/zhihu/atom.xml"]
    # §4.1.1: the feed must carry an author because one entry has none.
    assert root.findtext(f"{A}author/{A}name") == "小冰 RSSHub · 社交媒体 › 知乎"
    items = root.findall(A + "entry")
    assert len(items) == 2
    for item in items:
        for name in ("id", "title", "updated"):
            assert len(item.findall(A + name)) == 1, name
        assert RFC3339.match(item.findtext(A + "updated"))
        assert item.findtext(A + "id").startswith("urn:uuid:")
    # No original link: our page is the alternate link, and no rel=related duplicate.
    assert [(l.get("rel"), l.get("href")) for l in items[1].findall(A + "link")] == [("alternate", PAGE + "?b")]


def test_atom_summary_is_written_only_when_it_differs_from_content():
    with_summary = make_entry(summary="<p>short</p>")
    doc = feedparser.parse(render_atom(info_for("atom.xml"), [(with_summary, PAGE)], updated=UPDATED))
    assert doc.entries[0].summary == "<p>short</p>"
    assert doc.entries[0].content[0].value == with_summary.content

    root = etree.fromstring(render_atom(info_for("atom.xml"), [(make_entry(), PAGE)], updated=UPDATED))
    assert root.find(f"{A}entry/{A}summary") is None


# --- RSS 2.0 ---------------------------------------------------------------------------


def test_rss_round_trips_through_feedparser():
    entry = make_entry(summary="<p>short &amp; sweet</p>")
    raw = render_rss(info_for("rss.xml"), [(entry, PAGE)], updated=UPDATED)
    doc = feedparser.parse(raw)

    assert doc.bozo == 0, doc.get("bozo_exception")
    assert doc.version == "rss20"
    assert doc.feed.title == "小冰 RSSHub · 社交媒体 › 知乎"
    assert doc.feed.link == "https://news.example.com/c/social/zhihu/"
    assert doc.feed.description == "知乎 & friends"
    item = doc.entries[0]
    assert item.title == 'Tom & "Jerry" <3 知乎热榜 🎉'
    assert item.link == "https://www.zhihu.com/question/1"
    assert item.id == entry_id(entry)
    assert item.guidislink is False
    assert timestamp(item.published_parsed) == PUBLISHED.timestamp()
    assert item.summary == "<p>short &amp; sweet</p>"
    assert item.content[0].value == entry.content
    assert [t.term for t in item.tags] == ["社交媒体", "知乎", "热榜"]
    assert item.author == "张三"
    assert item.media_thumbnail[0]["url"] == "https://pic.example.org/lead.jpg"
    assert b"CDATA" not in raw


def test_rss_channel_has_required_elements_and_english_rfc822_dates():
    info = replace(info_for("rss.xml"), description="")
    root = etree.fromstring(render_rss(info, [(make_entry(link=None), PAGE)], updated=UPDATED))

    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == info.title
    assert channel.findtext("link") == info.site_url
    assert channel.findtext("description") == info.title  # required, so the title stands in
    assert channel.find(f"{A}link").get("rel") == "self"
    assert channel.find(f"{A}link").get("href") == info.feed_url
    assert channel.findtext("lastBuildDate") == "Thu, 02 May 2024 09:00:00 GMT"
    item = channel.find("item")
    assert RFC822.match(item.findtext("pubDate"))
    assert item.findtext("link") == PAGE  # no original link: our page


def test_dates_convert_to_utc_and_rejects_naive_datetimes():
    shanghai = timezone(timedelta(hours=8))
    assert format_rfc822(datetime(2024, 1, 1, 7, 0, tzinfo=shanghai)) == "Sun, 31 Dec 2023 23:00:00 GMT"
    assert format_rfc3339(datetime(2024, 1, 1, 7, 0, 5, 999, tzinfo=shanghai)) == "2023-12-31T23:00:05Z"
    assert format_rfc3339(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00Z"
    with pytest.raises(ValueError, match="aware UTC"):
        render_rss(info_for("rss.xml"), [(make_entry(published=datetime(2024, 1, 1)), PAGE)], updated=UPDATED)


# --- JSON Feed 1.1 ---------------------------------------------------------------------


def test_json_feed_has_the_1_1_shape():
    entry = make_entry(updated=PUBLISHED + timedelta(days=1))
    bare = make_entry(identity="bare", link=None, author=None, image=None, content="", summary="<p>s</p>")
    doc = json.loads(render_json_feed(info_for("feed.json"), [(entry, PAGE), (bare, PAGE + "?2")], updated=UPDATED))

    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "小冰 RSSHub · 社交媒体 › 知乎"
    assert doc["home_page_url"] == "https://news.example.com/c/social/zhihu/"
    assert doc["feed_url"] == "https://news.example.com/c/social/zhihu/feed.json"
    assert doc["language"] == "zh-CN"
    assert isinstance(doc["items"], list) and len(doc["items"]) == 2
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item["content_html"], str)
        assert RFC3339.match(item["date_published"])
    first, second = doc["items"]
    assert first["id"] == entry_id(entry)
    assert first["url"] == "https://www.zhihu.com/question/1"
    assert first["title"] == 'Tom & "Jerry" <3 知乎热榜 🎉'
    assert first["content_html"] == entry.content
    assert datetime.fromisoformat(first["date_published"]) == PUBLISHED
    assert datetime.fromisoformat(first["date_modified"]) == PUBLISHED + timedelta(days=1)
    assert first["authors"] == [{"name": "张三"}]
    assert first["tags"] == ["社交媒体", "知乎", "热榜"]
    assert first["image"] == "https://pic.example.org/lead.jpg"
    assert second["url"] == PAGE + "?2"
    assert second["content_html"] == "<p>s</p>"  # no content: the summary stands in
    assert {"authors", "image", "date_modified"}.isdisjoint(second)


# --- Hostile text, determinism, ids ----------------------------------------------------


@pytest.mark.parametrize("render", XML_RENDERERS, ids=lambda f: f.__name__)
def test_hostile_title_gives_well_formed_xml(render):
    entry = make_entry(title=HOSTILE, author="a\x07b", content="<p>x</p><script>bad()</script>]]>")
    info = replace(info_for("x.xml"), title=HOSTILE)
    raw = render(info, [(entry, PAGE)], updated=UPDATED)

    root = etree.fromstring(raw)  # raises if not well-formed
    assert not list(root.iter("{*}script", "script"))
    assert b"<script" not in raw
    doc = feedparser.parse(raw)
    assert doc.bozo == 0, doc.get("bozo_exception")
    assert doc.feed.title == HOSTILE_CLEAN
    assert doc.entries[0].title == HOSTILE_CLEAN
    assert doc.entries[0].author == "ab"


def test_hostile_title_gives_valid_utf8_json():
    raw = render_json_feed(info_for("feed.json"), [(make_entry(title=HOSTILE), PAGE)], updated=UPDATED)
    assert json.loads(raw.decode("utf-8"))["items"][0]["title"] == HOSTILE_CLEAN


@settings(max_examples=200, deadline=None)
@given(title=st.text())
def test_any_title_survives_every_xml_format(title):
    for render, path in ((render_atom, f"{A}entry/{A}title"), (render_rss, "channel/item/title")):
        root = etree.fromstring(render(info_for("x"), [(make_entry(title=title), PAGE)], updated=UPDATED))
        assert (root.findtext(path) or "") == xml_text(title)


def test_xml_text_strips_only_characters_illegal_in_xml():
    illegal = "\x00\x08\x0b\x0c\x1b\x1f\ud800\udfff\ufffe\uffff"
    assert xml_text(f"a\tb\nc\rd{illegal}é😀\ue000") == "a\tb\nc\rdé😀\ue000"
    assert xml_text(None) == ""


@pytest.mark.parametrize("render", RENDERERS, ids=lambda f: f.__name__)
def test_rendering_is_deterministic(render):
    entries = [(make_entry(), PAGE), (make_entry(identity="two", title="二"), PAGE + "2")]
    assert render(info_for("f"), entries, updated=UPDATED) == render(info_for("f"), list(entries), updated=UPDATED)


@pytest.mark.parametrize("render", RENDERERS, ids=lambda f: f.__name__)
def test_empty_feed_is_valid(render):
    raw = render(info_for("f"), [], updated=UPDATED)
    if render is render_json_feed:
        assert json.loads(raw)["items"] == []
    else:
        doc = feedparser.parse(raw)
        assert doc.bozo == 0 and doc.entries == [] and doc.feed.title == "小冰 RSSHub · 社交媒体 › 知乎"


def test_entry_id_depends_only_on_tree_and_identity():
    base = make_entry()
    rebuilt = make_entry(id=99, feed_id=42, title="new", content="changed", last_seen=UPDATED, content_hash="h2")
    assert entry_id(base) == entry_id(rebuilt)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry_id(base))
    changes = ({"identity": "other"}, {"category": "科技"}, {"site": "微博"}, {"channel": "日报"})
    others = {entry_id(make_entry(**change)) for change in changes}
    assert entry_id(base) not in others and len(others) == 4
    # The joiner cannot be forged by moving text between levels.
    assert entry_id(make_entry(site="a", channel="bc")) != entry_id(make_entry(site="ab", channel="c"))


def test_categories_drop_repeats_and_blanks():
    entry = make_entry(category="知乎", site="知乎", channel=" ")
    doc = feedparser.parse(render_atom(info_for("a"), [(entry, PAGE)], updated=UPDATED))
    assert [t.term for t in doc.entries[0].tags] == ["知乎"]
    item = json.loads(render_json_feed(info_for("j"), [(entry, PAGE)], updated=UPDATED))["items"][0]
    assert item["tags"] == ["知乎"]


def test_item_url_joins_and_percent_encodes():
    site = SiteSettings(url="https://news.example.com/")
    assert item_url(site, "e/7.html") == "https://news.example.com/e/7.html"
    encoded = "https://h.example/sub/c/%E7%A4%BE%E4%BA%A4%20%E5%AA%92%E4%BD%93/"
    assert item_url(SiteSettings(url="https://h.example/sub"), "/c/社交 媒体/") == encoded
    assert item_url(site, "c/a%20b/?q=1#x") == "https://news.example.com/c/a%20b/?q=1#x"


def test_also_from_links_escape_labels_and_encode_urls():
    from feedstation.publish.feeds import also_from_html

    assert also_from_html([], "zh-CN") == ""
    assert also_from_html([("<b>知乎</b>", "https://e.com/a b"), ("36氪", "https://e.com/c")], "zh-CN") == (
        '<p>另见：<a href="https://e.com/a%20b">&lt;b&gt;知乎&lt;/b&gt;</a> · <a href="https://e.com/c">36氪</a></p>')
    assert also_from_html([("BBC", "https://e.com/x")], "en").startswith("<p>Also from: <a ")
