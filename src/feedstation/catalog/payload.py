"""Untrusted `/api/namespace` JSON → validated namespaces (malformed routes counted, not raised), and back."""

from __future__ import annotations

import re
from typing import Any

from feedstation.catalog.model import Namespace, RadarRule, Route

# Namespace keys are the first path segment of every route (`zhihu`, `36kr`, `163`).
_NAMESPACE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# Route paths are URL paths relative to the namespace; whitespace or control characters mean a broken
# payload. RSSHub serves paths without their leading slash and `''` too (its router joins them).
_ROUTE_PATH = re.compile(r"^[^\s\x00-\x1f]{0,500}$")
_MAX_TEXT = 20_000  # a description longer than this is not documentation


class Malformed(ValueError):
    """One namespace or route entry has the wrong shape; it is skipped and counted."""


def read_namespaces(data: Any) -> tuple[tuple[Namespace, ...], int]:
    """Validate a decoded `/api/namespace` payload: (namespaces sorted by key, skipped entry count)."""
    namespaces, skipped = read_namespaces_reporting(data)
    return namespaces, len(skipped)


def read_namespaces_reporting(data: Any) -> tuple[tuple[Namespace, ...], tuple[str, ...]]:
    """Validate a decoded `/api/namespace` payload: (namespaces sorted by key, one reason per skipped entry).

    Accepts what RSSHub itself serves: a path without its leading slash (RSSHub's router joins
    it to the namespace all the same) and `''` (the namespace root). A bad entry is skipped
    alone: one bad path of a route's list, one bad route of a namespace. Raises Malformed only
    when the payload as a whole is not a mapping of namespaces.
    """
    if not isinstance(data, dict):
        raise Malformed(f"expected a JSON object keyed by namespace, got {type(data).__name__}")
    namespaces: list[Namespace] = []
    skipped: list[str] = []
    for key, raw in data.items():
        if not (isinstance(key, str) and _NAMESPACE_KEY.match(key)) or not isinstance(raw, dict):
            skipped.append(f"namespace {str(key)[:100]!r}: not a namespace key with an object")
            continue
        routes: list[Route] = []
        seen: set[tuple] = set()
        raw_routes = raw.get("routes", {})
        if not isinstance(raw_routes, dict):
            skipped.append(f"{key}: routes is not an object")
            raw_routes = {}
        defaults = _str_list_or_empty(raw.get("categories"))
        for route_key, raw_route in raw_routes.items():
            try:
                route, dropped = _read_route(key, route_key, raw_route, defaults)
            except Malformed as exc:
                skipped.append(f"{key} {str(route_key)[:200]!r}: {exc}")
                continue
            skipped.extend(f"{key} {str(route_key)[:200]!r}: {reason}" for reason in dropped)
            # A route declared with several paths is listed once per path.
            identity = (route.paths, route.name)
            if identity not in seen:
                seen.add(identity)
                routes.append(route)
        if routes:
            namespaces.append(Namespace(
                key=key,
                name=_text(raw.get("name")) or key,
                url=_text(raw.get("url")) or None,
                lang=_text(raw.get("lang")) or None,
                description=_text(raw.get("description")),
                routes=tuple(sorted(routes, key=lambda r: r.paths)),
            ))
    return tuple(sorted(namespaces, key=lambda ns: ns.key)), tuple(skipped)


def _text(value: Any) -> str:
    """Optional descriptive text: a wrong type is treated as absent, not as a broken route."""
    return value[:_MAX_TEXT] if isinstance(value, str) else ""


