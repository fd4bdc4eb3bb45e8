"""`import rsshub-page` on hostile inputs: every enabled line lands in the written config or in the report.

The input is written byte by byte here (BOM, CRLF, full-width ＃, a zero-width heading), so a
checkout's line-ending settings cannot change it.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from feedstation.cli import main
from feedstation.config import load_config
from feedstation.errors import ConfigError
from feedstation.importers.reference_config import read_reference_config

QUIRKS = [
    "\ufeffslect:",
    "＃社交媒体  ",  # 2: full-width heading mark, trailing spaces
    "#--------------------",
    "",
    "##知乎 ",
    "###知乎热榜",
    ' - &hot "/zhihu/hotlist"',  # 7: quoted, anchored
    "###知乎日报",
    " - '/zhihu/daily?limit=10'",  # 9: a query string
    "# - /zhihu/people/activities/diygod",  # disabled
    "#空的分类",  # an empty category
    "#--------------------",
    "#新媒体",
    "##36氪",
    " - https://36kr.com/feed",  # 15: a full URL, under a site with no ### heading
    " - RSSHUB:/36kr/newsflashes",  # 16: the scheme in capitals
    "##少数派",
    "###filters",  # a name the tree keeps for its filter rules
    " - /sspai/index",  # 19
    "###\u200b",  # a channel heading that shows nothing: the site's name, not the previous channel
    " - /sspai/matrix",  # 21
    "#重复",
    "##知乎",
    "###热榜",
    " - *hot",  # 25: an alias of line 7: a duplicate at its own line
    " - /zhihu/hotlist/",  # 26: the same route with a trailing slash
    " - /x/:0",  # 27: an unfilled parameter the config loader would refuse
    " - https://example.com/list.opml",  # 28: an OPML list cannot be one channel
    " - ''",  # 29: not a route
    " - https://RSSHub.example/sspai/series",  # 30: a full URL on the reference's instance: that route
]


def enabled_lines(lines: list[str]) -> list[int]:
    return [n for n, line in enumerate(lines, 1) if re.match(r"^\s+-", line)]


def test_every_enabled_line_of_a_hostile_config_is_in_the_output_or_the_report(tmp_path):
    source = tmp_path / "config.yml"
    source.write_bytes("\r\n".join(QUIRKS).encode("utf-8") + b"\r\n")
    out = tmp_path / "feedstation.yaml"
    result = CliRunner().invoke(main, ["import", "rsshub-page", str(source), "-o", str(out),
                                       "--instance", "https://rsshub.example"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = result.output
    text = out.read_text(encoding="utf-8")
    for line in enabled_lines(QUIRKS):
        assert re.search(rf"config\.yml:{line}\b", text + report), line
    # Report lines are never wrapped: each `file:line: …` stays whole on its line.
    assert "config.yml:25: rsshub:/zhihu/hotlist is listed again (first at config.yml:7); merged into that one\n" in report
    assert "config.yml:26: rsshub:/zhihu/hotlist/ is listed again (first at config.yml:7)" in report
    assert "config.yml:2: heading written with the full-width ＃; read as #" in report
    assert "config.yml:27: /x/:0 still holds a :parameter" in report
    assert "config.yml:28: https://example.com/list.opml looks like an OPML list" in report
    assert "config.yml:19: the channel name 'filters' cannot be used in the tree" in report
    assert "config.yml:30: https://RSSHub.example/sspai/series is on the RSSHub instance https://rsshub.example; " \
           "imported as the route rsshub:/sspai/series" in report

    placed = {s.url: s.tree for s in load_config(out).sources()}  # what was written loads
    assert placed == {
        "rsshub:/zhihu/hotlist": ("社交媒体", "知乎", "知乎热榜"),
        "rsshub:/zhihu/daily?limit=10": ("社交媒体", "知乎", "知乎日报"),
        "https://36kr.com/feed": ("新媒体", "36氪", "36氪"),
        "rsshub:/36kr/newsflashes": ("新媒体", "36氪", "36氪 (2)"),
        "rsshub:/sspai/index": ("新媒体", "少数派", "filters (channel)"),
        "rsshub:/sspai/matrix": ("新媒体", "少数派", "少数派"),
        "rsshub:/sspai/series": ("重复", "知乎", "热榜"),
    }
    assert "空的分类" not in text  # no empty level written


def test_an_alias_takes_the_headings_above_its_own_line():
    text = "slect:\n#博客\n##PG\n###E\n - &r /a/b\n#新闻\n##X\n###Y\n - *r\n - /c/d\n"
    read = read_reference_config(text, "config.yml")
    assert [(f.origin, f.tree) for f in read.feeds] == [
        ("config.yml:5", ("博客", "PG", "E")), ("config.yml:9", ("新闻", "X", "Y")), ("config.yml:10", ("新闻", "X", "Y"))]


@pytest.mark.parametrize(("text", "message"), [
    ("slect:\n#博客\n##PG\n\t- /a/b\n", "config.yml:4: not valid YAML: found character '\\t' that cannot start any token "
                                       "(YAML indents with spaces, and this line has a tab)"),
    ("slect:\n##PG\n###E\n - /a/b\n", "config.yml:4: slect[0]: route /a/b has no `#` category heading"),
    ("slect:\n#博客\n##PG\n - /a/b\n# \x0c\n", "config.yml:5: not valid YAML: the control character U+000C"),
    ("\ufeff", "config.yml:1: no `slect:` key"),
], ids=["tab", "site-without-category", "control-character", "only-a-bom"])
def test_more_bad_input_names_the_line(text, message):
    with pytest.raises(ConfigError) as caught:
        read_reference_config(text, "config.yml")
    assert str(caught.value).startswith(message)
