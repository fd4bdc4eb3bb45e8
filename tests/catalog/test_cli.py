"""`feedstation routes …` through click's CliRunner, with a real config file and the loopback RSSHub."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from feedstation.cli.common import EXIT_CONFIG, EXIT_OTHER
from feedstation.cli.routes import routes

WIDE = {"COLUMNS": "250"}  # rich folds table cells at 80 columns otherwise


@pytest.fixture
def config_file(tmp_path, base_url):
    path = tmp_path / "feedstation.yaml"
    path.write_text(
        "# my site\n"
        "storage: data/feedstation.db  # catalog goes beside it\n"
        "rsshub:\n"
        "  instances:\n"
        f"    - {base_url}/fail  # down today\n"
        f"    - {base_url}/good\n",
        encoding="utf-8",
    )
    return path


def run(*args: str):
    return CliRunner().invoke(routes, list(args), env=WIDE, catch_exceptions=False)


def test_update_then_search_show_add(config_file, base_url, tmp_path):
    result = run("update", "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert f"passed over {base_url}/fail: HTTP 500" in result.output
    assert f"Route catalog from {base_url}/good: 21 namespaces, 60 routes → " in result.output
    assert "skipped" not in result.output
    assert (tmp_path / "data" / "rsshub-routes.json").exists()

    result = run("search", "--config", str(config_file), "热榜")
    assert result.exit_code == 0, result.output
    for text in ("社交媒体", "知乎", "知乎热榜", "/zhihu/hot/:category?", "/zhihu/pin/hotlist", "category"):
        assert text in result.output

    result = run("show", "--config", str(config_file), "/zhihu/hot/science")
    assert result.exit_code == 0, result.output
    for text in ("知乎热榜", "/zhihu/hot/:category?", "science", "社交媒体 (social-media)", "nczitzk",
                 "requireConfig: ZHIHU_COOKIES (optional)", "feedstation routes add /zhihu/hot/science"):
        assert text in result.output

    result = run("add", "--config", str(config_file), "/zhihu/hot")
    assert result.exit_code == 0, result.output
    assert "社交媒体 › 知乎 › 知乎热榜" in result.output
    text = config_file.read_text(encoding="utf-8")
    assert "# my site\n" in text and "# down today\n" in text and "# catalog goes beside it\n" in text
    assert YAML(typ="safe").load(text)["rsshub"]["routes"] == ["/zhihu/hot"]

    result = run("add", "--config", str(config_file), "/zhihu/hot")
    assert result.exit_code == EXIT_CONFIG  # a duplicate is a config mistake
    assert "/zhihu/hot is already listed" in result.output


def test_update_names_each_entry_it_skips(config_file, base_url):
    config_file.write_text(config_file.read_text(encoding="utf-8").replace("/good", "/mixed"), encoding="utf-8")
    result = run("update", "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert f"Route catalog from {base_url}/mixed: 22 namespaces, 61 routes, 1 malformed entries skipped" in result.output
    assert "skipped sspai '/broken': name must be a non-empty string" in result.output


def test_commands_before_an_update_say_what_to_do(config_file):
    for args in (["search", "知乎"], ["show", "/zhihu/hot"], ["add", "/zhihu/hot"]):
        result = run(args[0], "--config", str(config_file), *args[1:])
        assert result.exit_code == EXIT_OTHER
        assert "no RSSHub route catalog yet: run `feedstation routes update`" in result.output


def test_show_and_add_refuse_an_unknown_path_with_suggestions(config_file):
    run("update", "--config", str(config_file))
    before = config_file.read_text(encoding="utf-8")
    for command in ("show", "add"):
        result = run(command, "--config", str(config_file), "/zhihu/hotlist")
        assert result.exit_code == EXIT_OTHER
        assert "RSSHub route /zhihu/hotlist is not in the route catalog (closest: /zhihu/pin/hotlist, /zhihu/hot" in result.output
    assert config_file.read_text(encoding="utf-8") == before


def test_search_without_matches(config_file):
    run("update", "--config", str(config_file))
    result = run("search", "--config", str(config_file), "没有这个")
    assert result.exit_code == 0
    assert "No route matches '没有这个'" in result.output


def test_every_command_is_documented_with_an_example():
    for name, command in routes.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output and f"feedstation routes {name}" in result.output, name


def test_config_places_rsshub_routes_through_the_catalog(config_file):
    """The config layer's `sources()` calls place_routes on the cached catalog."""
    from feedstation.config import load_config

    run("update", "--config", str(config_file))
    run("add", "--config", str(config_file), "/zhihu/hot")
    run("add", "--config", str(config_file), "/juejin/trending/frontend/monthly", "--channel", "前端热门")
    placed = [s for s in load_config(config_file).sources() if s.url.startswith("rsshub:")]
    assert [(s.tree, s.url) for s in placed] == [
        (("社交媒体", "知乎", "知乎热榜"), "rsshub:/zhihu/hot"),
        (("编程", "掘金", "前端热门"), "rsshub:/juejin/trending/frontend/monthly"),
    ]


def test_downloaded_text_is_never_rich_markup(tmp_path):
    """A route name is payload text: `[bold red]` must print literally, not style the terminal."""
    from feedstation.catalog import Catalog, Namespace, Route, save_catalog

    route = Route(namespace="evil", paths=("/x",), name="[bold red]pwned[/] [link=https://e.x]a[/link]",
                  categories=("blog",), example="/evil/x")
    data = tmp_path / "data"
    save_catalog(Catalog((Namespace("evil", "Evil [i]site[/i]", routes=(route,)),)), data / "rsshub-routes.json")
    config = tmp_path / "feedstation.yaml"
    config.write_text("storage: data/feedstation.db\n", encoding="utf-8")
    for args in (["search", "evil"], ["show", "/evil/x"]):
        result = run(args[0], "--config", str(config), *args[1:])
        assert result.exit_code == 0, result.output
        assert "[bold red]pwned[/] [link=https://e.x]a[/link]" in result.output
        assert "Evil [i]site[/i]" in result.output
