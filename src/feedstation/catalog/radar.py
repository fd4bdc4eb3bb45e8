"""`routes for URL`: the routes whose RSSHub Radar rules match a web page, with their parameters filled in.

RSSHub's catalog carries, for most routes, the rules its Radar browser extension uses: page URL patterns
(`www.zhihu.com/people/:id/pins`) and the route path they map to (`/people/pins/:id`, relative to the
namespace). This matches them offline, with the same pattern matcher as route lookup. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from feedstation.catalog.model import Catalog, Namespace, RadarRule, Route, full_path
from feedstation.catalog.patterns import match_pattern

_PARAM = re.compile(r"/?:([A-Za-z0-9_]+)(\{[^/]*\})?(\?)?")


@dataclass(frozen=True)
class RadarMatch:
    """A route that serves a page: the path to subscribe to, and the parameters Radar could not fill."""

    namespace: Namespace
    route: Route
    path: str  # e.g. /zhihu/people/pins/someone
    source: str  # the rule's page pattern that matched
    title: str | None = None
    unfilled: tuple[str, ...] = ()  # required params the page URL does not give (fill them in by hand)


def routes_for_url(catalog: Catalog, url: str) -> list[RadarMatch]:
    """Every route whose radar rule matches `url`, most specific rule first; one entry per path."""
    page = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    host = (page.hostname or "").lower()
    if not host:
        return []
    found: list[tuple[tuple, int, RadarMatch]] = []
    for namespace in catalog.namespaces:
        site_host = _host_of(namespace.url)
        for route in namespace.routes:
            for rule in route.radar:
                for source in rule.sources:
                    rule_host, rule_path = _split_source(source, site_host)
                    if not rule_host or not _same_host(rule_host, host):
                        continue
                    wanted = _page_path(page.path, page.fragment, "#" in rule_path)
                    matched = match_pattern(rule_path, wanted)
                    if matched is None:
                        continue
                    params, specificity = matched
                    path, unfilled = _fill(rule, route, dict(params))
                    match = RadarMatch(namespace, route, full_path(namespace.key, path), source, rule.title, unfilled)
                    found.append((specificity, len(found), match))
    # Complete paths first, then the most specific rule (static segments beat params), then catalog order.
    found.sort(key=lambda f: f[0], reverse=True)
    found.sort(key=lambda f: f[2].unfilled != ())
    out: dict[str, RadarMatch] = {}
    for _, _, match in found:
        out.setdefault(match.path, match)
    return list(out.values())


def has_radar_rules(catalog: Catalog) -> bool:
    return any(route.radar for ns in catalog.namespaces for route in ns.routes)


def _host_of(url: str | None) -> str:
    if not url:
        return ""
    return (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()


def _split_source(source: str, site_host: str) -> tuple[str, str]:
    """`www.zhihu.com/people/:id` → (host, path); a bare `/path` is on the namespace's own site."""
    if source.startswith("/"):
        return site_host, source
    host, _, path = source.partition("/")
    return host.lower(), "/" + path


def _same_host(rule_host: str, host: str) -> bool:
    """Exact host, `www.` optional on either side, or a `*.` rule for any subdomain."""
    if rule_host.startswith("*."):
        return host == rule_host[2:] or host.endswith(rule_host[1:])
    strip = lambda h: h[4:] if h.startswith("www.") else h  # noqa: E731
    return strip(rule_host) == strip(host)


def _page_path(path: str, fragment: str, with_fragment: bool) -> str:
    """The page path as rules are written: no trailing slash; `#/…` kept for single-page sites' rules."""
    path = (path or "/").rstrip("/") or "/"
    if with_fragment and fragment:
        path = path.rstrip("/") + "/#" + ("/" + fragment.strip("/") if fragment.strip("/") else "")
    return path.rstrip("/") or "/"


def _fill(rule: RadarRule, route: Route, params: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The rule's target (else the route's path) with captured values in place; optional params
    without a value are dropped, required ones are left as `:name` and reported."""
    target = rule.target or route.paths[0]  # RSSHub Radar: no (or an empty) target means the route's path
    unfilled: list[str] = []

    def value(match: re.Match) -> str:
        name, optional = match.group(1), bool(match.group(3))
        lead = "/" if match.group(0).startswith("/") else ""
        if params.get(name):
            return lead + params[name]
        if optional:
            return ""
        unfilled.append(":" + name)
        return lead + ":" + name

    path = _PARAM.sub(value, target)
    return (path if path.startswith("/") else "/" + path) or "/", tuple(unfilled)


def site_routes_near(catalog: Catalog, url: str, n: int = 3) -> list[str]:
    """No radar rule matched: the routes closest to the page path in namespaces on the page's site
    (`https://www.zhihu.com/hot` → `/zhihu/hot`, …). RSSHub has no rule for many list pages."""
    from feedstation.catalog.lookup import suggest_paths

    page = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    host = (page.hostname or "").lower()
    out: dict[str, None] = {}
    for namespace in catalog.namespaces:
        if host and _host_of(namespace.url) and _on_site(host, _host_of(namespace.url)):
            out.update(dict.fromkeys(suggest_paths(catalog, f"/{namespace.key}{page.path.rstrip('/')}", n=n)))
    return list(out)[:n]


def _on_site(host: str, site_host: str) -> bool:
    """`home.meishichina.com` is on the site `meishichina.com` (a namespace names its site's main host)."""
    site = site_host[4:] if site_host.startswith("www.") else site_host
    return _same_host(site_host, host) or host.endswith("." + site)
