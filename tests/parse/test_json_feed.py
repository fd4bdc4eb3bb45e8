"""JSON Feed adapter: fields mapped, wrong types skipped, hostile JSON refused or cleaned."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from feedstation.errors import ParseError
from feedstation.normalize import normalize_entries
from feedstation.parse import parse_feed

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def feed_with(item_json: str) -> bytes:
    return ('{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [' + item_json + "]}").encode()


def normalized(body: bytes):
    return normalize_entries(parse_feed(body), base_url="https://example.org/feed.json", now=NOW)


def assert_storable(entry) -> None:
    for value in (entry.identity, entry.title, entry.summary, entry.content, entry.author or "", entry.link or ""):
        value.encode("utf-8")  # raises on a lone surrogate
        assert "\x00" not in value


def test_fields_are_mapped():
    body = feed_with(
        '{"id": "a", "url": "https://example.org/a", "title": "Hi", "content_html": "<p>x</p>",'
        ' "summary": "s", "date_published": "2023-01-02T03:04:05+08:00", "date_modified": "2023-01-03T00:00:00Z",'
        ' "author": {"name": "Old style", "url": "https://example.org/old"},'
        ' "attachments": [{"url": "https://example.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 5}]}'
    )
    feed = parse_feed(body)
    e = feed.entries[0]
    assert (feed.format, feed.title) == ("json", "T")
    assert (e.id, e.link, e.title, e.author, e.author_url) == ("a", "https://example.org/a", "Hi", "Old style", "https://example.org/old")
    assert e.published == datetime(2023, 1, 1, 19, 4, 5, tzinfo=timezone.utc)
    assert e.updated == datetime(2023, 1, 3, tzinfo=timezone.utc)
    assert e.enclosures[0].url == "https://example.org/a.mp3" and e.enclosures[0].length == 5


def test_wrong_types_skip_the_field_not_the_feed():
    body = feed_with('{"id": {"x": 1}, "url": ["no"], "title": 5, "content_html": false, "summary": "kept", "authors": "nobody", "attachments": {"url": 1}}, 7, "str"')
    feed = parse_feed(body)
    assert len(feed.entries) == 1
    e = feed.entries[0]
    assert (e.id, e.link, e.title, e.content, e.author) == (None, None, None, None, None)
    assert e.summary == "kept"


def test_lone_surrogate_and_nul_are_cleaned():
    body = feed_with(r'{"id": "x\ud800y", "title": "bad\u0000title\udfff", "content_html": "<p>a\u0000b\ud83d</p>", "url": "https://example.org/a\u0000b"}')
    [entry] = normalized(body)
    assert_storable(entry)
    assert entry.title == "badtitle"
    assert entry.identity == "xy"
    assert entry.link is None  # a control character inside a URL drops it


def test_valid_surrogate_pair_survives():
    [entry] = normalized(feed_with(r'{"id": "1", "title": "smile \ud83d\ude00"}'))
    assert entry.title == "smile 😀"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant):
    with pytest.raises(ParseError, match="broken JSON"):
        parse_feed(feed_with('{"id": ' + constant + ', "title": "x"}'))


def test_5000_digit_integer_is_refused():
    with pytest.raises(ParseError, match="broken JSON"):
        parse_feed(feed_with('{"id": ' + "9" * 5000 + ', "title": "x"}'))


def test_100000_deep_nesting_is_refused():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_feed(('{"items": ' + deep + "}").encode())


@pytest.mark.parametrize("root", ["[]", "[1, 2]", '"string"', "42", "null"])
def test_non_object_root_is_refused(root):
    # A leading digit or quote is not sniffed as JSON at all; either way it is a ParseError.
    with pytest.raises(ParseError):
        parse_feed(root.encode())


def test_broken_json_is_refused():
    with pytest.raises(ParseError, match="broken JSON"):
        parse_feed(b'{"items": [')


def test_object_without_feed_fields_is_refused():
    with pytest.raises(ParseError, match="not a JSON Feed"):
        parse_feed(b'{"hello": "world"}')


def test_integer_id_becomes_a_string_and_float_id_is_missing():
    feed = parse_feed(feed_with('{"id": 12, "title": "a"}, {"id": 1.5, "title": "b", "url": "https://e.org/b"}'))
    assert [e.id for e in feed.entries] == ["12", None]


def test_utf16_json_is_read():
    text = json.dumps({"version": "https://jsonfeed.org/version/1", "title": "宽", "items": [{"id": "1", "title": "字"}]})
    assert parse_feed(text.encode("utf-16")).entries[0].title == "字"
