"""Identity and content hash are stable across runs and ignore feed-level churn."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedstation.models import Enclosure, ParsedEntry, ParsedFeed
from feedstation.normalize import normalize_entries
from feedstation.normalize.identity import entry_identity
from feedstation.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", ["zhihu-hotlist.rss", "atom.xml", "jsonfeed.json", "no-dates.rss"])
def test_same_bytes_give_same_identities_and_hashes(name):
    body = (FEEDS / name).read_bytes()
    first = normalize_entries(parse_feed(body), base_url="https://a.example/feed", now=NOW)
    second = normalize_entries(parse_feed(body), base_url="https://a.example/feed", now=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert [(e.identity, e.content_hash) for e in first] == [(e.identity, e.content_hash) for e in second]
    assert len({e.identity for e in first}) == len(first)


def test_feed_level_changes_do_not_change_the_hash():
    entry = ParsedEntry(id="x", link="https://e.example/1", title="T", content="<p>c</p>")
    one = ParsedFeed(format="rss", title="Old title", link="https://e.example/", ttl_minutes=5, entries=(entry,))
    two = replace(one, title="New title", link="https://e.example/home", ttl_minutes=60, warning="w")
    [a] = normalize_entries(one, base_url="https://rsshub.app/x", now=NOW)
    [b] = normalize_entries(two, base_url="https://rsshub.app/x", now=NOW)
    assert (a.identity, a.content_hash) == (b.identity, b.content_hash)


def test_content_change_changes_the_hash_but_not_the_identity():
    entry = ParsedEntry(id="x", title="T", content="<p>c</p>")
    [a] = normalize_entries(ParsedFeed(format="rss", entries=(entry,)), base_url=None, now=NOW)
    [b] = normalize_entries(ParsedFeed(format="rss", entries=(replace(entry, content="<p>d</p>"),)), base_url=None, now=NOW)
    assert a.identity == b.identity and a.content_hash != b.content_hash


def test_relative_link_identity_does_not_depend_on_the_instance():
    entry = ParsedEntry(link="/posts/1", title="T")
    feed = ParsedFeed(format="rss", entries=(entry,))
    [a] = normalize_entries(feed, base_url="https://rsshub.app/x", now=NOW)
    [b] = normalize_entries(feed, base_url="https://rsshub.example.org/x", now=NOW)
    assert a.identity == b.identity == "/posts/1"


def test_identity_fallbacks():
    when = datetime(2022, 1, 1, tzinfo=timezone.utc)
    assert entry_identity("  guid-1 \n", "https://l", title="t", published=when) == "guid-1"
    assert entry_identity("  ", " https://l ", title="t", published=when) == "https://l"
    hashed = entry_identity(None, None, title="t", published=when)
    assert hashed.startswith("sha256:") and len(hashed) == len("sha256:") + 64
    assert hashed == entry_identity(None, "", title="t", published=when)
    assert hashed != entry_identity(None, None, title="t", published=None)
    assert entry_identity("x" * 5000, None, title="t").startswith("sha256:")


@pytest.mark.parametrize("field, value", [
    ("title", "other"), ("author", "b@example.com"), ("published", datetime(2022, 1, 2, tzinfo=timezone.utc)),
    ("content", "<p>other</p>"), ("summary", "<p>other summary</p>"), ("enclosures", ("https://e.example/b.mp3",)),
])
def test_fallback_identity_tells_apart_items_that_differ_in_any_field(field, value):
    base = {"title": "t", "author": "a@example.com", "published": datetime(2022, 1, 1, tzinfo=timezone.utc),
            "content": "<p>c</p>", "enclosures": ("https://e.example/a.mp3",)}
    assert entry_identity(None, None, **base) == entry_identity(None, None, **dict(base))
    assert entry_identity(None, None, **base) != entry_identity(None, None, **{**base, field: value})


def test_max_items_keeps_the_first_n_in_feed_order():
    feed = parse_feed((FEEDS / "zhihu-hotlist.rss").read_bytes())
    kept = normalize_entries(feed, base_url=None, now=NOW, max_items=2)
    assert [e.identity for e in kept] == [e.id for e in feed.entries[:2]]
    assert normalize_entries(feed, base_url=None, now=NOW, max_items=0) == []


_FIELD = st.one_of(st.none(), st.text(max_size=12))
_DATE = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                          timezones=st.just(timezone.utc)))
_PARSED = st.builds(
    ParsedEntry,
    title=_FIELD, author=_FIELD, summary=_FIELD, content=_FIELD, published=_DATE, updated=_DATE,
    enclosures=st.lists(st.builds(Enclosure, url=st.sampled_from(["https://m.example/a.mp3", "https://m.example/b.mp3"])),
                        max_size=2).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PARSED, min_size=1, max_size=6))
def test_fallback_identities_tell_apart_what_differs_and_are_stable_across_fetches(parsed):
    feed = ParsedFeed(format="rss", entries=tuple(parsed))
    first = normalize_entries(feed, base_url="https://a.example/feed", now=NOW)
    # A re-fetch, even years later (when a future date may have become plausible), gives the same ids.
    later = normalize_entries(feed, base_url="https://b.example/feed", now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert [e.identity for e in first] == [e.identity for e in later]
    # What a reader can tell apart: the normalised fields, the feed's own dates, the enclosures.
    visible = [(e.title, e.author, r.published or r.updated, e.content, e.summary, sorted(x.url for x in r.enclosures))
               for r, e in zip(parsed, first)]
    by_identity: dict[str, tuple] = {}
    for entry, seen in zip(first, visible):
        assert by_identity.setdefault(entry.identity, seen) == seen, "distinct items share an identity"
    assert len(by_identity) == len(set(map(repr, visible)))  # identical items still merge
