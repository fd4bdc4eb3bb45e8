"""safe_url, and unsafe URLs outside content (link, enclosure, thumbnail, author) being dropped."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from urllib.parse import urljoin

import pytest

from feedstation.models import Enclosure, ParsedEntry, ParsedFeed
from feedstation.normalize import normalize_entries
from feedstation.normalize import urls
from feedstation.normalize.urls import safe_url

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#106;avascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "VbScRiPt:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "FILE://localhost/etc/passwd",
        "ftp://example.com/x",
        "mailto:a@example.com",  # only where allow_mailto
        "https://exa\x00mple.com/",
        "http://[::1",
        "https://",
        "",
        None,
    ],
)
def test_unsafe_urls_are_refused(url):
    assert safe_url(url, "https://example.com/feed") is None


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://example.com/a?b=1&c=2", None, "https://example.com/a?b=1&c=2"),
        ("HTTP://Example.com/A", None, "http://Example.com/A"),
        ("/a/b", "https://example.com/x/y", "https://example.com/a/b"),
        ("c", "https://example.com/x/y", "https://example.com/x/c"),
        ("//cdn.example.com/i.png", "http://example.com/", "http://cdn.example.com/i.png"),
        ("//cdn.example.com/i.png", None, "https://cdn.example.com/i.png"),
        ("  https://example.com/with space.png \n", None, "https://example.com/with%20space.png"),
        ("/a", "javascript:alert(1)//", None),
        ("/a", None, None),
    ],
)
def test_safe_urls_are_made_absolute(url, base, expected):
    assert safe_url(url, base) == expected


def test_mailto_only_when_allowed():
    assert safe_url("mailto:a@example.com", allow_mailto=True) == "mailto:a@example.com"
    assert safe_url("mailto:a@example.com") is None


def test_unsafe_urls_outside_content_are_dropped():
    entry = ParsedEntry(
        id="1",
        link="javascript:alert(1)",
        title="t",
        author="A",
        author_url="javascript:alert(2)",
        enclosures=(Enclosure(url="javascript:alert(3)", type="image/png"), Enclosure(url="data:image/png;base64,AA", type="image/png")),
        thumbnails=("vbscript:x", " JaVaScRiPt:alert(4)"),
    )
    feed = ParsedFeed(format="rss", link="javascript:alert(5)", entries=(entry,))
    [out] = normalize_entries(feed, base_url="javascript:alert(6)", now=NOW)
    assert out.link is None
    assert out.image is None
    assert out.identity == "1"


def test_feed_link_does_not_become_a_base_when_unsafe():
    entry = ParsedEntry(id="1", link="/relative", title="t")
    feed = ParsedFeed(format="rss", link="javascript:alert(1)//", entries=(entry,))
    [out] = normalize_entries(feed, base_url=None, now=NOW)
    assert out.link is None


def test_entry_base_then_feed_url():
    entry = ParsedEntry(id="1", link="a.html", base="https://blog.example.com/posts/", thumbnails=("t.jpg",))
    feed = ParsedFeed(format="atom", entries=(entry, ParsedEntry(id="2", link="b.html")))
    first, second = normalize_entries(feed, base_url="https://feeds.example.net/dir/feed.xml", now=NOW)
    assert first.link == "https://blog.example.com/posts/a.html"
    assert first.image == "https://blog.example.com/posts/t.jpg"
    assert second.link == "https://feeds.example.net/dir/b.html"


# The shortcuts in urls.py must give urllib's answer byte for byte (the golden files depend on it).
_BASES = ["https://example.com/x/y", "http://Example.com:8080/dir/", "https://h.example/a?q=1#f", "http://h"]
_PIECES = ["", "/", "//", "/a", "/a/b", "/./", "/../", "/.", "/..", "/a;p", "/a;", "?", "?q", "#", "#f", "?#",
           "//cdn.example.com", "//cdn.example.com:", "//cdn.example.com:81", "//[::1]", "//u@h", "//h\\x", "//ä.com",
           "/%20", "/é", ":", "@", "..", "a", "//-", "/a?b/../c", "/x#?", "/x?#"]  # fmt: skip


def _urls():
    rng = random.Random(7)
    heads = ["http://", "https://", "HTTP://", "http:", "https:///", "http://[::1]", "http://ex.com", "//ex.com", "/"]
    for _ in range(3000):
        yield rng.choice(heads) + "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 4)))


def test_plain_url_shortcut_agrees_with_urllib():
    for url in _urls():
        assert urls._checked(url, ("http", "https")) == urls._checked_by_urllib(url, ("http", "https")), url


def test_relative_join_shortcut_agrees_with_urljoin():
    for ref in _urls():
        for base in _BASES:
            assert urls._joined(base, ref) == urljoin(base, ref), (base, ref)
