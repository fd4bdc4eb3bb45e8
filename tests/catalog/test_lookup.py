"""Placement in the tree, categories, search and path → route resolution on the fixture catalog."""

from __future__ import annotations

import pytest

from feedstation.catalog import RouteSpec, find_route, place_routes, primary_category, search_routes
from feedstation.catalog.categories import category_name
from feedstation.errors import CatalogError
from feedstation.models import Source


def test_place_zhihu_hotlist(catalog):
    assert place_routes([RouteSpec("/zhihu/hotlist")], catalog) == [
        Source(category="社交媒体", site="知乎", channel="知乎热榜", url="rsshub:/zhihu/hotlist")
    ]


def test_place_in_english(catalog):
    (source,) = place_routes([RouteSpec("/oschina/news/project")], catalog, language="en")
    assert source.tree == ("Programming", "开源中国", "资讯")


def test_spec_overrides_win(catalog):
    specs = [RouteSpec("/zhihu/hotlist", category="热门", site="知乎网", channel="热榜"),
             RouteSpec("/oschina/news/project", channel="软件更新")]
    assert [s.tree for s in place_routes(specs, catalog)] == [("热门", "知乎网", "热榜"), ("编程", "开源中国", "软件更新")]
    assert [s.url for s in place_routes(specs, catalog)] == ["rsshub:/zhihu/hotlist", "rsshub:/oschina/news/project"]


def test_popular_is_never_the_primary_category(catalog):
    # juejin trending is ["popular", "programming"]; ithome /tag/* has only ["popular"].
    placed = place_routes([RouteSpec("/juejin/trending/frontend/monthly"), RouteSpec("/ithome/tag/windows"),
                           RouteSpec("/bilibili/user/video/2267573")], catalog)
    assert [s.category for s in placed] == ["编程", "其他", "社交媒体"]
    assert primary_category(["popular", "programming"]) == "programming"
    assert primary_category(["popular"]) == "other"


def test_an_unknown_category_key_keeps_its_id(catalog):
    (source,) = place_routes([RouteSpec("/douban/doulist/37716774")], catalog)
    assert source.category == "mystery-key"
    assert category_name("mystery-key", "en") == "mystery-key"
    assert category_name("sport") == "体育"
    assert category_name("anime", "zh-TW") == "二次元"


def test_two_specs_of_one_route_get_distinct_channels(catalog):
    placed = place_routes([RouteSpec("/zhihu/hot/science"), RouteSpec("/zhihu/hot/digital"),
                           RouteSpec("/zhihu/hot/car", channel="汽车热榜")], catalog)
    assert [s.channel for s in placed] == ["知乎分类热榜 (science)", "知乎分类热榜 (digital)", "汽车热榜"]


def test_unknown_path_error_names_it_and_suggests(catalog):
    with pytest.raises(CatalogError) as caught:
        place_routes([RouteSpec("/zhihu/hotlist"), RouteSpec("/zhihu/hotlst")], catalog)
    assert str(caught.value) == (
        "RSSHub route /zhihu/hotlst is not in the route catalog "
        "(closest: /zhihu/hotlist, /zhihu/hot/science, /zhihu/hot/:category?); "
        "find routes with `feedstation routes search WORDS`, or refresh the catalog with `feedstation routes update`"
    )


def test_unknown_namespace_suggests_across_namespaces(catalog):
    with pytest.raises(CatalogError, match=r"^RSSHub route /zhuhu/hotlist is not in the route catalog \(closest: /zhihu/hotlist, "):
        place_routes([RouteSpec("/zhuhu/hotlist")], catalog)


def test_unknown_path_without_close_match(catalog):
    with pytest.raises(CatalogError) as caught:
        place_routes([RouteSpec("/qqq/zzz")], catalog)
    assert str(caught.value) == (
        "RSSHub route /qqq/zzz is not in the route catalog; "
        "find routes with `feedstation routes search WORDS`, or refresh the catalog with `feedstation routes update`"
    )


@pytest.mark.parametrize(("path", "pattern", "params"), [
    ("/zhihu/hotlist", "/zhihu/hotlist", ()),
    ("/zhihu/hot/science", "/zhihu/hot/:category?", (("category", "science"),)),
    ("/zhihu/hot", "/zhihu/hot/:category?", ()),
    ("/zhihu/hot/science/", "/zhihu/hot/:category?", (("category", "science"),)),
    ("/zhihu/hot/science?limit=5", "/zhihu/hot/:category?", (("category", "science"),)),
    ("zhihu/hotlist", "/zhihu/hotlist", ()),
    ("/zhihu/hot/:category?", "/zhihu/hot/:category?", ()),  # the pattern itself
    # static segments beat params: `hot` is literal in one route, a :keyword in the other
    ("/weibo/search/hot", "/weibo/search/hot/:fulltext?", ()),
    ("/weibo/search/猫", "/weibo/search/:keyword", (("keyword", "猫"),)),
    ("/36kr/newsflashes", "/36kr/newsflashes", ()),
    ("/36kr/news/latest", "/36kr/news/:category?", (("category", "latest"),)),
    ("/v2ex/t/1000000", "/v2ex/t/:id{\\d+}", (("id", "1000000"),)),
    ("/github/file/DIYgod/RSSHub/master/lib/router.js", "/github/file/:user/:repo/:branch/:filepath{.+}",
     (("user", "DIYgod"), ("repo", "RSSHub"), ("branch", "master"), ("filepath", "lib/router.js"))),
    ("/ithome/tag/windows", "/ithome/tag/*", ()),
    ("/hackernews", "/hackernews/:section?/:type?/:user?", ()),
])
def test_example_paths_resolve_to_their_pattern(catalog, path, pattern, params):
    match = find_route(catalog, path)
    assert match is not None
    assert (match.pattern, match.params) == (pattern, params)


@pytest.mark.parametrize("path", ["/v2ex/t/abc", "/zhihu", "/nope/hotlist", "/zhihu/hot/a/b"])
def test_paths_no_route_serves(catalog, path):
    assert find_route(catalog, path) is None


def test_every_fixture_example_resolves_to_its_own_route(catalog):
    for namespace in catalog.namespaces:
        for route in namespace.routes:
            assert find_route(catalog, route.example).route == route, route.example


def _names(found):
    return [(m.site, m.route.name) for m in found]


def test_search_chinese_substring(catalog):
    # the route named exactly 热榜 first, then catalog order
    assert _names(search_routes(catalog, "热榜")) == [
        ("IT 之家", "热榜"), ("36氪", "资讯热榜"), ("知乎", "知乎分类热榜"), ("知乎", "知乎热榜"),
    ]


def test_search_site_name(catalog):
    assert _names(search_routes(catalog, "知乎")) == [("知乎", "知乎分类热榜"), ("知乎", "知乎热榜"), ("知乎", "用户动态")]


def test_search_english_ignores_case_and_needs_every_word(catalog):
    assert {m.namespace.key for m in search_routes(catalog, "GITHUB")} == {"github"}
    assert _names(search_routes(catalog, "github trending")) == [("GitHub", "Trending")]
    assert search_routes(catalog, "github 知乎") == []
    assert search_routes(catalog, "   ") == []


def test_search_matches_paths(catalog):
    assert [m.pattern for m in search_routes(catalog, "newsflashes")] == ["/36kr/news/:category?"]
