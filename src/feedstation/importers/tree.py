"""Placing imported feeds in one tree: duplicate locations merged, clashing names made unique, all reported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from feedstation.importers.model import ImportedFeed, ImportNote, TreeImport


def location_key(url: str) -> str:
    """What makes two locations the same feed: case-insensitive scheme and host, no trailing slash."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if sep:
        host, slash, path = rest.partition("/")
        text = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    elif text.lower().startswith("rsshub:"):
        text = "rsshub:" + text[len("rsshub:"):]
    return text.rstrip("/") or text


def place_feeds(feeds: Iterable[ImportedFeed], *, taken: Iterable[tuple[str, str, str]] = (),
                known_urls: Iterable[str] = ()) -> TreeImport:
    """Keep the first feed of each location; give a feed whose tree slot is taken a numbered channel.

    `taken` and `known_urls` are what an existing config already holds (for `--merge`).
    A later duplicate is reported as merged into the first; a renamed channel is reported
    with its new name. Input order is kept.
    """
    seen_urls: dict[str, str] = {location_key(u): "the existing config" for u in known_urls}
    used = set(taken)
    placed: list[ImportedFeed] = []
    notes: list[ImportNote] = []
    for feed in feeds:
        key = location_key(feed.url)
        if key in seen_urls:
            notes.append(ImportNote(feed.origin, "duplicate",
                                    f"{feed.url} is listed again (first at {seen_urls[key]}); merged into that one"))
            continue
        seen_urls[key] = feed.origin
        if feed.tree in used:
            channel = _free_channel(feed, used)
            notes.append(ImportNote(feed.origin, "renamed",
                                    f"{' › '.join(feed.tree)} is already taken; {feed.url} is channel {channel!r}"))
            feed = replace(feed, channel=channel)
        used.add(feed.tree)
        placed.append(feed)
    return TreeImport(tuple(placed), tuple(notes))


def _free_channel(feed: ImportedFeed, used: set[tuple[str, str, str]]) -> str:
    n = 2
    while (feed.category, feed.site, f"{feed.channel} ({n})") in used:
        n += 1
    return f"{feed.channel} ({n})"
