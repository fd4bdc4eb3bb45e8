"""The lxml fast path gives exactly the feedparser adapter's ParsedFeed whenever it does not fall back."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from lxml import etree

from feedstation.errors import ParseError
from feedstation.parse import fast_xml, parse_feed
from feedstation.parse.sniff import detect_format
from feedstation.parse.xml_feed import parse_xml_feed
from feedstation.parse.xml_guard import refuse_declared_entities
from tests.corpora import feedparser_corpus, feedparser_corpus_files

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FIXTURES = sorted(p for p in FEEDS.iterdir() if p.is_file() and not p.name.endswith(".expected.json"))
CORPUS = feedparser_corpus()  # from feedparser's sdist on PyPI, cached (tests/corpora.py)
CORPUS_FILES = feedparser_corpus_files()
XML_FORMATS = ("rss", "atom", "rdf")


def xml_body(path: Path) -> tuple[bytes, str] | None:
    """The body and sniffed format when parse_feed would hand it to an XML reader, else None."""
    body = path.read_bytes()
    fmt = detect_format(body)
    if fmt not in XML_FORMATS:
        return None
    try:
        refuse_declared_entities(body)
    except ParseError:
        return None
    return body, fmt


def assert_same_as_feedparser(body: bytes, fmt: str, content_type: str | None = None) -> bool:
    """True if the fast path applied (and then matched feedparser exactly); False if it fell back."""
    fast = fast_xml.parse(body, fmt, content_type=content_type)
    if fast is None:
        return False
    try:
        slow = parse_xml_feed(body, fmt, content_type=content_type)
    except ParseError as exc:
        pytest.fail(f"fast path read a document feedparser refuses: {exc}")
    assert fast == slow
    return True


def test_corpus_is_present():
    # Fail, not skip: without the corpus the equality test below would check nothing.
    assert CORPUS.is_dir(), f"feed corpus missing at {CORPUS}"
    assert len(CORPUS_FILES) > 500


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_fast_path_equals_feedparser(path):
    found = xml_body(path)
    if found is not None:
        assert_same_as_feedparser(*found)


def test_corpus_fast_path_equals_feedparser():
    taken = 0
    for path in CORPUS_FILES:
        found = xml_body(path)
        if found is not None and assert_same_as_feedparser(*found):
            taken += 1
    # The corpus is mostly edge cases, yet hundreds of its files are plain enough for the fast path;
    # a sudden drop means the fast path started falling back on ordinary feeds.
    assert taken > 300


@pytest.mark.parametrize("name", ["zhihu-hotlist.rss", "atom.xml", "rss1.rdf", "relative-urls.rss", "no-dates.rss"])
def test_fast_path_is_taken_for_plain_feeds(name):
    body = (FEEDS / name).read_bytes()
    parsed = fast_xml.parse(body, detect_format(body))
    assert parsed is not None
    assert parsed.entries


@pytest.mark.parametrize("name", ["gbk.rss", "big5.rss", "utf16.xml", "bom-mismatch.xml"])
def test_fast_path_leaves_other_encodings_to_feedparser(name):
    body = (FEEDS / name).read_bytes()
    assert fast_xml.parse(body, detect_format(body)) is None


RSS = (
    '<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel><title>T</title>'
    "<link>https://example.org/</link>{channel}<item><title>A</title><link>https://example.org/a</link>"
    "<description>&lt;p&gt;x&lt;/p&gt;</description>{item}</item></channel></rss>"
)


def rss(doctype: str = "", channel: str = "", item: str = "") -> bytes:
    return RSS.format(doctype=doctype, channel=channel, item=item).encode("utf-8")


@pytest.mark.parametrize(
    "body",
    [
        rss(item="<description>again</description>"),  # a second description becomes content
        rss(item="<Title>case</Title>"),  # feedparser lower-cases element names
        rss(item="<media:title xmlns:media='http://search.yahoo.com/mrss/'>m</media:title>"),
        rss().replace(b"<description>", b'<description type="text">'),  # typed: feedparser may base64 it
        rss(channel='<ttl xml:lang="en">5</ttl>'),  # an attribute makes feedparser keep a dict, not the text
        rss(doctype="<!DOCTYPE rss>"),
        rss().replace(b"</channel>", b""),  # ill-formed
        rss().replace(b'encoding="utf-8"', b'encoding="iso-8859-1"'),
    ],
)
def test_fast_path_falls_back_when_unsure(body):
    assert fast_xml.parse(body, "rss") is None
    parse_feed(body)  # and the whole parse still works (or raises ParseError) through feedparser


def test_http_charset_only_counts_without_a_declaration():
    bare = rss().replace(b'<?xml version="1.0" encoding="utf-8"?>', b"")
    assert fast_xml.parse(bare, "rss", content_type="text/xml; charset=gbk") is None
    assert assert_same_as_feedparser(bare, "rss", content_type="text/xml; charset=utf-8")
    assert assert_same_as_feedparser(rss(), "rss", content_type="text/xml; charset=gbk")


@pytest.mark.parametrize(
    "item",
    [
        '<guid isPermaLink="true">/p/1</guid><enclosure url="m.mp3" type="Audio/MPEG" length="9"/>',
        "<comments>https://example.org/?a=1&amp;amp;b=2&amp;c;</comments><author>me@example.org (Me)</author>",
        "<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        "&lt;b&gt;c&lt;/b&gt;</content:encoded>",
        "<pubDate>Thu, 06 Jan 2022 10:32:27 +0800</pubDate>"
        "<dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>2022-01-06T10:32:27-05:00</dc:date>",
        "<title>cafÃ© \u0093quoted\u0094</title>".replace("<title>", "<comments>").replace("</title>", "</comments>"),
        "<media:group xmlns:media='http://search.yahoo.com/mrss/'><media:content url='i.jpg' medium='image'/>"
        "<media:thumbnail url='t.jpg'/></media:group>",
        '<source url="https://s.example/">Src</source><category domain="d">c</category>',
    ],
)
def test_rss_item_variants_match_feedparser(item):
    assert assert_same_as_feedparser(rss(item=item), "rss")


def test_link_query_repair_matches_feedparser():
    # feedparser turns "&amp;" and "&name;" in a link's text into "&" and "&name".
    body = rss().replace(b"https://example.org/a", b"https://example.org/?a=1&amp;amp;b=2&amp;c;")
    assert assert_same_as_feedparser(body, "rss")
    assert fast_xml.parse(body, "rss").entries[0].link == "https://example.org/?a=1&b=2&c"


def test_mojibake_and_c1_repairs_match_feedparser():
    # feedparser re-decodes UTF-8 read as Latin-1 and maps C1 controls to cp1252 characters.
    body = rss(channel="").replace(b"<title>A</title>", "<title>cafÃ© \u0093q\u0094</title>".encode())
    assert assert_same_as_feedparser(body, "rss")


def test_xml_base_is_replayed_like_feedparser():
    body = rss(channel="").replace(b"<item>", b'<item xml:base="https://b.example/dir/">', 1)
    body = body.replace(b"</channel>", b"<item><title>B</title><guid>rel/2</guid></item></channel>")
    # feedparser does not restore an empty parent base, so the second item inherits the first's.
    assert assert_same_as_feedparser(body, "rss")
    assert fast_xml.parse(body, "rss").entries[1].id == "https://b.example/dir/rel/2"


def _mutate(root: etree._Element, rng: random.Random) -> None:
    texts = ["", " x ", "a &amp; b", "café", "/rel", "http://e.x/?a=1&b=2", "2023-04-30T10:00:00+02:00", "中文"]
    attrs = [
        ("{http://www.w3.org/XML/1998/namespace}base", "http://b.example/d/"), ("type", "html"), ("type", "xhtml"),
        ("isPermaLink", "false"), ("rel", "enclosure"), ("href", "/h"), ("url", "/u"),
    ]  # fmt: skip
    tags = ["title", "link", "guid", "description", "pubDate", "author", "enclosure", "ttl", "id", "summary",
            "content", "{http://www.w3.org/2005/Atom}link", "{http://purl.org/dc/elements/1.1/}creator"]  # fmt: skip
    el = rng.choice(list(root.iter(tag=etree.Element)))
    op = rng.randrange(5)
    parent = el.getparent()
    if op == 0:
        el.text = rng.choice(texts)
    elif op == 1:
        el.set(*rng.choice(attrs))
    elif op == 2:
        etree.SubElement(el, rng.choice(tags)).text = rng.choice(texts)
    elif op == 3 and parent is not None:
        parent.insert(parent.index(el) + 1, copy.deepcopy(el))
    elif op == 4 and parent is not None:
        parent.remove(el)


def test_mutated_fixtures_match_feedparser_whenever_fast_path_applies():
    # A small seeded fuzz: random edits to the plain fixtures, compared wherever the fast path
    # still accepts the result (the search that found the ttl-with-attributes case).
    rng = random.Random(20240101)
    seeds = [(FEEDS / n).read_bytes() for n in ("zhihu-hotlist.rss", "atom.xml", "rss1.rdf", "relative-urls.rss")]
    taken = 0
    for _ in range(400):
        root = etree.fromstring(rng.choice(seeds))
        for _ in range(rng.randrange(1, 4)):
            _mutate(root, rng)
        body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        fmt = detect_format(body)
        if fmt in XML_FORMATS and assert_same_as_feedparser(body, fmt):
            taken += 1
    assert taken > 100
