"""Pure queries on a catalog: resolve a path to its route, search by words, place config routes in the tree."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence

from feedstation.catalog.categories import route_category_name
from feedstation.catalog.model import Catalog, MatchedRoute, RouteSpec
from feedstation.catalog.patterns import match_pattern, normalise_path, unfilled_message, unfilled_parameters
from feedstation.errors import CatalogError
from feedstation.models import Source


def find_route(catalog: Catalog, path: str) -> MatchedRoute | None:
    """The route serving `path` (an example such as `/zhihu/hot/science`, or a pattern itself).

    Only the namespace named by the first segment is searched; among its matching
    patterns the most specific wins (static segments beat params, left to right).
    """
    raw = path.strip()
    raw = raw if raw.startswith("/") else "/" + raw
    wanted = normalise_path(raw)
    namespace = catalog.namespace(wanted.split("/")[1])
    if namespace is None:
        return None
    best: tuple[tuple, MatchedRoute] | None = None
    for route in namespace.routes:
        for pattern in route.full_paths:
            if raw == pattern:  # the user pasted the pattern itself, `?` and all
                return MatchedRoute(namespace, route, pattern)
            found = match_pattern(pattern, wanted)
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], MatchedRoute(namespace, route, pattern, found[0]))
    return best[1] if best else None


def search_routes(catalog: Catalog, words: str, *, include_nsfw: bool = False) -> list[MatchedRoute]:
    """Routes whose namespace, site name, route name or path contain every word (case-insensitive).

    Plain substring tests, so CJK words need no segmentation: `热榜` finds 知乎热榜. Best first:
    an exact namespace, site or route name, then whole-word matches in those names, then
    whole words anywhere, then substrings (`test` finds "RSSHub Test" before "Latest");
    catalog order within each rank. Routes RSSHub marks `nsfw` only with `include_nsfw`.
    """
    query = " ".join(words.casefold().split())
    terms = query.split()
    if not terms:
        return []
    words_of = [re.compile(rf"(?<![^\W_]){re.escape(term)}(?![^\W_])") for term in terms]
    ranked: list[tuple[int, int, MatchedRoute]] = []
    for namespace in catalog.namespaces:
        names = (namespace.key.casefold(), namespace.name.casefold())
        for route in namespace.routes:
            if route.nsfw and not include_nsfw:
                continue
            titles = "\n".join((*names, route.name.casefold()))
            haystack = "\n".join((titles, *route.full_paths)).casefold()
            if not all(term in haystack for term in terms):
                continue
            if query in (*names, route.name.casefold()) or query == f"{names[1]} {route.name.casefold()}":
                rank = 0
            elif all(w.search(titles) for w in words_of):
                rank = 1
            elif all(w.search(haystack) for w in words_of):
                rank = 2
            else:
                rank = 3
            ranked.append((rank, len(ranked), MatchedRoute(namespace, route, route.full_paths[0])))
    return [match for _, _, match in sorted(ranked, key=lambda r: r[:2])]


def place_routes(specs: Sequence[RouteSpec], catalog: Catalog, *, language: str = "zh-CN") -> list[Source]:
    """Each spec → Source(category, site, channel, "rsshub:" + path); the spec's own names win.

    Two specs of one parameterised route (`/zhihu/hot/science`, `/zhihu/hot/digital`)
    would share one channel, so on such a clash the captured values are added to the
    channel name: `知乎分类热榜 (science)`.
    """
    placed: list[tuple[RouteSpec, MatchedRoute, Source]] = []
    for spec in specs:
        match = find_route(catalog, spec.path)
        unfilled = unfilled_parameters(spec.path)
        if unfilled:
            raise CatalogError(unfilled_route_message(catalog, spec.path.strip(), unfilled))
        if match is None:
            raise CatalogError(unknown_route_message(catalog, spec.path))
        path = spec.path.strip()
        source = Source(
            category=spec.category or route_category_name(match.route.categories, language),
            site=spec.site or match.site,
            channel=spec.channel or match.route.name,
            url="rsshub:" + (path if path.startswith("/") else "/" + path),
        )
        placed.append((spec, match, source))
    clashes = Counter(source.tree for _, _, source in placed)
    sources: list[Source] = []
    for spec, match, source in placed:
        if clashes[source.tree] > 1 and spec.channel is None and match.params:
            values = "/".join(value for _, value in match.params)
            source = Source(source.category, source.site, f"{source.channel} ({values})", source.url)
        sources.append(source)
    return sources


def unfilled_route_message(catalog: Catalog, path: str, unfilled: tuple[str, ...]) -> str:
    """`… still holds the parameter :category?: … (example: /zhihu/hot)`, the example from the route serving `path`;
    a route RSSHub gives no example for is pointed to `routes show`, which describes its parameters."""
    match = find_route(catalog, path)
    message = unfilled_message(path, unfilled, *((match.route.example, match.pattern) if match else (None, None)))
    if match is None or not match.route.example:
        message += f"; `feedstation routes show {path}` describes its parameters"
    return message


def suggest_paths(catalog: Catalog, path: str, n: int = 3) -> list[str]:
    """Known examples and patterns closest to `path`, from its own namespace when that exists."""
    wanted = normalise_path(path)
    namespace = catalog.namespace(wanted.split("/")[1])
    pool = [namespace] if namespace is not None else list(catalog.namespaces)
    candidates: dict[str, None] = {}  # a dict keeps first-seen order and drops repeats
    for ns in pool:
        for route in ns.routes:
            if route.example:
                candidates[route.example] = None
            candidates.update(dict.fromkeys(route.full_paths))
    return difflib.get_close_matches(wanted, list(candidates), n=n, cutoff=0.5 if namespace else 0.6)


def closest_routes_hint(catalog: Catalog, path: str) -> str:
    """For an RSSHub 404 on `path`: `; closest routes in the catalog: /zhihu/hot, …`, or a pointer to search.

    The closest first, by similarity; examples can be fetched as they are, patterns need their parameters.
    """
    suggestions = suggest_paths(catalog, path, n=3)
    if not suggestions:
        return "; no close route in the catalog: find one with `feedstation routes search WORDS`"
    return f"; closest routes in the catalog: {', '.join(suggestions)}"


def unknown_route_message(catalog: Catalog, path: str) -> str:
    suggestions = suggest_paths(catalog, path)
    closest = f" (closest: {', '.join(suggestions)})" if suggestions else ""
    return (
        f"RSSHub route {path} is not in the route catalog{closest}; "
        "find routes with `feedstation routes search WORDS`, or refresh the catalog with `feedstation routes update`"
    )
