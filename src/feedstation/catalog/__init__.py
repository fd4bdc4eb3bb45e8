"""The RSSHub route catalog: download `/api/namespace`, cache it, find and search routes, place them in the tree."""

from feedstation.catalog.cache import NO_CATALOG, load_catalog, save_catalog
from feedstation.catalog.categories import category_name, primary_category, route_category_name
from feedstation.catalog.config_edit import add_route_to_config
from feedstation.catalog.download import update_catalog
from feedstation.catalog.lookup import closest_routes_hint, find_route, place_routes, search_routes, suggest_paths
from feedstation.catalog.model import Catalog, MatchedRoute, Namespace, Route, RouteSpec, UpdateReport

__all__ = [
    "NO_CATALOG",
    "Catalog",
    "MatchedRoute",
    "Namespace",
    "Route",
    "RouteSpec",
    "UpdateReport",
    "add_route_to_config",
    "category_name",
    "closest_routes_hint",
    "find_route",
    "load_catalog",
    "place_routes",
    "primary_category",
    "route_category_name",
    "save_catalog",
    "search_routes",
    "suggest_paths",
    "update_catalog",
]
