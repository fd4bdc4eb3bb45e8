"""`routes add` edits the YAML in place: comments, order and quoting survive; duplicates are refused."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from feedstation.catalog import RouteSpec, add_route_to_config
from feedstation.errors import ConfigError

COMMENTED = """\
# feedstation config — hand-written
site:
  title: '我的聚合站'   # shown in every page
  language: zh-CN

rsshub:
  # tried in order
  instances:
    - https://rsshub.app
  routes:
    - /zhihu/hotlist  # the classic
    - path: /oschina/news/project
      channel: 软件更新

# the hand-made tree
sources:
  博客:
    阮一峰:
      周刊: https://www.ruanyifeng.com/blog/atom.xml
"""


def test_add_keeps_comments_order_and_quotes(tmp_path):
    path = tmp_path / "feedstation.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    add_route_to_config(path, RouteSpec("/zhihu/hot/science"))
    text = path.read_text(encoding="utf-8")

    for line in COMMENTED.splitlines():  # every original line survives verbatim
        assert line in text.splitlines(), line
    lines = text.splitlines()
    assert lines.index("    - /zhihu/hot/science") == lines.index("      channel: 软件更新") + 1
    assert text.index("site:") < text.index("rsshub:") < text.index("sources:")
    data = YAML(typ="safe").load(text)
    assert data["rsshub"]["routes"] == ["/zhihu/hotlist", {"path": "/oschina/news/project", "channel": "软件更新"},
                                        "/zhihu/hot/science"]


def test_add_with_overrides_writes_a_mapping(tmp_path):
    path = tmp_path / "feedstation.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    add_route_to_config(path, RouteSpec("/weibo/search/hot", category="热门", channel="微博热搜"))
    routes = YAML(typ="safe").load(path.read_text(encoding="utf-8"))["rsshub"]["routes"]
    assert routes[-1] == {"path": "/weibo/search/hot", "category": "热门", "channel": "微博热搜"}


def test_add_creates_rsshub_routes(tmp_path):
    path = tmp_path / "feedstation.yaml"
    path.write_text("# only a comment\nsite:\n  title: x  # keep me\n", encoding="utf-8")
    add_route_to_config(path, RouteSpec("/zhihu/hotlist"))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# only a comment\nsite:\n  title: x  # keep me\n")
    assert YAML(typ="safe").load(text)["rsshub"] == {"routes": ["/zhihu/hotlist"]}

    other = tmp_path / "rsshub-only.yaml"
    other.write_text("rsshub:\n  instances: [https://rsshub.app]\n", encoding="utf-8")
    add_route_to_config(other, RouteSpec("/zhihu/hotlist"))
    assert YAML(typ="safe").load(other.read_text(encoding="utf-8"))["rsshub"] == {
        "instances": ["https://rsshub.app"], "routes": ["/zhihu/hotlist"]}


@pytest.mark.parametrize("duplicate", ["/zhihu/hotlist", "/zhihu/hotlist/", "/oschina/news/project"])
def test_add_refuses_a_duplicate(tmp_path, duplicate):
    path = tmp_path / "feedstation.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        add_route_to_config(path, RouteSpec(duplicate))
    assert str(caught.value) == f"{path}: rsshub.routes: {duplicate} is already listed; edit that entry instead"
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_add_refuses_a_routes_key_that_is_not_a_list(tmp_path):
    path = tmp_path / "feedstation.yaml"
    path.write_text("rsshub:\n  routes: /zhihu/hotlist\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rsshub.routes: must be a list of route paths"):
        add_route_to_config(path, RouteSpec("/zhihu/hot"))
