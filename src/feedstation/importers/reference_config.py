"""The reference's `config.yml` (`slect:` routes under `#`/`##`/`###` headings) and `user_config.yml` (`diy:`) → feeds.

The reference kept its tree in comments: `#` category, `##` site, `###` channel above each
enabled route (a list item of `slect`); disabled routes are commented-out items. ruamel reads
the YAML (so bad YAML and each item's line are exact); the headings are read from the lines.
Each item's line comes from the parser's events, because ruamel's line table gives a YAML
alias (`- *route`) the line of its anchor, and the line decides the item's headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent, DocumentEndEvent, ScalarEvent,
                                SequenceStartEvent)
from ruamel.yaml.reader import ReaderError

from feedstation.catalog import Catalog, find_route, suggest_paths
from feedstation.catalog.patterns import unfilled_parameters
from feedstation.errors import ConfigError
from feedstation.importers.model import ImportedFeed, ImportNote, TreeImport
from feedstation.normalize.text import has_visible_character

ROUTE_KEY = "slect"  # sic: the reference's own spelling
DIY_FIELDS = ("categories", "source_parent", "source_child", "link")

_HEADING = re.compile(r"^\s*(#+)\s*(.*?)\s*$")
_DISABLED = re.compile(r"^-\s*(?:/|rsshub:|https?://)", re.IGNORECASE)  # "# - /acfun/user/video/1": a commented-out route
_SEPARATOR = re.compile(r"^[-=_*~#\s]*$")  # "#--------------------"
# A heading typed with the full-width ＃ of a Chinese input method is no YAML comment; read it as `#`.
_FULL_WIDTH_HEADING = re.compile(r"^([ \t]*)([#＃]*＃[#＃]*)", re.MULTILINE)


@dataclass(frozen=True)
class _Place:
    category: str | None = None
    site: str | None = None
    channel: str | None = None


def read_reference_config(text: str, name: str = "config.yml") -> TreeImport:
    """Every enabled route of `slect`, placed by the headings above it; ConfigError (naming the line) on bad input."""
    text, fixed = _ascii_headings(text, name)
    data = _load(text, name)
    if not isinstance(data, dict) or ROUTE_KEY not in data:
        keys = ", ".join(map(str, data)) if isinstance(data, dict) else "none"
        raise ConfigError(f"{name}:1", None, f"no `{ROUTE_KEY}:` key, so this is not the reference's route list "
                                             f"(keys found: {keys}); pass the reference's config.yml")
    routes = data[ROUTE_KEY]
    if routes is None:
        return TreeImport(())
    if not isinstance(routes, list):
        raise ConfigError(f"{name}:{_key_line(data, ROUTE_KEY)}", ROUTE_KEY,
                          "must be a list of route paths (`- /zhihu/hot`)")
    places, disabled = _places_by_line(text)
    lines = _item_lines(text, ROUTE_KEY)
    feeds: list[ImportedFeed] = []
    notes: list[ImportNote] = list(fixed)
    for index, item in enumerate(routes):
        line = lines[index] if index < len(lines) else _item_line(routes, index)
        origin = f"{name}:{line}"
        place = places.get(line, _Place())
        if not isinstance(item, str) or not item.strip():
            notes.append(ImportNote(origin, "skipped", f"{item!r} is not a route path; not imported"))
            continue
        path = item.strip()
        if place.category is None or place.site is None:
            missing = "`#` category" if place.category is None else "`##` site"
            raise ConfigError(origin, f"{ROUTE_KEY}[{index}]",
                              f"route {path} has no {missing} heading above it; add one so it has a place in the tree")
        url = _location(path)
        if url is None:
            notes.append(ImportNote(origin, "skipped", f"{path!r} is neither a route path (/…) nor an http(s) URL; not imported"))
            continue
        if _unfilled(url):
            notes.append(ImportNote(origin, "param", f"{path} still holds a :parameter; fill it in and add it by hand"))
            continue
        feeds.append(ImportedFeed(place.category, place.site, place.channel or place.site, url, origin))
    if disabled:
        notes.append(ImportNote(name, "disabled", f"{disabled} commented-out routes were left out, as in the reference"))
    return TreeImport(tuple(feeds), tuple(notes))


def read_user_config(text: str, name: str = "user_config.yml") -> TreeImport:
    """The `diy:` entries of the reference's user_config.yml; a bad entry is reported, never dropped silently."""
    data = _load(text, name)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1", None, "must be a mapping with a `diy:` list")
    entries = data.get("diy")
    if entries is None:
        return TreeImport((), (ImportNote(name, "skipped", "no `diy:` entries"),))
    if not isinstance(entries, list):
        raise ConfigError(f"{name}:{_key_line(data, 'diy')}", "diy", "must be a list of "
                          "{categories, source_parent, source_child, link} entries")
    lines = _item_lines(text, "diy")
    feeds: list[ImportedFeed] = []
    notes: list[ImportNote] = []
    for index, item in enumerate(entries):
        origin = f"{name}:{lines[index] if index < len(lines) else _item_line(entries, index)}"
        if not isinstance(item, dict):
            notes.append(ImportNote(origin, "skipped", f"diy[{index}] is not a mapping; not imported"))
            continue
        values = {field: _name(item.get(field)) for field in DIY_FIELDS}
        missing = [field for field, value in values.items() if not value]
        if missing:
            notes.append(ImportNote(origin, "skipped", f"diy[{index}] has no {', '.join(missing)}; not imported"))
            continue
        url = _location(values["link"])
        if url is None:
            notes.append(ImportNote(origin, "skipped",
                                    f"diy[{index}].link {values['link']!r} is neither a route path nor an http(s) URL"))
            continue
        if _unfilled(url):
            notes.append(ImportNote(origin, "param", f"{values['link']} still holds a :parameter; fill it in by hand"))
            continue
        feeds.append(ImportedFeed(values["categories"], values["source_parent"], values["source_child"], url, origin))
    return TreeImport(tuple(feeds), tuple(notes))


