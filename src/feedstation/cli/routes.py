"""`feedstation routes …`: thin commands over feedstation.catalog (update, search, show, add)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

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
from feedstation.errors import CatalogError, FeedstationError

DEFAULT_CONFIG = "feedstation.yaml"
config_option = click.option(
    "--config", "config_file", default=DEFAULT_CONFIG, show_default=True,
    type=click.Path(dir_okay=False, path_type=Path), help="config file naming the RSSHub instances",
)


def _console() -> Console:
    # Created per command so CliRunner's captured stdout is the one written to.
    return Console(highlight=False, soft_wrap=False)


def _config(config_file: Path):
    from feedstation.config import load_config  # deferred: `routes --help` must not need a valid config

    return load_config(config_file)


def _fail(exc: FeedstationError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group("routes")
def routes() -> None:
    """Find RSSHub routes and place them in the tree.

    The catalog is RSSHub's own route list (`/api/namespace`), downloaded once with
    `routes update` and cached next to the database.

    \b
    Example:
      feedstation routes update
      feedstation routes search 知乎
      feedstation routes add /zhihu/hotlist
    """


@routes.command("update")
@config_option
@click.option("--timeout", default=30.0, show_default=True, help="seconds allowed per instance")
def update_command(config_file: Path, timeout: float) -> None:
    """Download the route catalog from the first RSSHub instance that answers.

    Instances are tried in the order of `rsshub.instances`; routes with a
    malformed description are skipped and counted.

    \b
    Example:
      feedstation routes update --config site/feedstation.yaml
    """
    console = _console()
    try:
        config = _config(config_file)
        report = update_catalog(config.rsshub.instances, config.catalog_path, timeout=timeout)
    except FeedstationError as exc:
        raise _fail(exc) from None
    for instance, reason in report.failures:
        console.print(f"[yellow]passed over[/] {instance}: {reason}")
    skipped = f", {report.skipped} malformed skipped" if report.skipped else ""
    console.print(f"Route catalog from {report.instance}: {report.namespaces} namespaces, "
                  f"{report.routes} routes{skipped} → {report.path}")


@routes.command("search")
@config_option
@click.option("--limit", default=50, show_default=True, help="show at most this many routes")
@click.argument("words", nargs=-1, required=True)
def search_command(config_file: Path, limit: int, words: tuple[str, ...]) -> None:
    """Search routes by namespace, site name, route name or path; every word must match.

    Matching ignores case and works on Chinese substrings.

    \b
    Example:
      feedstation routes search 热榜
      feedstation routes search github trending
    """
    console = _console()
    try:
        config = _config(config_file)
        catalog = load_catalog(config.catalog_path)
    except FeedstationError as exc:
        raise _fail(exc) from None
    found = search_routes(catalog, " ".join(words))
    if not found:
        console.print(f"No route matches {' '.join(words)!r}; try fewer or shorter words.")
        return
    console.print(_results_table(found[:limit], config.site.language))
    if len(found) > limit:
        console.print(f"showing {limit} of {len(found)} routes; add words or pass --limit")


def _results_table(found: list[MatchedRoute], language: str) -> Table:
    table = Table(show_lines=False)
    for column in ("category", "site", "route", "path", "example", "parameters"):
        table.add_column(column, overflow="fold")
    for match in found:
        route = match.route
        table.add_row(
            route_category_name(route.categories, language),
            match.site,
            route.name,
            "\n".join(route.full_paths),
            route.example or "",
            ", ".join(name for name, _ in route.parameters),
        )
    return table


@routes.command("show")
@config_option
@click.argument("path")
def show_command(config_file: Path, path: str) -> None:
    """Show one route's metadata; an example path resolves to its route pattern.

    \b
    Example:
      feedstation routes show /zhihu/hotlist
      feedstation routes show /zhihu/hot/science
    """
    console = _console()
    try:
        config = _config(config_file)
        catalog = load_catalog(config.catalog_path)
        match = find_route(catalog, path)
        if match is None:
            raise CatalogError(unknown_route_message(catalog, path))
    except FeedstationError as exc:
        raise _fail(exc) from None
    console.print(_details_table(match, path, catalog, config.site.language))
    if match.route.parameters:
        params = Table("parameter", "value here", "description", title="parameters")
        captured = dict(match.params)
        for name, text in match.route.parameters:
            params.add_row(name, captured.get(name, ""), text)
        console.print(params)
    if match.route.description:
        console.print(match.route.description)


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
            table.add_row(key, value)
    return table


def _concrete(path: str, example: str | None) -> str:
    """A path one can subscribe to: the one asked about, or the example when it was a pattern."""
    return example or "" if ":" in path or "*" in path else normalise_path(path)


@routes.command("add")
@config_option
@click.option("--category", help="category instead of the catalog's (e.g. 科技)")
@click.option("--site", help="site name instead of the namespace's (e.g. 知乎)")
@click.option("--channel", help="channel name instead of the route's")
@click.argument("path")
def add_command(config_file: Path, path: str, category: str | None, site: str | None, channel: str | None) -> None:
    """Add a route to `rsshub.routes` in the config, keeping its comments and order.

    The path must be in the catalog (run `routes update` first); a path already
    listed is refused.

    \b
    Example:
      feedstation routes add /zhihu/hotlist
      feedstation routes add /zhihu/hot/science --channel 知乎科学热榜
    """
    console = _console()
    spec = RouteSpec(path=path, category=category, site=site, channel=channel)
    try:
        config = _config(config_file)
        catalog = load_catalog(config.catalog_path)
        (source,) = place_routes([spec], catalog, language=config.site.language)
        add_route_to_config(config_file, spec)
    except FeedstationError as exc:
        raise _fail(exc) from None
    console.print(f"Added {path} to rsshub.routes in {config_file}: {source.label}")
