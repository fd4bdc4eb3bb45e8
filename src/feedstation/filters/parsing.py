"""`filters:` mappings from the config (top level, category, site, leaf) → a compiled FilterSet.

Every mistake raises TreeError naming the key path (`sources.科技.36氪.filters.exclude[2]`), which
config.py turns into a ConfigError with the file and line.

    filters:
      fields: [title, content]          # where this level's keywords are looked for (default)
      exclude: [广告, "/^\\[?推广/i", {match: 招聘, fields: title}]
      include: [{keyword: "/r/python", fields: link}]
      rewrite:
        - {pattern: 【广告】}                      # removed (replace defaults to "")
        - {pattern: "/\\s*-\\s*来源$/", field: title, replace: ""}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from feedstation.filters.fields import ANY, DEFAULT_FIELDS, FIELDS
from feedstation.filters.patterns import PatternError, compile_pattern, rewrite_regex
from feedstation.filters.rules import FilterLevel, FilterSet, MatchRule, RewriteRule
from feedstation.source_tree import FILTERS_KEY, TreeError

LEVEL_KEYS = {"include": "rules an item must match one of to be shown",
              "exclude": "rules that hide every item they match",
              "rewrite": "regex replacements on the published title or content",
              "fields": f"where this level's include/exclude patterns look: {', '.join(FIELDS)} or {ANY}"}
RULE_KEYS = ("match", "keyword", "fields")
REWRITE_KEYS = ("pattern", "replace", "field")
REWRITE_FIELDS = ("title", "content")

Where = Callable[[str], str]  # key path → "file:line"


def build_filter_set(top: Any, sources: Any, where: Where) -> FilterSet:
    """Every `filters` mapping in the config, compiled: the top-level one, then the tree's, in config order."""
    levels = []
    if top is not None:
        levels.append(parse_level(top, (), "filters", where))
    if isinstance(sources, dict):
        for category, sites in sources.items():
            if not isinstance(sites, dict):
                continue  # an OPML list's location; source_tree.py checked the shape
            key1 = f"sources.{category}"
            if FILTERS_KEY in sites:
                levels.append(parse_level(sites[FILTERS_KEY], (str(category),), f"{key1}.{FILTERS_KEY}", where))
            for site, channels in sites.items():
                if site == FILTERS_KEY or not isinstance(channels, dict):
                    continue
                key2 = f"{key1}.{site}"
                prefix2 = (str(category), str(site))
                if FILTERS_KEY in channels:
                    levels.append(parse_level(channels[FILTERS_KEY], prefix2, f"{key2}.{FILTERS_KEY}", where))
                for channel, leaf in channels.items():
                    if channel != FILTERS_KEY and isinstance(leaf, dict) and FILTERS_KEY in leaf:
                        levels.append(parse_level(leaf[FILTERS_KEY], (*prefix2, str(channel)),
                                                  f"{key2}.{channel}.{FILTERS_KEY}", where))
    return FilterSet(tuple(level for level in levels if level.includes or level.excludes or level.rewrites))


def parse_level(raw: Any, prefix: tuple[str, ...], key: str, where: Where) -> FilterLevel:
    """One `filters` mapping."""
    if raw is None:
        return FilterLevel(prefix, key)
    if not isinstance(raw, dict):
        raise TreeError(key, "must be a mapping with include, exclude, rewrite and/or fields, e.g. "
                             "`filters: {exclude: [广告]}`")
    _no_unknown(raw, key, LEVEL_KEYS, "a filters mapping")
    fields = parse_fields(raw["fields"], f"{key}.fields") if "fields" in raw else DEFAULT_FIELDS
    includes = tuple(parse_rule(item, "include", f"{key}.include{index}", fields, where)
                     for index, item in _items(raw.get("include"), f"{key}.include"))
    excludes = tuple(parse_rule(item, "exclude", f"{key}.exclude{index}", fields, where)
                     for index, item in _items(raw.get("exclude"), f"{key}.exclude"))
    rewrites = tuple(parse_rewrite(item, f"{key}.rewrite{index}", where)
                     for index, item in _items(raw.get("rewrite"), f"{key}.rewrite"))
    return FilterLevel(prefix, key, includes, excludes, rewrites)


