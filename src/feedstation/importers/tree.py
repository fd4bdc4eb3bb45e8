"""Placing imported feeds in one tree: duplicate locations merged, clashing names made unique, all reported.

Every feed that comes out of `place_feeds` is one the config loader accepts (checked with the
loader's own `parse_tree`), so an import never writes a config that then fails to load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from feedstation.importers.model import ImportedFeed, ImportNote, TreeImport
from feedstation.normalize.text import UNTITLED, has_visible_character
from feedstation.source_tree import LEVEL_KEYS, LEVELS, TreeError, parse_tree


_ANY_FOLDER = Path(".")  # a relative file path is only checked here, never opened


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
                known_urls: Iterable[str] = (), instances: Sequence[str] = ()) -> TreeImport:
    """Keep the first feed of each location; give a feed whose tree slot is taken a numbered channel.

    `taken` and `known_urls` are what an existing config already holds (for `--merge`), and
    `instances` its RSSHub instances: a URL on one of them is that route (`rsshub:/path`, tried
    on every instance), so a list that spelled the config's routes out (the site's own
    `sources.opml`) merges into them. A later duplicate is reported as merged into the first;
    a renamed channel is reported with its new name; a feed the config loader would refuse is
    reported and left out. Input order is kept.
    """
    seen_urls: dict[str, str] = {location_key(u): "the existing config" for u in known_urls}
    used = set(taken)
    next_number: dict[tuple[str, str, str], int] = {}  # numbering goes on where it stopped: linear, not quadratic
    placed: list[ImportedFeed] = []
    notes: list[ImportNote] = []
    bases = [base.rstrip("/") + "/" for base in instances]
    for feed in feeds:
        feed = _as_route(feed, bases, notes)
        key = location_key(feed.url)
        if key in seen_urls:
            notes.append(ImportNote(feed.origin, "duplicate",
                                    f"{feed.url} is listed again (first at {seen_urls[key]}); merged into that one"))
            continue
        feed = _nameable(feed, notes)
        problem = _refused_by_loader(feed)
        if problem:
            notes.append(ImportNote(feed.origin, "skipped", problem))
            continue
        seen_urls[key] = feed.origin
        if feed.tree in used:
            channel = _free_channel(feed, used, next_number)
            notes.append(ImportNote(feed.origin, "renamed",
                                    f"{' › '.join(feed.tree)} is already taken; {feed.url} is channel {channel!r}"))
            feed = replace(feed, channel=channel)
        used.add(feed.tree)
        placed.append(feed)
    return TreeImport(tuple(placed), tuple(notes))


def _as_route(feed: ImportedFeed, bases: list[str], notes: list[ImportNote]) -> ImportedFeed:
    """`https://rsshub.app/zhihu/hot` → `rsshub:/zhihu/hot` when https://rsshub.app is one of the instances."""
    key = location_key(feed.url)
    base = next((b for b in bases if key.startswith(location_key(b) + "/")), None)
    if base is None:
        return feed
    route = "rsshub:/" + feed.url.strip()[len(base):]
    notes.append(ImportNote(feed.origin, "read-as", f"{feed.url} is on the RSSHub instance {base.rstrip('/')}; "
                                                    f"imported as the route {route}, tried on every instance"))
    return replace(feed, url=route)


def _nameable(feed: ImportedFeed, notes: list[ImportNote]) -> ImportedFeed:
    """The feed with names the tree can hold: `filters`/`full_text` are level switches, and a
    name needs a visible character (a heading or title of only U+200B has none)."""
    names = {}
    for level, name in zip(LEVELS, feed.tree):
        if not has_visible_character(name):
            names[level] = UNTITLED
        elif level != "category" and name in LEVEL_KEYS:
            names[level] = f"{name} ({level})"
    if not names:
        return feed
    for level, new in names.items():
        notes.append(ImportNote(feed.origin, "renamed", f"the {level} name {getattr(feed, level)!r} cannot be used "
                                                        f"in the tree; {feed.url} is under {new!r}"))
    return replace(feed, **names)


def _refused_by_loader(feed: ImportedFeed) -> str | None:
    """The config loader's own verdict on this one leaf (unfilled :param, bad scheme, an OPML list as a channel, …)."""
    try:
        parse_tree({feed.category: {feed.site: {feed.channel: feed.url}}}, _ANY_FOLDER)
    except TreeError as exc:
        return exc.message
    return None


def _free_channel(feed: ImportedFeed, used: set[tuple[str, str, str]], next_number: dict) -> str:
    n = next_number.get(feed.tree, 2)
    while (feed.category, feed.site, f"{feed.channel} ({n})") in used:
        n += 1
    next_number[feed.tree] = n + 1
    return f"{feed.channel} ({n})"
