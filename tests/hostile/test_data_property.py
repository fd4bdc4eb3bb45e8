"""Issue 11 property: random hostile-but-valid feeds (RSS 2.0, Atom, JSON Feed) through `run` always exit 0,
publish every entry, store no duplicates, and a re-fetch finds the same identities.

Every generated item differs from every other in exactly the fields hypothesis picked (a unique
marker sits in one random field: title, author, description or enclosure), and some items are
repeated byte for byte, which must merge. Dates range over years 1–9999 and the far future.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedstation.cli import main
from feedstation.store import Store
from tests.hostile.support import posts, write_config
from tests.loopback import LoopbackServer

# Characters XML 1.0 allows (so the feed stays valid), weighted towards the troublesome ones.
XML_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("<>&\"' \t\n;:/\\{}%#@!`$~*"), st.sampled_from("知乎热榜中文😀\u200b\u202e\ufeff"),
                       st.characters(min_codepoint=0x20, max_codepoint=0xD7FF)),
    max_size=40,
)
HTML_BITS = st.sampled_from([
    "<script>alert(1)</script>", '<img src="https://img.example.com/a.png" onerror="alert(1)" loading="eager">',
    '<p style="color: red; position: fixed; background: url(javascript:alert(1))">s</p>',
    '<a href="javascript:alert(1)">x</a>', "<![CDATA[ nested ]]>", "&amp;lt;b&amp;gt;", "<!-- c -->", "",
    '<svg onload="alert(1)"></svg>', "<b>{{ nunjucks }}</b>", "---\ntitle: x\n---",
])
DATES = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(timezone.utc)),
    st.sampled_from([datetime(2099, 1, 1, tzinfo=timezone.utc), datetime(1970, 1, 1, tzinfo=timezone.utc),
                     datetime(103, 12, 13, 18, 30, 2, tzinfo=timezone.utc)]),
)


@st.composite
def items(draw, index: int) -> dict:
    """One item's fields (None: left out); a unique marker sits in the field `where` names."""
    marker = f"m{index}q"
    where = draw(st.sampled_from(["title", "author", "description", "enclosure"]))
    title = draw(st.one_of(st.none(), XML_TEXT))
    author = draw(st.one_of(st.none(), XML_TEXT))
    body = draw(XML_TEXT) + draw(HTML_BITS) + (f"<p>{marker}</p>" if where == "description" else "")
    enclosure = None
    if where == "enclosure" or draw(st.booleans()):
        name = marker if where == "enclosure" else f"shared{draw(st.integers(0, 2))}"
        enclosure = f"https://media.example.com/{name}.mp3"
    return {
        "title": (title or "") + (" " + marker) if where == "title" else title,
        "guid": f"guid-{index}" if draw(st.booleans()) else None,
        "link": f"https://example.com/{index}/{draw(XML_TEXT)}" if draw(st.booleans()) else None,
        "author": (author or "") + (" " + marker) if where == "author" else author,
        "date": draw(DATES),
        "body": body if body.strip() or draw(st.booleans()) else None,
        "enclosure": enclosure,
        "order": draw(st.randoms(use_true_random=False)),
    }


def _link(url: str) -> str:
    return url.replace(" ", "%20")


