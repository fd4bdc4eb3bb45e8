"""The reference's `config.yml` (`slect:` routes under `#`/`##`/`###` headings) and `user_config.yml` (`diy:`) → feeds.

The reference kept its tree in comments: `#` category, `##` site, `###` channel above each
enabled route (a list item of `slect`); disabled routes are commented-out items. ruamel reads
the YAML (so bad YAML and each item's line are exact); the headings are read from the lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from feedstation.catalog import Catalog, find_route, suggest_paths
from feedstation.errors import ConfigError
from feedstation.importers.model import ImportedFeed, ImportNote, TreeImport

ROUTE_KEY = "slect"  # sic: the reference's own spelling
DIY_FIELDS = ("categories", "source_parent", "source_child", "link")

_HEADING = re.compile(r"^\s*(#+)\s*(.*?)\s*$")
_DISABLED = re.compile(r"^-\s*(?:/|rsshub:|https?://)", re.IGNORECASE)  # "# - /acfun/user/video/1": a commented-out route
_SEPARATOR = re.compile(r"^[-=_*~#\s]*$")  # "#--------------------"
_PARAM = re.compile(r"/:[A-Za-z_]")


@dataclass(frozen=True)
class _Place:
    category: str | None = None
    site: str | None = None
    channel: str | None = None


def read_reference_config(text: str, name: str = "config.yml") -> TreeImport:
    """Every enabled route of `slect`, placed by the headings above it; ConfigError (naming the line) on bad input."""
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
    feeds: list[ImportedFeed] = []
    notes: list[ImportNote] = []
    for index, item in enumerate(routes):
        line = _item_line(routes, index)
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
        if _PARAM.search(path):
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
    feeds: list[ImportedFeed] = []
    notes: list[ImportNote] = []
    for index, item in enumerate(entries):
        origin = f"{name}:{_item_line(entries, index)}"
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
        if _PARAM.search(values["link"]):
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
            if _DISABLED.match(title):
                disabled += 1
            elif not _SEPARATOR.match(title):
                if level == 1:
                    place = _Place(category=title)
                elif level == 2:
                    place = _Place(place.category, title)
                else:
                    place = _Place(place.category, place.site, title)
        places[number] = place
    return places, disabled


def _location(value: str) -> str | None:
    if value.startswith("rsshub:/"):
        return value
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
        raise ConfigError(f"{name}:{line}", None, f"not valid YAML: {problem}") from None
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