def route_path(url: str) -> str | None:
    """The RSSHub path of an imported `rsshub:` location (None for plain URLs)."""
    return url[len("rsshub:"):] if url.startswith("rsshub:") else None


def _places_by_line(text: str) -> tuple[dict[int, _Place], int]:
    """The heading context in force on every line (1-based), and how many routes are commented out."""
    places: dict[int, _Place] = {}
    place = _Place()
    disabled = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADING.match(line)
        if match:
            level, title = len(match.group(1)), match.group(2)
            blank = _SEPARATOR.match(title) or not has_visible_character(title)
            if _DISABLED.match(title):
                disabled += 1
            elif blank and level >= 3:
                place = _Place(place.category, place.site)  # a nameless channel heading: the site's name, not the last one
            elif not blank:
                if level == 1:
                    place = _Place(category=title)
                elif level == 2:
                    place = _Place(place.category, title)
                else:
                    place = _Place(place.category, place.site, title)
        places[number] = place
    return places, disabled


def _ascii_headings(text: str, name: str) -> tuple[str, list[ImportNote]]:
    """`＃博客` → `#博客` (same length in characters, so every line number stays), with a note per line."""
    notes = []

    def ascii_marks(match: re.Match) -> str:
        line = text.count("\n", 0, match.start()) + 1
        notes.append(ImportNote(f"{name}:{line}", "read-as", "heading written with the full-width ＃; read as #"))
        return match.group(1) + "#" * len(match.group(2))

    return _FULL_WIDTH_HEADING.sub(ascii_marks, text), notes


def _item_lines(text: str, key: str) -> list[int]:
    """The 1-based line of every item of the top-level sequence `key`, aliases at their own line."""
    lines: list[int] = []
    depth = 0  # nesting of collections at the current event
    nodes_at_top = 0  # nodes seen directly in the top mapping: even ones are keys, odd ones values
    current_key: str | None = None
    inside = False  # within `key`'s sequence
    for event in YAML().parse(text):
        starts_node = isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent))
        if starts_node and depth == 2 and inside:
            lines.append(event.start_mark.line + 1)
        if starts_node and depth == 1:
            if nodes_at_top % 2 == 0:
                current_key = event.value if isinstance(event, ScalarEvent) else None
            else:
                inside = current_key == key and isinstance(event, SequenceStartEvent)
            nodes_at_top += 1
        if isinstance(event, CollectionStartEvent):
            depth += 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
            inside = inside and depth > 1
        elif isinstance(event, DocumentEndEvent):
            break
    return lines


def _unfilled(url: str) -> bool:
    """True when the route (or a full URL's path) still holds a `:param` pattern segment."""
    return bool(unfilled_parameters(route_path(url) or urlsplit(url).path))


def _location(value: str) -> str | None:
    if value[:7].lower() == "rsshub:" and value[7:].startswith("/"):
        return "rsshub:" + value[7:]
    if value.startswith("/") and not value.startswith("//"):
        return "rsshub:" + value
    if re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
        return value
    return None


def _name(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:  # `categories: [博客]`
        value = value[0]
    return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _load(text: str, name: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "\t" in (text.splitlines()[line - 1:line] or [""])[0]:
            problem += " (YAML indents with spaces, and this line has a tab)"
        raise ConfigError(f"{name}:{line}", None, f"not valid YAML: {problem}") from None
    except ReaderError as exc:  # a control character: the reader knows only its offset
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(f"{name}:{line}", None,
                          f"not valid YAML: the control character U+{exc.character:04X} is not allowed") from None
    except YAMLError as exc:
        raise ConfigError(name, None, f"not valid YAML: {exc}") from None


def _item_line(seq: Any, index: int) -> int:
    try:
        return seq.lc.item(index)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def _key_line(mapping: Any, key: str) -> int:
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 1


def check_against_catalog(feeds: Sequence[ImportedFeed], catalog: Catalog) -> list[ImportNote]:
    """A note for every imported route RSSHub's catalog no longer has, with the closest live paths."""
    notes = []
    for feed in feeds:
        path = route_path(feed.url)
        if path is None or find_route(catalog, path) is not None:
            continue
        closest = suggest_paths(catalog, path)
        hint = f"closest live routes: {', '.join(closest)}" if closest else "no close route; try `feedstation routes search`"
        notes.append(ImportNote(feed.origin, "unknown-route", f"{path} is not in RSSHub's route catalog ({hint})"))
    return notes
