"""`feedstation routes …`: thin commands over feedstation.catalog (update, search, show, add)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from feedstation.catalog import (
    Catalog,
    MatchedRoute,
    RouteSpec,
    add_route_to_config,
    find_route,
    load_catalog,
    place_routes,
    route_category_name,
    search_routes,
    update_catalog,
)
from feedstation.catalog.lookup import unknown_route_message
from feedstation.catalog.patterns import normalise_path
from feedstation.catalog.radar import has_radar_rules, routes_for_url, site_routes_near
from feedstation.cli.common import config_option, console, load, reports_errors
from feedstation.config import load_config
from feedstation.errors import CatalogError

# Route names, descriptions and instance answers are downloaded text: every value is
# printed as Text (never markup), so a `[link=…]` in a route name stays literal.


@click.group("routes")
def routes() -> None:
    """Find RSSHub routes and place them in the tree.

    The catalog is RSSHub's own route list (`/api/namespace`), downloaded once with
    `routes update` and cached next to the database.

    \b
    Example:
      feedstation routes update
      feedstation routes search 知乎
      feedstation routes add /zhihu/hot
    """


@routes.command("update", short_help="Download the route catalog from an RSSHub instance.")
@config_option
@click.option("--timeout", default=30.0, show_default=True, help="seconds allowed per instance")
@reports_errors
def update_command(config_path: Path | None, timeout: float) -> None:
    """Download the route catalog from the first RSSHub instance that answers.

    Instances are tried in the order of `rsshub.instances`; routes with a
    malformed description are skipped and counted.

    \b
    Example:
      feedstation routes update --config site/feedstation.yaml
    """
    config = load_config(config_path, without_sources=True)  # a bad leaf must not block the catalog that fixes it
    report = update_catalog(config.rsshub.urls, config.catalog_path, timeout=timeout,
                            user_agent=config.fetch.user_agent, access_keys=config.rsshub_access_keys())
    for instance, reason in report.failures:
        console.print(Text.assemble(("passed over ", "yellow"), f"{instance}: {reason}"))
    skipped = f", {report.skipped} malformed entries skipped" if report.skipped else ""
    console.print(Text(f"Route catalog from {report.instance}: {report.namespaces} namespaces, "
                       f"{report.routes} routes{skipped} → {report.path}"))
    for reason in report.skipped_reasons[:20]:
        console.print(Text.assemble(("  skipped ", "yellow"), reason))
    if report.skipped > 20:
        console.print(Text(f"  … and {report.skipped - 20} more (run with -vv for all)"))


@routes.command("search", short_help="Search routes by site, name or path.")
@config_option
@click.option("--limit", default=50, show_default=True, help="show at most this many routes")
@click.option("--nsfw", is_flag=True, help="include routes RSSHub marks nsfw (adult content)")
@click.argument("words", nargs=-1, required=True)
@reports_errors
def search_command(config_path: Path | None, limit: int, nsfw: bool, words: tuple[str, ...]) -> None:
    """Search routes by namespace, site name, route name or path; every word must match.

    Matching ignores case and works on Chinese substrings. Exact and whole-word matches
    of a site or route name come first. Routes marked nsfw are shown only with --nsfw.

    \b
    Example:
      feedstation routes search 热榜
      feedstation routes search github trending
    """
    config = load(config_path)
    catalog = load_catalog(config.catalog_path)
    found = search_routes(catalog, " ".join(words), include_nsfw=nsfw)
    hidden = 0 if nsfw else len(search_routes(catalog, " ".join(words), include_nsfw=True)) - len(found)
    hidden_note = f"{hidden} route{'s' if hidden != 1 else ''} marked nsfw also match; add --nsfw to list them"
    if not found:
        console.print(Text(f"No route matches {' '.join(words)!r}; "
                           + (hidden_note if hidden else "try fewer or shorter words.")))
        return
    console.print(_results_table(found[:limit], config.site.language))
    if len(found) > limit:
        console.print(Text(f"showing {limit} of {len(found)} routes; add words or pass --limit"))
    if hidden:
        console.print(Text(hidden_note))


def _results_table(found: list[MatchedRoute], language: str) -> Table:
    table = Table(show_lines=False)
    for column in ("category", "site", "route", "path", "example", "parameters"):
        table.add_column(column, overflow="fold")
    for match in found:
        route = match.route
        table.add_row(*map(Text, (
            route_category_name(route.categories, language),
            match.site,
            route.name + (" (nsfw)" if route.nsfw else ""),
            "\n".join(route.full_paths),
            route.example or "",
            ", ".join(name for name, _ in route.parameters),
        )))
    return table


@routes.command("show", short_help="Show one route's metadata.")
@config_option
@click.argument("path")
@reports_errors
def show_command(config_path: Path | None, path: str) -> None:
    """Show one route's metadata; an example path resolves to its route pattern.

    \b
    Example:
      feedstation routes show /zhihu/hot
      feedstation routes show /ithome/soft
    """
    config = load(config_path)
    catalog = load_catalog(config.catalog_path)
    match = find_route(catalog, path)
    if match is None:
        raise CatalogError(unknown_route_message(catalog, path))
    console.print(_details_table(match, path, catalog, config.site.language))
    if match.route.parameters:
        params = Table("parameter", "value here", "description", title="parameters")
        captured = dict(match.params)
        for name, text in match.route.parameters:
            params.add_row(Text(name), Text(captured.get(name, "")), Text(text))
        console.print(params)
    if match.route.description:
        console.print(Text(match.route.description))


def _details_table(match: MatchedRoute, path: str, catalog: Catalog, language: str) -> Table:
    route = match.route
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows = [
        ("category", f"{route_category_name(route.categories, language)} ({', '.join(route.categories) or '-'})"),
        ("site", f"{match.site} ({match.namespace.key}{', ' + match.namespace.url if match.namespace.url else ''})"),
        ("route", route.name),
        ("pattern", match.pattern),
        ("other paths", "\n".join(p for p in route.full_paths if p != match.pattern)),
        ("example", route.example or ""),
        ("add with", f"feedstation routes add {_concrete(path, route.example)}"),
        ("features", ", ".join(f"{k}: {v}" for k, v in route.features)),
        ("maintainers", ", ".join(route.maintainers)),
        ("catalog", f"{catalog.instance or '?'} at {catalog.fetched_at.isoformat() if catalog.fetched_at else '?'}"),
    ]
    for key, value in rows:
        if value:
            table.add_row(key, Text(value))
    return table


def _concrete(path: str, example: str | None) -> str:
    """A path one can subscribe to: the one asked about, or the example when it was a pattern."""
    return example or "" if ":" in path or "*" in path else normalise_path(path)


@routes.command("for", short_help="Which routes serve this web page (RSSHub Radar rules).")
@config_option
@click.argument("url")
@reports_errors
def for_command(config_path: Path | None, url: str) -> None:
    """List the routes whose RSSHub Radar rules match a web page, with parameters filled in.

    The rules come with the catalog (`routes update`), so this works offline. Each path
    is ready for `routes add`.

    \b
    Example:
      feedstation routes for https://www.zhihu.com/people/someone/pins
      feedstation routes for https://github.com/DIYgod/RSSHub/issues
    """
    config = load(config_path)
    catalog = load_catalog(config.catalog_path)
    if not has_radar_rules(catalog):
        raise CatalogError("the cached route catalog has no radar rules (it predates them): "
                           "run `feedstation routes update`")
    found = routes_for_url(catalog, url)
    if not found:
        near = site_routes_near(catalog, url)
        hint = f"; routes of that site closest to the page: {', '.join(near)}" if near else \
            "; find routes with `feedstation routes search WORDS`"
        console.print(Text(f"No route's radar rule matches {url}{hint}"))
        return
    table = Table("site", "route", "path", "add with", show_lines=False)
    for match in found:
        command = f"feedstation routes add {match.path}"
        if match.unfilled:
            command = f"fill in {', '.join(match.unfilled)} first"
        table.add_row(*map(Text, (match.namespace.name, match.route.name + (" (nsfw)" if match.route.nsfw else ""),
                                  match.path, command)))
    console.print(table)


@routes.command("add", short_help="Add a route to the config's rsshub.routes.")
@config_option
@click.option("--category", help="category instead of the catalog's (e.g. 科技)")
@click.option("--site", help="site name instead of the namespace's (e.g. 知乎)")
@click.option("--channel", help="channel name instead of the route's")
@click.argument("path")
@reports_errors
def add_command(config_path: Path | None, path: str, category: str | None, site: str | None,
                channel: str | None) -> None:
    """Add a route to `rsshub.routes` in the config, keeping its comments and order.

    The path must be in the catalog (run `routes update` first); a path already
    listed is refused.

    \b
    Example:
      feedstation routes add /zhihu/hot
      feedstation routes add /ithome/soft --channel 软件之家
    """
    spec = RouteSpec(path=path, category=category, site=site, channel=channel)
    config = load(config_path)
    # Placing it first refuses a path the catalog does not know, with suggestions,
    # before the file is touched; config loading would fail on it later anyway.
    (source,) = place_routes([spec], load_catalog(config.catalog_path), language=config.site.language)
    add_route_to_config(config.path, spec)
    console.print(Text(f"Added {path} to rsshub.routes in {config.path}: {source.label}"))
