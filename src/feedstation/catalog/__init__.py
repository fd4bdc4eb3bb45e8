"""The RSSHub route catalog: download `/api/namespace`, cache it, find and search routes, place them in the tree.

The names below are imported from their submodules on first use (PEP 562), so importing one light
submodule (`catalog.patterns`, which the config loader needs) does not import the downloader and
with it aiohttp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "NO_CATALOG": "cache", "load_catalog": "cache", "save_catalog": "cache",
    "category_name": "categories", "primary_category": "categories", "route_category_name": "categories",
    "add_route_to_config": "config_edit",
    "update_catalog": "download",
    "closest_routes_hint": "lookup", "find_route": "lookup", "place_routes": "lookup", "search_routes": "lookup",
    "suggest_paths": "lookup", "unfilled_route_message": "lookup",
    "Catalog": "model", "MatchedRoute": "model", "Namespace": "model", "Route": "model", "RouteSpec": "model",
    "UpdateReport": "model",
}

__all__ = sorted(_WHERE)

if TYPE_CHECKING:
    from feedstation.catalog.cache import NO_CATALOG, load_catalog, save_catalog
    from feedstation.catalog.categories import category_name, primary_category, route_category_name
    from feedstation.catalog.config_edit import add_route_to_config
    from feedstation.catalog.download import update_catalog
    from feedstation.catalog.lookup import (closest_routes_hint, find_route, place_routes, search_routes, suggest_paths,
                                            unfilled_route_message)
    from feedstation.catalog.model import Catalog, MatchedRoute, Namespace, Route, RouteSpec, UpdateReport


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
