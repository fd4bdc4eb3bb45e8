"""OPML 2.0 export: parsed back with lxml; grouping, order, and which sources get listed."""

from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from feedstation.models import Source
from feedstation.publish.opml import render_opml

CREATED = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)

SOURCES = [
    Source("社交媒体", "知乎", "热榜", "https://rsshub.example.org/zhihu/hotlist"),
    Source("科技", "少数派", "首页", "https://sspai.com/feed"),
    Source("社交媒体", "微博", "热搜", "https://rsshub.example.org/weibo/search/hot"),
    Source("社交媒体", "知乎", "日报", "https://rsshub.example.org/zhihu/daily?a=1&b=2"),
    Source("本地", "文件", "样例", "/srv/feeds/sample.xml"),
    Source("社交媒体", "微博", "未解析", "rsshub:/weibo/user/1"),
]


def outline_tree(raw: bytes) -> list[tuple[str, list[tuple[str, list[dict[str, str]]]]]]:
    body = etree.fromstring(raw).find("body")
    return [
        (cat.get("text"), [(site.get("text"), [dict(leaf.attrib) for leaf in site]) for site in cat])
        for cat in body
    ]


def test_opml_is_version_2_with_a_head():
    root = etree.fromstring(render_opml("小冰 & 朋友", SOURCES, created=CREATED))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "小冰 & 朋友"
    assert root.findtext("head/dateCreated") == "Wed, 01 May 2024 08:30:00 GMT"


def leaf(channel: str, url: str) -> dict[str, str]:
    return {"type": "rss", "text": channel, "title": channel, "xmlUrl": url}


def test_opml_nests_category_site_channel_in_first_seen_order():
    hub = "https://rsshub.example.org"
    assert outline_tree(render_opml("t", SOURCES, created=CREATED)) == [
        (
            "社交媒体",
            [
                ("知乎", [leaf("热榜", f"{hub}/zhihu/hotlist"), leaf("日报", f"{hub}/zhihu/daily?a=1&b=2")]),
                ("微博", [leaf("热搜", f"{hub}/weibo/search/hot")]),
            ],
        ),
        ("科技", [("少数派", [leaf("首页", "https://sspai.com/feed")])]),
    ]


def test_opml_omits_local_and_unresolved_sources_and_empty_groups():
    raw = render_opml("t", SOURCES, created=CREATED)
    root = etree.fromstring(raw)
    texts = [o.get("text") for o in root.iter("outline")]
    assert "本地" not in texts and "样例" not in texts and "未解析" not in texts
    leaves = [o for o in root.iter("outline") if o.get("type") == "rss"]
    assert len(leaves) == 4
    assert all(o.get("xmlUrl", "").startswith(("http://", "https://")) for o in leaves)
    # Every leaf is exactly three levels below <body>.
    assert all(o.getparent().getparent().getparent().tag == "body" for o in leaves)


def test_opml_is_deterministic_and_survives_hostile_names():
    hostile = [Source('a"<>&\x00\ud800', "s\x1b", "c]]>", "https://x.example/f?a=1&b=<2>")]
    raw = render_opml("t\x07", hostile, created=CREATED)
    assert raw == render_opml("t\x07", list(hostile), created=CREATED)
    root = etree.fromstring(raw)
    assert root.findtext("head/title") == "t"
    leaf = root.find("body/outline/outline/outline")
    assert root.find("body/outline").get("text") == 'a"<>&'
    assert leaf.get("text") == "c]]>"
    assert leaf.get("xmlUrl") == "https://x.example/f?a=1&b=<2>"


def test_opml_with_no_sources_has_an_empty_body():
    root = etree.fromstring(render_opml("t", [], created=CREATED))
    assert root.find("body") is not None and len(root.find("body")) == 0
