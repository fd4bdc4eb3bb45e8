"""Placement in the tree, categories, search and path → route resolution on the fixture catalog."""

from __future__ import annotations

import pytest

from feedstation.catalog import RouteSpec, find_route, place_routes, primary_category, search_routes
from feedstation.catalog.categories import category_name
from feedstation.errors import CatalogError
from feedstation.models import Source


def test_place_zhihu_hot(catalog):
    assert place_routes([RouteSpec("/zhihu/hot")], catalog) == [
        Source(category="社交媒体", site="知乎", channel="知乎热榜", url="rsshub:/zhihu/hot")
    ]


def test_place_in_english(catalog):
    (source,) = place_routes([RouteSpec("/oschina/news/project")], catalog, language="en")
    assert source.tree == ("Programming", "开源中国", "资讯")


def test_spec_overrides_win(catalog):
    specs = [RouteSpec("/zhihu/hot", category="热门", site="知乎网", channel="热榜"),
             RouteSpec("/oschina/news/project", channel="软件更新")]
    assert [s.tree for s in place_routes(specs, catalog)] == [("热门", "知乎网", "热榜"), ("编程", "开源中国", "软件更新")]
    assert [s.url for s in place_routes(specs, catalog)] == ["rsshub:/zhihu/hot", "rsshub:/oschina/news/project"]


def test_categories_come_from_the_route_else_its_namespace(catalog):
    # capitalmind's routes declare none; the namespace says finance. atptour is RSSHub's `sport`.
    placed = place_routes([RouteSpec("/juejin/trending/ios/monthly"), RouteSpec("/bilibili/user/video/2267573"),
                           RouteSpec("/capitalmind/insights"), RouteSpec("/atptour/news/en"),
                           RouteSpec("/github/file/DIYgod/RSSHub/master/README.md")], catalog)
    assert [s.category for s in placed] == ["编程", "社交媒体", "金融", "体育", "其他"]


def test_popular_is_never_the_primary_category():
    # RSSHub once tagged routes ["popular", "programming"]; `popular` is a list, not a place in the tree.
    assert primary_category(["popular", "programming"]) == "programming"
    assert primary_category(["popular"]) == "other"


def test_an_unknown_category_key_keeps_its_id(mixed_catalog):
    (source,) = place_routes([RouteSpec("/mystery/x")], mixed_catalog)
    assert source.category == "mystery-key"
    assert category_name("mystery-key", "en") == "mystery-key"
    assert category_name("sport") == "体育"
    assert category_name("anime", "zh-TW") == "二次元"


def test_two_specs_of_one_route_get_distinct_channels(catalog):
    placed = place_routes([RouteSpec("/zhihu/hot/science"), RouteSpec("/zhihu/hot/digital"),
                           RouteSpec("/zhihu/hot/car", channel="汽车热榜")], catalog)
    assert [s.channel for s in placed] == ["知乎热榜 (science)", "知乎热榜 (digital)", "汽车热榜"]


def test_unknown_path_error_names_it_and_suggests(catalog):
    # /zhihu/hotlist was the reference's headline route; RSSHub has dropped it
    with pytest.raises(CatalogError) as caught:
        place_routes([RouteSpec("/zhihu/hot"), RouteSpec("/zhihu/hotlist")], catalog)
    assert str(caught.value) == (
        "RSSHub route /zhihu/hotlist is not in the route catalog "
        "(closest: /zhihu/pin/hotlist, /zhihu/hot, /zhihu/timeline); "
        "find routes with `feedstation routes search WORDS`, or refresh the catalog with `feedstation routes update`"
    )


def test_unknown_namespace_suggests_across_namespaces(catalog):
    with pytest.raises(CatalogError, match=r"^RSSHub route /zhuhu/hot is not in the route catalog \(closest: /zhihu/hot, "):
        place_routes([RouteSpec("/zhuhu/hot")], catalog)


def test_unknown_path_without_close_match(catalog):
    with pytest.raises(CatalogError) as caught:
        place_routes([RouteSpec("/qqq/zzz")], catalog)
    assert str(caught.value) == (
        "RSSHub route /qqq/zzz is not in the route catalog; "
        "find routes with `feedstation routes search WORDS`, or refresh the catalog with `feedstation routes update`"
    )


