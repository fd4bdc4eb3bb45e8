"""The route catalog from a real RSSHub's `/api/namespace` (judge: RSSHub 1.0.0-master.6a664a8 on loopback)."""

from __future__ import annotations

import re

from feedstation.catalog import category_name, find_route, search_routes
from feedstation.catalog.categories import CATEGORY_NAMES
from tests.rsshub.support import run_cli, write_config


def _distinct_routes(namespace_json: dict) -> set[tuple]:
    """RSSHub lists a route once per path; a route is (namespace, its paths, its name)."""
    out = set()
    for key, ns in namespace_json.items():
        for route_key, route in ns["routes"].items():
            path = route.get("path", route_key)
            out.add((key, tuple(path) if isinstance(path, list) else (path,), route["name"]))
    return out


def test_routes_update_keeps_every_namespace_and_route_rsshub_serves(rsshub, tmp_path, real_namespace_json):
    config = write_config(tmp_path, [rsshub.base], {"one": "rsshub:/test/1"})
    result = run_cli("routes", "update", "--config", str(config))
    assert result.exit_code == 0, result.output
    namespaces, routes = len(real_namespace_json), len(_distinct_routes(real_namespace_json))
    assert f"{namespaces} namespaces, {routes} routes →" in result.output
    assert "skipped" not in result.output


def test_paths_rsshub_serves_without_a_leading_slash_or_empty_are_kept(real_catalog, real_catalog_path):
    assert real_catalog_path[1].skipped == 0
    anime1 = real_catalog.namespace("anime1")
    assert anime1 is not None
    assert {p for r in anime1.routes for p in r.full_paths} >= {"/anime1/anime/:category/:name", "/anime1/search/:keyword"}
    assert find_route(real_catalog, "/anime1/search/神之塔").route.name == "Search"
    sehuatang = find_route(real_catalog, "/sehuatang/bt/103")
    assert "/sehuatang" in sehuatang.route.full_paths  # the '' entry of its path list: the namespace root


def test_every_category_has_a_name_and_uncategorised_routes_take_their_namespace_s(real_catalog, real_namespace_json):
    keys = {c for ns in real_catalog.namespaces for r in ns.routes for c in r.categories}
    assert keys - set(CATEGORY_NAMES) <= {"popular"}
    assert category_name("sport") == "体育"
    inherited = [(key, route_key, ns["categories"]) for key, ns in real_namespace_json.items() if ns.get("categories")
                 for route_key, route in ns["routes"].items() if not route.get("categories")]
    assert inherited, "the real catalog has namespace-level categories"
    for key, route_key, categories in inherited:
        route_path = route_key if route_key.startswith("/") else "/" + route_key
        (route,) = {r for r in real_catalog.namespace(key).routes if route_path in r.paths}
        assert route.categories == tuple(categories), (key, route_key)


def test_require_config_says_which_variables_are_optional(real_catalog):
    features = dict(find_route(real_catalog, "/zhihu/hot").route.features)
    assert features["requireConfig"] == "ZHIHU_COOKIES (optional)"


def test_nsfw_routes_are_marked_and_left_out_of_search_unless_asked_for(real_catalog, real_namespace_json):
    marked = {(key, route["name"].strip()) for key, ns in real_namespace_json.items() for route in ns["routes"].values()
              if (route.get("features") or {}).get("nsfw") is True}
    assert marked
    assert {(ns.key, r.name) for ns in real_catalog.namespaces for r in ns.routes if r.nsfw} == marked
    key, name = sorted(marked)[0]
    site = real_catalog.namespace(key).name
    assert not [m for m in search_routes(real_catalog, f"{key} {name}") if m.route.nsfw]
    assert [m for m in search_routes(real_catalog, f"{key} {name}", include_nsfw=True) if m.route.nsfw], site



def test_routes_search_says_when_nsfw_routes_were_left_out(rsshub, tmp_path):
    config = write_config(tmp_path, [rsshub.base], {"one": "rsshub:/test/1"})
    assert run_cli("routes", "update", "--config", str(config)).exit_code == 0
    hidden = run_cli("routes", "search", "--config", str(config), "sehuatang").output  # 色花堂: every route nsfw
    assert "No route matches 'sehuatang'; 2 routes marked nsfw also match; add --nsfw to list them" in hidden
    shown = run_cli("routes", "search", "--config", str(config), "--nsfw", "sehuatang").output
    assert "Forum (nsfw)" in shown and "/sehuatang/user/:uid" in shown and "marked nsfw" not in shown


def test_exact_and_whole_word_matches_rank_first(real_catalog):
    found = search_routes(real_catalog, "test")
    assert found[0].namespace.name == "RSSHub Test"
    whole = [bool(re.search(r"(?<![a-z0-9])test(?![a-z0-9])", f"{m.namespace.key} {m.namespace.name} {m.route.name}".casefold()))
             for m in found]
    assert whole[:2] == [True, True] and not any(whole[whole.index(False):])  # "J.TEST", then "Latest" …
    assert search_routes(real_catalog, "知乎热榜")[0].route.full_paths == ("/zhihu/hot/:category?",)


def test_routes_add_refuses_a_path_that_still_holds_a_parameter_and_shows_the_example(rsshub, tmp_path):
    config = write_config(tmp_path, [rsshub.base], {"one": "rsshub:/test/1"})
    assert run_cli("routes", "update", "--config", str(config)).exit_code == 0
    before = config.read_text()
    result = run_cli("routes", "add", "--config", str(config), "/test/:id")
    assert result.exit_code != 0
    # RSSHub's test route has no example: the message names the route's pattern instead
    assert ("RSSHub route /test/:id still holds the parameter :id: put a value in its place "
            "(route: /test/:id/:params?); `feedstation routes show /test/:id` describes its parameters") in result.output
    result = run_cli("routes", "add", "--config", str(config), "/zhihu/hot/:category?")
    assert ("RSSHub route /zhihu/hot/:category? still holds the parameter :category?: put a value in its place "
            "or leave it out (example: /zhihu/hot)") in result.output
    assert config.read_text() == before
    assert run_cli("routes", "add", "--config", str(config), "/zhihu/hot").exit_code == 0