def _items(raw: Any, key: str) -> list[tuple[str, Any]]:
    """A rule list as (index suffix, item); a single rule may be given without the list."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [(f"[{n}]", item) for n, item in enumerate(raw)]
    if isinstance(raw, (str, dict)):
        return [("", raw)]
    raise TreeError(key, f"must be a list of rules, got {raw!r}")


def parse_fields(raw: Any, key: str) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names:
        raise TreeError(key, f"must be a field name or a list of them ({', '.join(FIELDS)}, {ANY}), got {raw!r}")
    out: list[str] = []
    for name in names:
        if name == ANY:
            return FIELDS
        if name not in FIELDS:
            close = difflib.get_close_matches(str(name), [*FIELDS, ANY], n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise TreeError(key, f"unknown field {name!r}; {hint}fields are {', '.join(FIELDS)} or {ANY}")
        if name not in out:
            out.append(name)
    return tuple(out)


def parse_rule(raw: Any, action: str, key: str, fields: tuple[str, ...], where: Where) -> MatchRule:
    pattern_key = key
    if isinstance(raw, dict):
        _no_unknown(raw, key, RULE_KEYS, f"an {action} rule")
        given = [name for name in ("match", "keyword") if name in raw]
        if len(given) != 1:
            raise TreeError(key, f"give exactly one of `match` (a keyword or /regex/flags) and `keyword` "
                                 f"(literal text), got {', '.join(given) or 'neither'}")
        if "fields" in raw:
            fields = parse_fields(raw["fields"], f"{key}.fields")
        pattern_key = f"{key}.{given[0]}"
        value, literal = raw[given[0]], given[0] == "keyword"
    else:
        value, literal = raw, False
    if not isinstance(value, str):
        raise TreeError(pattern_key, f"must be a keyword or /regex/flags, got {value!r}")
    try:
        pattern = compile_pattern(value, literal=literal)
    except PatternError as exc:
        raise TreeError(pattern_key, str(exc)) from None
    return MatchRule(action, pattern, fields, key, where(key))


def parse_rewrite(raw: Any, key: str, where: Where) -> RewriteRule:
    if not isinstance(raw, dict):
        raise TreeError(key, "must be a mapping such as `{pattern: 【广告】}` or "
                             "`{pattern: \"/\\\\s*-\\\\s*来源$/\", field: title, replace: \"\"}`")
    _no_unknown(raw, key, REWRITE_KEYS, "a rewrite rule")
    if "pattern" not in raw:
        raise TreeError(f"{key}.pattern", "is required (the text or /regex/flags to replace)")
    try:
        regex = rewrite_regex(raw["pattern"])
    except PatternError as exc:
        raise TreeError(f"{key}.pattern", str(exc)) from None
    fields = parse_fields(raw.get("field", "title"), f"{key}.field")
    wrong = [f for f in fields if f not in REWRITE_FIELDS]
    if wrong:
        raise TreeError(f"{key}.field", f"a rewrite changes {' or '.join(REWRITE_FIELDS)}, not {wrong[0]}")
    replacement = raw.get("replace", "")
    if not isinstance(replacement, str):
        raise TreeError(f"{key}.replace", f"must be text (\\1 or \\g<name> for a group), got {replacement!r}")
    try:
        regex.sub(replacement, "")  # checks the template's group references now, not on the first match
    except (re.error, IndexError) as exc:
        raise TreeError(f"{key}.replace",
                        f"{replacement!r} is not a valid replacement for {raw['pattern']}: {exc}") from None
    return RewriteRule(fields, regex, replacement, raw["pattern"], key, where(key))


def _no_unknown(raw: dict, key: str, known, what: str) -> None:
    for name in raw:
        if name not in known:
            close = difflib.get_close_matches(str(name), list(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise TreeError(f"{key}.{name}", f"unknown key in {what}; {hint}known keys: {', '.join(known)}")
