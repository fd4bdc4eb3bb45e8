"""Turn the config's `sources` tree (and the reference's flat `diy` list) into `Source` leaves.

An OPML location where a mapping is expected (as `sources` itself, a category's value or a
site's value) becomes an `OpmlGraft`, expanded later by importers/opml_sources.py.

`full_text: true|false` on a category or a site (beside its children) or on a leaf
(`{url, full_text}`) turns full-text fetching on or off below it; the innermost level wins.

Every mistake raises ConfigError naming the key path, e.g. `sources.社交媒体.知乎.知乎热榜`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedstation.catalog.patterns import unfilled_message, unfilled_parameters
from feedstation.models import Source
from feedstation.normalize.text import has_visible_character

LEAF_OPTIONS = {"url": "the feed's URL, rsshub:/path or file path", "max_items": "keep at most N items per fetch",
                "filters": "include / exclude / rewrite rules for this feed (filters/parsing.py)",
                "full_text": "fetch each new item's page and keep the whole article"}
# A category or site may hold `filters:` (read by filters/parsing.py) and `full_text:` beside its sites
# or channels; so no site or channel can be named `filters` or `full_text`.
FILTERS_KEY = "filters"
FULL_TEXT = "full_text"
LEVEL_KEYS = frozenset({FILTERS_KEY, FULL_TEXT})
LEVELS = ("category", "site", "channel")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class OpmlGraft:
    """An OPML list standing in the tree: its feeds fill the levels below `prefix`."""

    prefix: tuple[str, ...]  # () for all of `sources`, (category,) or (category, site)
    location: str  # absolute file path, file: URL, or http(s) URL
    key: str  # config key path, for messages


class TreeError(ValueError):
    """A mistake in the tree: `key` is the dotted key path below the config root."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


class UnfilledRouteError(TreeError):
    """An `rsshub:` leaf that still holds `:param` segments; config loading adds the route's example
    from the cached catalog (config.py) when there is one."""

    def __init__(self, key: str, path: str, unfilled: tuple[str, ...]):
        super().__init__(key, f"{unfilled_message(path, unfilled)}; `feedstation routes update` downloads RSSHub's "
                              "route catalog, then this message shows the route's example")
        self.path = path
        self.unfilled = unfilled