def rss_item(item: dict) -> str:
    parts = []
    if item["title"] is not None:
        parts.append(f"<title>{escape(item['title'])}</title>")
    if item["guid"]:
        parts.append(f"<guid isPermaLink='false'>{item['guid']}</guid>")
    if item["link"]:
        parts.append(f"<link>{escape(_link(item['link']))}</link>")
    if item["author"] is not None:
        parts.append(f"<author>{escape(item['author'])}</author>")
    when = item["date"]
    if when is not None:
        # Atom-style ISO in dc:date for years RFC 822 cannot spell; RFC 822 pubDate otherwise.
        if when.year >= 1900:
            parts.append(f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>")
        else:
            parts.append(f"<dc:date>{_iso(when)}</dc:date>")
    if item["body"] is not None:
        parts.append(f"<description>{escape(item['body'])}</description>")
    if item["enclosure"]:
        parts.append(f'<enclosure url="{item["enclosure"]}" type="audio/mpeg" length="1"/>')
    item["order"].shuffle(parts)
    return "<item>" + "".join(parts) + "</item>"


def atom_entry(item: dict) -> str:
    parts = []
    if item["title"] is not None:
        parts.append(f"<title>{escape(item['title'])}</title>")
    if item["guid"]:
        parts.append(f"<id>urn:{item['guid']}</id>")
    if item["link"]:
        parts.append(f'<link href="{escape(_link(item["link"]))}"/>')
    if item["author"] is not None:
        parts.append(f"<author><name>{escape(item['author'])}</name></author>")
    if item["date"] is not None:
        parts.append(f"<updated>{_iso(item['date'])}</updated>")
    if item["body"] is not None:
        parts.append(f'<content type="html">{escape(item["body"])}</content>')
    if item["enclosure"]:
        parts.append(f'<link rel="enclosure" href="{item["enclosure"]}" type="audio/mpeg" length="1"/>')
    item["order"].shuffle(parts)
    return "<entry>" + "".join(parts) + "</entry>"


def json_item(item: dict) -> dict:
    out = {}
    if item["title"] is not None:
        out["title"] = item["title"]
    if item["guid"]:
        out["id"] = item["guid"]
    if item["link"]:
        out["url"] = _link(item["link"])
    if item["author"] is not None:
        out["authors"] = [{"name": item["author"]}]
    if item["date"] is not None:
        out["date_published"] = _iso(item["date"])
    if item["body"] is not None:
        out["content_html"] = item["body"]
    if item["enclosure"]:
        out["attachments"] = [{"url": item["enclosure"], "mime_type": "audio/mpeg", "size_in_bytes": 1}]
    return out


def _iso(when: datetime) -> str:
    return f"{when.year:04d}-{when:%m-%dT%H:%M:%S}Z"


@st.composite
def feeds(draw) -> tuple[bytes, int]:
    """An RSS 2.0, Atom or JSON Feed document of 1–5 distinct items, some repeated byte for byte."""
    count = draw(st.integers(1, 5))
    unique = [draw(items(i)) for i in range(count)]
    fmt = draw(st.sampled_from(["rss", "atom", "json"]))
    rendered = [{"rss": rss_item, "atom": atom_entry, "json": json_item}[fmt](item) for item in unique]
    repeats = draw(st.lists(st.sampled_from(rendered), max_size=2))
    order = draw(st.permutations(rendered + repeats))
    title = draw(XML_TEXT)
    if fmt == "json":
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title,
                           "home_page_url": "https://example.com/", "items": order}, ensure_ascii=False)
    elif fmt == "atom":
        body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{escape(title)}</title><id>urn:random</id><updated>2026-06-01T00:00:00Z</updated>"
                '<link href="https://example.com/"/>' + "".join(order) + "</feed>")
    else:
        body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<channel><title>{escape(title)}</title><link>https://example.com/</link>"
                + "".join(order) + "</channel></rss>")
    return body.encode("utf-8"), count


@pytest.fixture(scope="module")
def server():
    yield from LoopbackServer.fixture()


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feeds())
def test_random_hostile_feeds_always_publish_every_entry_once(server, new_store_target, feed):
    body, distinct = feed
    server.serve("/random.xml", body)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        storage = new_store_target()  # a fresh store per example, on each dialect
        config = str(write_config(folder, {"随机": {"站": {"频道": server.url("/random.xml")}}}, storage=storage))
        first = CliRunner().invoke(main, ["run", "--config", config], env={"COLUMNS": "250"})
        assert first.exit_code == 0, first.output[-3000:]
        with Store.open(storage) as store:
            identities = sorted(e.identity for e in store.iter_entries())
        assert len(identities) == distinct, body.decode()  # distinct items apart, repeated ones merged
        assert len(posts(folder / "posts")) == distinct
        assert len(list((folder / "public" / "item").rglob("*.html"))) == distinct
        again = CliRunner().invoke(main, ["run", "--config", config, "--force"], env={"COLUMNS": "250"})
        assert again.exit_code == 0, again.output[-3000:]
        assert "0 new items, 0 updated" in again.output
        with Store.open(storage) as store:
            assert sorted(e.identity for e in store.iter_entries()) == identities