def _str_list(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Malformed(f"{field} must be a list of strings")
    return tuple(value)


def _str_list_or_empty(value: Any) -> tuple[str, ...]:
    """A list of strings where one is optional decoration: a wrong shape counts as absent."""
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _route_path(path: Any) -> str | None:
    """A route path as RSSHub mounts it (`anime/:x` → `/anime/:x`, `''` → `/`), or None if unusable."""
    if not isinstance(path, str) or not _ROUTE_PATH.match(path):
        return None
    if path == "*" or path.startswith("/"):
        return path
    return "/" + path


def _read_route(namespace: str, key: Any, raw: Any, default_categories: tuple[str, ...]) -> tuple[Route, list[str]]:
    """One route and the reasons for any path entries dropped from it; Malformed when nothing usable is left."""
    if not isinstance(raw, dict):
        raise Malformed("route is not an object")
    path = raw.get("path", key)
    listed = [path] if isinstance(path, str) else path if isinstance(path, list | tuple) else []
    paths = [p for p in map(_route_path, listed) if p is not None]
    dropped = [f"path entry {p!r} is not a route path" for p in listed if _route_path(p) is None]
    if not paths:
        raise Malformed("path must be a route path or a non-empty list of them")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        raise Malformed("name must be a non-empty string")
    example = raw.get("example")
    if not (isinstance(example, str) and len(example) <= 2000):
        example = None
    return Route(
        namespace=namespace,
        paths=tuple(dict.fromkeys(paths)),
        name=name.strip(),
        # RSSHub lets a namespace carry the categories of routes that declare none.
        categories=_str_list_or_empty(raw.get("categories")) or default_categories,
        example=example or None,
        parameters=_lenient(_read_parameters, raw.get("parameters")),
        features=_lenient(_read_features, raw.get("features")),
        maintainers=_str_list_or_empty(raw.get("maintainers")),
        description=_text(raw.get("description")),
        radar=_read_radar(raw.get("radar")),
    ), dropped


# Bounds for an untrusted payload, far above what RSSHub serves: its largest route has 306 radar rules
# (meishichina's recipe categories, one rule per page), its largest rule 12 sources.
_MAX_RULES = 2000
_MAX_SOURCES = 50


def _read_radar(raw: Any) -> tuple[RadarRule, ...]:
    """Radar rules as served (a list, or one object); malformed rules or sources are left out one by one."""
    rules = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    out = []
    for rule in rules[:_MAX_RULES]:
        if not isinstance(rule, dict):
            continue
        source = rule.get("source")
        sources = [source] if isinstance(source, str) else source if isinstance(source, list) else []
        sources = [s.strip() for s in sources if isinstance(s, str) and s.strip() and len(s) <= 500
                   and not any(c.isspace() for c in s.strip())]
        target = rule.get("target")
        if sources:
            out.append(RadarRule(sources=tuple(sources[:_MAX_SOURCES]),
                                 target=target if isinstance(target, str) and len(target) <= 500 else None,
                                 title=_text(rule.get("title"))[:200] or None))
    return tuple(out)


def _lenient(read, value: Any) -> tuple:
    """Documentation fields of the wrong shape are left out; they never cost the route itself."""
    try:
        return read(value)
    except Malformed:
        return ()


def _read_parameters(raw: Any) -> tuple[tuple[str, str], ...]:
    """`{name: "text"}`, or RSSHub's richer `{name: {description, default, options}}`."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise Malformed("parameters must be an object")
    out: list[tuple[str, str]] = []
    for name, value in raw.items():
        if isinstance(value, str):
            out.append((name, value[:_MAX_TEXT]))
        elif isinstance(value, dict):
            text = _text(value.get("description"))
            if isinstance(value.get("default"), str | int | float) and not isinstance(value.get("default"), bool):
                text += f" (default: {value['default']})"
            options = value.get("options")
            if isinstance(options, list):
                values = [str(o.get("value")) for o in options if isinstance(o, dict) and isinstance(o.get("value"), str | int)]
                if values:
                    text += " — options: " + ", ".join(values[:50])
            out.append((name, text.strip()))
        else:
            raise Malformed(f"parameter {name!r} must be text or an object")
    return tuple(out)


def _read_features(raw: Any) -> tuple[tuple[str, str], ...]:
    """Keep only features that are switched on, as short text (`requireConfig` → its variable names)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise Malformed("features must be an object")
    out: list[tuple[str, str]] = []
    for name, value in raw.items():
        if value is True:
            out.append((name, "yes"))
        elif isinstance(value, str) and value:
            out.append((name, value[:500]))
        elif isinstance(value, list) and value:
            out.append((name, ", ".join(_config_names(value))[:500] or "yes"))
    return tuple(out)


def _config_names(value: list) -> list[str]:
    """`requireConfig` entries → `ZHIHU_COOKIES (optional)`, so a user sees which variables a route needs."""
    names = []
    for entry in value:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"] + (" (optional)" if entry.get("optional") is True else ""))
    return names


def dump_namespaces(namespaces: tuple[Namespace, ...]) -> dict[str, Any]:
    """The validated catalog in the `/api/namespace` shape, so loading the cache reuses `read_namespaces`."""
    out: dict[str, Any] = {}
    for ns in namespaces:
        routes: dict[str, Any] = {}
        for route in ns.routes:
            key = route.paths[0]
            while key in routes:  # two routes may share a first path; the key is only a label
                key += "#"
            routes[key] = {
                "path": route.paths[0] if len(route.paths) == 1 else list(route.paths),
                "name": route.name,
                "categories": list(route.categories),
                "example": route.example,
                "parameters": dict(route.parameters),
                "features": dict(route.features),
                "maintainers": list(route.maintainers),
                "description": route.description,
                "radar": [{"source": list(r.sources), "target": r.target, "title": r.title} for r in route.radar],
            }
        out[ns.key] = {"name": ns.name, "url": ns.url, "lang": ns.lang, "description": ns.description, "routes": routes}
    return out