@pytest.mark.parametrize(("path", "pattern", "params"), [
    ("/zhihu/hot", "/zhihu/hot/:category?", ()),
    ("/zhihu/hot/science", "/zhihu/hot/:category?", (("category", "science"),)),
    ("/zhihu/hot/science/", "/zhihu/hot/:category?", (("category", "science"),)),
    ("/zhihu/hot/science?limit=5", "/zhihu/hot/:category?", (("category", "science"),)),
    ("zhihu/hot", "/zhihu/hot/:category?", ()),
    ("/zhihu/hot/:category?", "/zhihu/hot/:category?", ()),  # the pattern itself
    # static segments beat params, left to right
    ("/sspai/series", "/sspai/series", ()),
    ("/sspai/series/77", "/sspai/series/:id", (("id", "77"),)),
    ("/36kr/hot-list", "/36kr/hot-list/:category?", ()),
    ("/36kr/newsflashes", "/36kr/:category/:subCategory?/:keyword?", (("category", "newsflashes"),)),
    ("/ithome/ranking/24h", "/ithome/ranking/:type", (("type", "24h"),)),
    ("/ithome/it", "/ithome/:caty", (("caty", "it"),)),
    ("/douban/36328704/discussion", "/douban/:id/discussion", (("id", "36328704"),)),
    ("/douban/doulist/discussion", "/douban/doulist/:id", (("id", "discussion"),)),
    # one route, two paths
    ("/douban/movie/playing", "/douban/movie/playing", ()),
    ("/douban/movie/playing/8", "/douban/movie/playing/:score", (("score", "8"),)),
    ("/weibo/search/hot", "/weibo/search/hot/:fulltext?", ()),
    ("/github/file/DIYgod/RSSHub/master/lib/router.js", "/github/file/:user/:repo/:branch/:filepath{.+}",
     (("user", "DIYgod"), ("repo", "RSSHub"), ("branch", "master"), ("filepath", "lib/router.js"))),
    ("/buaa/lib/space/newbook", "/buaa/lib/space/:path{newbook.*}", (("path", "newbook"),)),
    ("/cneb/yjxx/beijing/today", "/cneb/yjxx/*", ()),
    ("/bangumi.moe", "/bangumi.moe/*", ()),
    ("/hackernews", "/hackernews/:section?/:type?/:user?", ()),
    # what RSSHub serves without a leading slash, and its '' (the namespace root)
    ("/anime1/search/神之塔", "/anime1/search/:keyword", (("keyword", "神之塔"),)),
    ("/sehuatang", "/sehuatang", ()),
    ("/sehuatang/bt/103", "/sehuatang/bt/:subforumid?", (("subforumid", "103"),)),
])
def test_example_paths_resolve_to_their_pattern(catalog, path, pattern, params):
    match = find_route(catalog, path)
    assert match is not None
    assert (match.pattern, match.params) == (pattern, params)


@pytest.mark.parametrize("path", ["/zhihu/hotlist", "/zhihu", "/nope/hot", "/zhihu/hot/a/b", "/v2ex/post",
                                  "/buaa/lib/space/oldbook"])
def test_paths_no_route_serves(catalog, path):
    assert find_route(catalog, path) is None


def test_every_fixture_example_resolves_to_its_own_route(catalog):
    astray = set()
    for namespace in catalog.namespaces:
        for route in namespace.routes:
            if route.example and getattr(find_route(catalog, route.example), "route", None) != route:
                astray.add(route.example)
    assert astray == {"/tmtpost/word"}  # RSSHub's own example for /tmtpost/nictation (30 of ~3,000 are off)


def _names(found):
    return [(m.site, m.route.name) for m in found]


def test_search_chinese_substring(catalog):
    # the route named exactly 热榜 first, then catalog order
    assert _names(search_routes(catalog, "热榜")) == [
        ("iThome 台灣", "热榜"), ("36kr", "资讯热榜"), ("知乎", "知乎热榜"), ("知乎", "知乎想法热榜"),
    ]


def test_search_site_name(catalog):
    assert _names(search_routes(catalog, "知乎")) == [
        ("知乎", "知乎日报"), ("知乎", "知乎热榜"), ("知乎", "用户动态"), ("知乎", "用户想法"), ("知乎", "知乎想法热榜"),
        ("知乎", "用户关注时间线")]


def test_search_english_ignores_case_and_needs_every_word(catalog):
    assert {m.namespace.key for m in search_routes(catalog, "GITHUB")} == {"github"}
    assert _names(search_routes(catalog, "github trending")) == [("GitHub", "Trending")]
    assert search_routes(catalog, "github 知乎") == []
    assert search_routes(catalog, "   ") == []


def test_search_matches_paths(catalog):
    assert [m.pattern for m in search_routes(catalog, "pin/hotlist")] == ["/zhihu/pin/hotlist"]


def test_search_ranks_whole_words_before_substrings(catalog):
    assert _names(search_routes(catalog, "test")) == [("RSSHub Test", "Test"), ("萌番组", "Latest")]


def test_search_leaves_out_nsfw_routes_unless_asked(catalog):
    assert search_routes(catalog, "sehuatang") == []
    assert _names(search_routes(catalog, "sehuatang", include_nsfw=True)) == [("色花堂", "Forum"), ("色花堂", "作者文章")]
