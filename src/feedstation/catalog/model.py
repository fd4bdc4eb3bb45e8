"""Frozen dataclasses of the RSSHub route catalog: namespaces, routes, matches and update reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RouteSpec:
    """One entry of config `rsshub.routes`: "/zhihu/hot" or {path, category?, site?, channel?}."""

    path: str
    category: str | None = None
    site: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class RadarRule:
    """One RSSHub Radar rule: page URL patterns (`www.zhihu.com/people/:id/pins`) → a route path.

    `target` is relative to the namespace, with the sources' params (`/people/pins/:id`);
    None means the route's own path. A source without a host is on the namespace's site.
    """

    sources: tuple[str, ...]
    target: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Route:
    """One RSSHub route as its namespace declares it; `paths` are relative to the namespace."""

    namespace: str
    paths: tuple[str, ...]  # e.g. ("/hot/:category?",); RSSHub allows several per route
    name: str
    categories: tuple[str, ...] = ()  # RSSHub keys, e.g. ("popular", "programming")
    example: str | None = None  # a full path, e.g. "/zhihu/hot/science"
    parameters: tuple[tuple[str, str], ...] = ()  # (name, description)
    features: tuple[tuple[str, str], ...] = ()  # (feature, short value), only the ones that are set
    maintainers: tuple[str, ...] = ()
    description: str = ""
    radar: tuple[RadarRule, ...] = ()  # which web pages this route serves (RSSHub Radar)

    @property
    def nsfw(self) -> bool:
        """RSSHub's `nsfw` feature: adult content, left out of search unless asked for."""
        return any(name == "nsfw" for name, _ in self.features)

    @property
    def full_paths(self) -> tuple[str, ...]:
        """The patterns as requested from an instance: namespace + route path."""
        return tuple(full_path(self.namespace, p) for p in self.paths)


@dataclass(frozen=True)
class Namespace:
    """One site in RSSHub's sense (`zhihu` → 知乎) and its routes."""

    key: str
    name: str
    url: str | None = None
    lang: str | None = None
    description: str = ""
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The whole cached catalog and where it came from."""

    namespaces: tuple[Namespace, ...]
    instance: str | None = None
    fetched_at: datetime | None = None  # aware UTC
    skipped: int = 0  # malformed entries dropped when it was downloaded

    @property
    def route_count(self) -> int:
        return sum(len(ns.routes) for ns in self.namespaces)

    def namespace(self, key: str) -> Namespace | None:
        for ns in self.namespaces:
            if ns.key == key:
                return ns
        return None


@dataclass(frozen=True)
class MatchedRoute:
    """A route found by lookup or search, with the pattern that matched and the values it captured."""

    namespace: Namespace
    route: Route
    pattern: str  # full pattern, e.g. "/zhihu/hot/:category?"
    params: tuple[tuple[str, str], ...] = ()  # captured from the looked-up path, e.g. (("category", "science"),)

    @property
    def site(self) -> str:
        return self.namespace.name


@dataclass(frozen=True)
class UpdateReport:
    """What `update_catalog` stored: the instance that answered and how much it held."""

    instance: str
    namespaces: int
    routes: int
    skipped: int
    path: str = ""
    fetched_at: datetime | None = None
    failures: tuple[tuple[str, str], ...] = ()  # (instance, reason) of instances tried before it
    skipped_reasons: tuple[str, ...] = ()  # one line per skipped entry: where it was and why


def full_path(namespace: str, path: str) -> str:
    """`/hotlist` in `zhihu` → `/zhihu/hotlist`; `/` → `/zhihu`; RSSHub's bare `*` → `/zhihu/*`."""
    if path in ("", "/"):
        return f"/{namespace}"
    return f"/{namespace}{path if path.startswith('/') else '/' + path}"