def parse_tree(raw: Any, base_dir: Path) -> list[Source | OpmlGraft]:
    """The three-level mapping category → site → channel → leaf, in config order (OPML lists as grafts)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [_graft(raw, (), "sources", base_dir)]
    sources: list[Source | OpmlGraft] = []
    _expect_mapping(raw, "sources", "a mapping of categories, e.g. `社交媒体: {知乎: {知乎热榜: rsshub:/zhihu/hot}}`")
    for category, sites in raw.items():
        key1 = f"sources.{category}"
        _expect_name(category, key1, "category")
        if isinstance(sites, str) and sites.strip():
            sources.append(_graft(sites, (str(category),), key1, base_dir))
            continue
        _expect_mapping(sites, key1, "a mapping of sites, e.g. `知乎: {知乎热榜: rsshub:/zhihu/hot}`")
        _expect_beside_filters(sites, key1, "sites")
        category_full_text = _level_full_text(sites, key1, False)
        for site, channels in sites.items():
            if site in LEVEL_KEYS:
                continue
            key2 = f"{key1}.{site}"
            _expect_name(site, key2, "site")
            if isinstance(channels, str) and channels.strip():
                sources.append(_graft(channels, (str(category), str(site)), key2, base_dir))
                continue
            _expect_mapping(channels, key2, "a mapping of channels, e.g. `知乎热榜: rsshub:/zhihu/hot`")
            _expect_beside_filters(channels, key2, "channels")
            site_full_text = _level_full_text(channels, key2, category_full_text)
            for channel, leaf in channels.items():
                if channel in LEVEL_KEYS:
                    continue
                key3 = f"{key2}.{channel}"
                _expect_name(channel, key3, "channel")
                url, max_items = parse_leaf(leaf, key3, base_dir)
                full_text = _leaf_full_text(leaf, key3, site_full_text)
                if _names_opml(url):
                    raise TreeError(key3, f"{url} looks like an OPML list, which holds many feeds, so it cannot be "
                                          "one channel; give it in place of the site (`Site: list.opml`), of the "
                                          "category, or as `sources: list.opml`")
                sources.append(Source(str(category), str(site), str(channel), url, max_items, full_text))
    return sources


def _level_full_text(mapping: dict, key: str, inherited: bool) -> bool:
    """A category's or site's own `full_text` switch (else the outer level's)."""
    if FULL_TEXT not in mapping:
        return inherited
    value = mapping[FULL_TEXT]
    if not isinstance(value, bool):
        raise TreeError(f"{key}.{FULL_TEXT}", f"must be true or false, got {_describe(value)}; (a channel cannot be "
                                              f"named {FULL_TEXT!r}: it switches full-text fetching for this level)")
    if not set(map(str, mapping)) - LEVEL_KEYS:
        raise TreeError(key, f"has only the {FULL_TEXT!r} switch; it needs at least one entry below it too")
    return value


def _leaf_full_text(leaf: Any, key: str, inherited: bool) -> bool:
    if not isinstance(leaf, dict) or FULL_TEXT not in leaf:
        return inherited
    value = leaf[FULL_TEXT]
    if not isinstance(value, bool):
        raise TreeError(f"{key}.{FULL_TEXT}", f"must be true or false, got {_describe(value)}")
    return value


def _graft(value: str, prefix: tuple[str, ...], key: str, base_dir: Path) -> OpmlGraft:
    location = _resolve_location(value.strip(), key, base_dir)
    if location.startswith("rsshub:"):
        raise TreeError(key, f"expected a mapping or an OPML list's location here, got the RSSHub route {value!r}; "
                             "a route is a channel's value (category → site → channel → feed)")
    return OpmlGraft(prefix, location, key)


def _names_opml(url: str) -> bool:
    return url.split("?", 1)[0].lower().endswith(".opml")


def parse_diy(raw: Any, base_dir: Path) -> list[Source]:
    """The reference's flat form: `diy: [{categories, source_parent, source_child, link}]`."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TreeError("diy", "must be a list of {categories, source_parent, source_child, link} entries")
    fields = ("categories", "source_parent", "source_child", "link")
    sources = []
    for index, item in enumerate(raw):
        key = f"diy[{index}]"
        if not isinstance(item, dict):
            raise TreeError(key, "must be a mapping with keys categories, source_parent, source_child, link")
        unknown = sorted(set(map(str, item)) - set(fields))
        if unknown:
            raise TreeError(f"{key}.{unknown[0]}", f"unknown key; expected {', '.join(fields)}")
        for field in fields:
            if item.get(field) in (None, ""):
                raise TreeError(f"{key}.{field}", "is required")
        if isinstance(item["link"], dict) and FILTERS_KEY in item["link"]:
            raise TreeError(f"{key}.link.{FILTERS_KEY}", "the flat diy list takes no filters; give this feed a place "
                                                         "in `sources` or use the top-level `filters`")
        url, _ = parse_leaf(item["link"], f"{key}.link", base_dir)
        names = [str(item[f]) for f in fields[:3]]
        for field, name in zip(fields[:3], names):
            _expect_name(name, f"{key}.{field}", field)
        sources.append(Source(names[0], names[1], names[2], url))
    return sources


def parse_leaf(leaf: Any, key: str, base_dir: Path) -> tuple[str, int | None]:
    """A leaf is a URL string, `rsshub:/path`, a file path, or `{url, max_items, filters}`. Returns (url, max_items);
    the filters are read by filters/parsing.py."""
    max_items = None
    if isinstance(leaf, dict):
        unknown = sorted(set(map(str, leaf)) - set(LEAF_OPTIONS))
        if unknown and len(unknown) == len(leaf):
            raise TreeError(key, "this looks like one level too many: the tree is category → site → channel → feed, "
                                 "and a channel's value is a URL, rsshub:/path, file path or {url, max_items, filters}")
        if unknown:
            raise TreeError(f"{key}.{unknown[0]}", f"unknown key; a source mapping takes {', '.join(LEAF_OPTIONS)}")
        if "url" not in leaf:
            raise TreeError(f"{key}.url", "is required (the feed's URL, rsshub:/path or file path)")
        max_items = leaf.get("max_items")
        if max_items is not None and (isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1):
            raise TreeError(f"{key}.max_items", f"must be a whole number of at least 1, got {max_items!r}")
        key, leaf = f"{key}.url", leaf["url"]
    if not isinstance(leaf, str) or not leaf.strip():
        if isinstance(leaf, dict) or leaf is None:
            hint = "a channel needs a feed: a URL, rsshub:/path or file path"
            if isinstance(leaf, dict):
                hint = "this looks like one level too many: the tree is category → site → channel → feed"
            raise TreeError(key, hint)
        raise TreeError(key, f"must be a URL, rsshub:/path or file path, got {leaf!r}")
    return _resolve_location(leaf.strip(), key, base_dir), max_items


def _resolve_location(value: str, key: str, base_dir: Path) -> str:
    if value.startswith("rsshub:"):
        path = value[len("rsshub:"):]
        if not path.startswith("/") or path.startswith("//"):
            raise TreeError(key, f"an RSSHub route must start with a single '/', e.g. rsshub:/zhihu/hot (got {value!r})")
        unfilled = unfilled_parameters(path)
        if unfilled:
            raise UnfilledRouteError(key, path, unfilled)
        return value
    scheme = _SCHEME.match(value)
    if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive, not a scheme
        name = scheme.group(1).lower()
        if name in ("http", "https"):
            if not re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
                raise TreeError(key, f"is not a valid URL: {value!r} has no host")
            return value
        if name == "file":
            return value
        raise TreeError(key, f"unsupported URL scheme {name!r} in {value!r}; use http(s)://, rsshub:/path or a file path")
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    return str(path)


def _expect_mapping(value: Any, key: str, what: str) -> None:
    if not isinstance(value, dict):
        raise TreeError(key, f"must be {what}, got {_describe(value)}")
    if not value:
        raise TreeError(key, f"is empty; it must be {what}")


def _expect_beside_filters(value: dict, key: str, below: str) -> None:
    if FILTERS_KEY in value and len(value) == 1:
        raise TreeError(key, f"has `filters` but no {below}; filters apply to the feeds below them")


def _expect_name(name: Any, key: str, level: str) -> None:
    if name is None or not has_visible_character(str(name)):
        raise TreeError(key, f"a {level} name must have at least one visible character")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