def test_a_config_leaf_with_an_unfilled_parameter_is_a_config_error_showing_the_route_s_example(rsshub, tmp_path):
    config = write_config(tmp_path, [rsshub.base], {"one": "rsshub:/test/:id/:params?"})
    result = run_cli("fetch", "--config", str(config))
    assert result.exit_code == 2
    # no catalog cached yet: the message says how to see the example
    assert ("sources.测试.RSSHub Test.one: RSSHub route /test/:id/:params? still holds the parameters :id, :params?: "
            "put values in their places; `feedstation routes update` downloads RSSHub's route catalog, "
            "then this message shows the route's example") in result.output
    assert rsshub.requests() == []
    update = run_cli("routes", "update", "--config", str(config))  # the bad leaf does not block it
    assert update.exit_code == 0, update.output
    config.write_text(config.read_text().replace("/test/:id/:params?", "/zhihu/hot/:category?"))
    result = run_cli("fetch", "--config", str(config))
    assert result.exit_code == 2
    assert ("sources.测试.RSSHub Test.one: RSSHub route /zhihu/hot/:category? still holds the parameter :category?: "
            "put a value in its place or leave it out (example: /zhihu/hot)") in result.output
    # RSSHub gives its test route no example: the message points to `routes show` for the parameters
    config.write_text(config.read_text().replace("/zhihu/hot/:category?", "/test/:id"))
    result = run_cli("fetch", "--config", str(config))
    assert ("RSSHub route /test/:id still holds the parameter :id: put a value in its place (route: /test/:id/:params?); "
            "`feedstation routes show /test/:id` describes its parameters") in result.output
    assert [r.path for r in rsshub.requests()] == ["/api/namespace"]


def test_routes_for_a_page_lists_the_routes_whose_radar_rules_match_with_parameters_filled(rsshub, tmp_path,
                                                                                           real_namespace_json):
    config = write_config(tmp_path, [rsshub.base], {"one": "rsshub:/test/1"})
    assert run_cli("routes", "update", "--config", str(config)).exit_code == 0
    result = run_cli("routes", "for", "--config", str(config), "https://www.zhihu.com/people/someone/pins")
    assert result.exit_code == 0, result.output
    assert "/zhihu/people/pins/someone" in result.output and "feedstation routes add /zhihu/people/pins/someone" in result.output
    github = run_cli("routes", "for", "--config", str(config), "https://github.com/DIYgod/RSSHub/issues").output
    assert "/github/issue/DIYgod/RSSHub" in github
    # the path it prints is one `routes add` accepts
    assert run_cli("routes", "add", "--config", str(config), "/github/issue/DIYgod/RSSHub").exit_code == 0
    # RSSHub has no radar rule for zhihu's hot list: the closest routes of that site are named instead
    hot = run_cli("routes", "for", "--config", str(config), "https://www.zhihu.com/hot").output
    assert "No route's radar rule matches https://www.zhihu.com/hot; routes of that site closest to the page: /zhihu/hot" in hot
    # a page on a subdomain of the namespace's site (meishichina.com) finds that site's routes too
    recipe = run_cli("routes", "for", "--config", str(config), "https://home.meishichina.com/recipe/yingerleshipu/").output
    assert "routes of that site closest to the page: /meishichina/recipe" in recipe


def test_the_real_catalog_s_radar_rules_find_their_routes_from_pages_they_describe(real_catalog):
    from feedstation.catalog.radar import routes_for_url

    rules = [(route, rule.sources[0]) for ns in real_catalog.namespaces for route in ns.routes for rule in route.radar
             if not rule.sources[0].startswith("/") and not any(c in rule.sources[0] for c in "*#?{}")]
    checked = missed = 0
    for route, source in rules[::7]:  # a sample: each lookup scans the whole catalog
        page = "https://" + re.sub(r":[A-Za-z0-9_]+", "x1", source)
        checked += 1
        found = routes_for_url(real_catalog, page)
        # one path is listed once: a route whose rule yields a path another route already gave is served by that path
        if not any(m.route == route or getattr(find_route(real_catalog, m.path), "route", None) == route for m in found):
            missed += 1
    assert checked > 250
    assert missed <= checked // 50, f"{missed} of {checked} radar rules did not find their route"


def test_every_radar_rule_rsshub_serves_is_kept(real_catalog, real_namespace_json):
    """RSSHub's largest routes carry hundreds of rules (meishichina: 306, one per recipe category page)."""
    from feedstation.catalog.model import full_path

    served: dict[tuple, int] = {}
    for key, ns in real_namespace_json.items():
        for route_key, route in ns["routes"].items():
            rules = route.get("radar") or []
            rules = [rules] if isinstance(rules, dict) else rules
            usable = [r for r in rules if r.get("source")]  # ktown4u lists a rule without any source
            paths = route.get("path", route_key)
            paths = [paths] if isinstance(paths, str) else paths
            identity = (key, route["name"].strip(), frozenset(full_path(key, p if p.startswith("/") else "/" + p)
                                                              for p in paths))
            if usable:
                served[identity] = len(usable)  # a route listed once per path: the same rules each time
    kept = {(ns.key, r.name, frozenset(r.full_paths)): len(r.radar) for ns in real_catalog.namespaces
            for r in ns.routes if r.radar}
    assert max(served.values()) > 300
    assert kept == served
