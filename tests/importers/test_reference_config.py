"""`feedstation import rsshub-page`: the reference's config.yml + user_config.yml with every quirk → feedstation.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedstation.catalog import update_catalog
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.errors import ConfigError
from feedstation.importers.reference_config import read_reference_config
from tests.loopback import LoopbackServer

FIXTURES = Path(__file__).parent.parent / "fixtures"
REFERENCE = FIXTURES / "reference"

# The enabled lines of fixtures/reference/config.yml (every `- ` item not commented out).
ENABLED_LINES = [n for n, line in enumerate((REFERENCE / "config.yml").read_text(encoding="utf-8").splitlines(), 1)
                 if line.startswith(" - ")]


def run_import(tmp_path: Path, *extra: str) -> tuple[str, Path]:
    out = tmp_path / "feedstation.yaml"
    result = CliRunner().invoke(main, ["import", "rsshub-page", str(REFERENCE / "config.yml"), "--user-config",
                                       str(REFERENCE / "user_config.yml"), "--instance", "http://127.0.0.1:9",
                                       "-o", str(out), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), out


def test_headings_give_each_route_its_place_and_nothing_is_silently_dropped(tmp_path):
    report, out = run_import(tmp_path)
    cfg = load_config(out)
    placed = {s.url: s.tree for s in cfg.sources()}
    assert placed["rsshub:/zhihu/hotlist"] == ("社交媒体", "知乎", "知乎热榜")
    assert placed["rsshub:/zhihu/hot/science"] == ("社交媒体", "知乎", "知乎分类热榜")
    # Two routes under one ### heading: the second gets a numbered channel, reported.
    assert placed["rsshub:/sspai/index"] == ("新媒体", "少数派", "首页")
    assert placed["rsshub:/sspai/series"] == ("新媒体", "少数派", "首页 (2)")
    # No ### under ##36氪: the site's name, not the previous channel (the reference's bug).
    assert placed["rsshub:/36kr/newsflashes"] == ("新媒体", "36氪", "36氪")
    assert placed["http://www.aaronsw.com/2002/feeds/pgessays.rss"] == ("博客", "Paul Graham 博客", "Essays")
    # diy entries from user_config.yml follow.
    assert placed["rsshub:/v2ex/topics/latest"] == ("编程", "V2EX", "最新主题")
    assert placed["rsshub:/douban/movie/playing"] == ("生活", "豆瓣", "正在上映的电影")
    # A diy `link` may be a full URL, and `categories` a one-item list.
    assert placed["https://www.ruanyifeng.com/blog/atom.xml"] == ("博客", "阮一峰", "网络日志")
    assert cfg.rsshub.instances == ["http://127.0.0.1:9"]

    text = out.read_text(encoding="utf-8")
    # Every enabled line is in the output (as a leaf's origin comment) or in the report.
    for line in ENABLED_LINES:
        assert f"config.yml:{line}" in text or f"config.yml:{line}" in report, line
    assert "config.yml:28: rsshub:/sspai/index is listed again (first at config.yml:24)" in report
    assert "config.yml:12: /zhihu/people/activities/:id still holds a :parameter" in report
    assert "config.yml:45: " in report and "not a route path" in report
    assert "user_config.yml:10: diy[2] has no source_child; not imported" in report
    assert "2 commented-out routes were left out" in report
    assert len(ENABLED_LINES) == 12
    assert "社交媒体: 3" in report  # zhihu ×2 + weibo hot
    assert "routes not checked against RSSHub's route catalog" in report
    # Reference order is kept in the written file, and it carries its own header comment.
    assert text.index("社交媒体:") < text.index("新媒体:") < text.index("二次元:") < text.index("博客:") < text.index("编程:")
    assert text.startswith("# feedstation config imported from config.yml and user_config.yml")
    assert "# Not imported" in text and ":id still holds a :parameter" in text


def test_routes_gone_from_rsshub_are_reported_with_the_closest_live_ones(tmp_path):
    with LoopbackServer() as server:
        server.serve("/api/namespace", body=(FIXTURES / "rsshub" / "namespace.json").read_bytes())
        update_catalog([server.url("")], tmp_path / "rsshub-routes.json")
    report, out = run_import(tmp_path)
    assert "not in RSSHub's route catalog" in report
    # the reference's own headline route is gone from today's RSSHub
    assert ("config.yml:7: /zhihu/hotlist is not in RSSHub's route catalog (closest live routes: /zhihu/pin/hotlist, "
            "/zhihu/hot") in report
    assert "config.yml:38: /zhihu/hotlists is not in RSSHub's route catalog (closest live routes: /zhihu/pin/hotlist" in report
    assert "config.yml:35: /acfun/bangumi/5022158 is not in RSSHub's route catalog" in report
    for live in ("/zhihu/hot/science", "/weibo/search/hot", "/sspai/index", "/36kr/newsflashes", "/v2ex/topics/latest"):
        assert f"{live} is not in" not in report
    # Kept in the output all the same: the catalog may be older than the instance.
    assert "rsshub:/zhihu/hotlists" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "message"), [
    ("slect: [/a\n", "config.yml:2: not valid YAML"),
    ("routes:\n - /zhihu/hotlist\n", "config.yml:1: no `slect:` key"),
    ("slect:\n - /zhihu/hotlist\n", "config.yml:2: slect[0]: route /zhihu/hotlist has no `#` category heading"),
    ("slect:\n#社交媒体\n - /zhihu/hotlist\n", "config.yml:3: slect[0]: route /zhihu/hotlist has no `##` site heading"),
    ("slect: /zhihu/hotlist\n", "config.yml:1: slect: must be a list"),
])
def test_bad_input_names_the_line(text, message):
    with pytest.raises(ConfigError) as caught:
        read_reference_config(text, "config.yml")
    assert str(caught.value).startswith(message)


def test_cli_refuses_to_overwrite_and_reports_bad_input_without_a_traceback(tmp_path):
    bad = tmp_path / "config.yml"
    bad.write_text("slect:\n - /zhihu/hotlist\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "rsshub-page", str(bad), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2
    assert "config.yml:2" in result.output and "heading" in result.output
    shutil.copy(REFERENCE / "config.yml", tmp_path / "existing.yaml")
    result = CliRunner().invoke(main, ["import", "rsshub-page", str(REFERENCE / "config.yml"),
                                       "-o", str(tmp_path / "existing.yaml")])
    assert result.exit_code != 0 and "already exists" in result.output
