"""Hono-style pattern compilation: params, optional params, constraints, wildcards and specificity."""

from __future__ import annotations

from feedstation.catalog.patterns import compile_pattern, match_pattern, normalise_path


def test_named_optional_constrained_and_wildcard():
    assert match_pattern("/a/:x", "/a/1")[0] == (("x", "1"),)
    assert match_pattern("/a/:x", "/a") is None
    assert match_pattern("/a/:x?", "/a")[0] == ()
    assert match_pattern("/a/:id{\\d{2,3}}", "/a/123")[0] == (("id", "123"),)
    assert match_pattern("/a/:id{\\d{2,3}}", "/a/1234") is None
    assert match_pattern("/a/*", "/a/b/c") is not None
    assert match_pattern("/a/:id.json", "/a/7.json")[0] == (("id", "7"),)


def test_static_beats_param_left_to_right():
    path = "/a/b/c"
    static_first = match_pattern("/a/b/:z", path)[1]
    param_first = match_pattern("/a/:y/c", path)[1]
    assert static_first > param_first
    assert match_pattern("/a/b/c", path)[1] > static_first
    assert match_pattern("/a/:y{b}/c", path)[1] > match_pattern("/a/:y/c", path)[1]
    # For /a/b an exact route beats one whose extra optional param stayed empty.
    assert match_pattern("/a/b", "/a/b")[1] > match_pattern("/a/b/:z?", "/a/b")[1]


def test_hostile_or_broken_constraints_only_match_themselves():
    for pattern in ["/a/:x{(}", "/a/:x{" + "a" * 300 + "}", "/a/:x{unclosed"]:
        assert compile_pattern(pattern).regex is None
        assert match_pattern(pattern, "/a/b") is None
    assert match_pattern("/a/:x{(}", "/a/:x{(}") is not None


def test_normalise_path():
    assert normalise_path(" zhihu/hot/?x=1#top ") == "/zhihu/hot"
    assert normalise_path("/") == "/"
