"""Mistakes in `filters:` are config errors naming file, line and key; patterns that match everything are refused."""

from __future__ import annotations

import pytest

from feedstation.config import load_config
from feedstation.errors import ConfigError

TREE = """sources:
  科技:
    36氪:
      快讯: https://example.com/feed
"""


def load_error(tmp_path, text: str) -> str:
    path = tmp_path / "feedstation.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("filters:\n  exclude:\n    - 广告\n    - '/[unclosed/'\n" + TREE,
     ":4: filters.exclude[1]: /[unclosed/ is not a valid regex: unterminated character set at position 0"),
    ("filters:\n  exclude: ['/.*/']\n" + TREE,
     ":2: filters.exclude[0]: /.*/ matches every text, so the rule would apply to every item"),
    ("filters:\n  include: ['/(?:)/i']\n" + TREE, ":2: filters.include[0]: /(?:)/i matches every text"),
    ("filters:\n  exclude:\n    - ''\n" + TREE, ":3: filters.exclude[0]: an empty keyword would match every item"),
    ("filters:\n  exclude: ['  ']\n" + TREE, ":2: filters.exclude[0]: an empty keyword would match every item"),
    ("filters:\n  fields: [title, contents]\n  exclude: [x]\n" + TREE,
     ":2: filters.fields: unknown field 'contents'; did you mean 'content'? fields are title, content, author, "
     "link or any"),
    ("filters:\n  exclude:\n    - {match: x, fields: body}\n" + TREE,
     ":3: filters.exclude[0].fields: unknown field 'body'"),
    ("filters:\n  exclud: [x]\n" + TREE,
     ":2: filters.exclud: unknown key in a filters mapping; did you mean 'exclude'?"),
    ("filters:\n  exclude: ['/x/g']\n" + TREE,
     ":2: filters.exclude[0]: unknown regex flag 'g' in /x/g; flags are i, m, s, x (to match this text literally, "
     "write it as {keyword: '/x/g'})"),
    ("filters:\n  exclude: [{match: x, keyword: y}]\n" + TREE,
     ":2: filters.exclude[0]: give exactly one of `match`"),
    ("filters:\n  exclude: [12]\n" + TREE, ":2: filters.exclude[0]: must be a keyword or /regex/flags, got 12"),
    ("filters:\n  rewrite:\n    - {pattern: '/a(b)/', replace: '\\2'}\n" + TREE,
     ":3: filters.rewrite[0].replace: '\\\\2' is not a valid replacement for /a(b)/: invalid group reference 2"),
    ("filters:\n  rewrite:\n    - {pattern: '/x*/'}\n" + TREE, ":3: filters.rewrite[0].pattern: /x*/ matches every text"),
    ("filters:\n  rewrite:\n    - {pattern: '/^$/'}\n" + TREE,
     ":3: filters.rewrite[0].pattern: /^$/ can match empty text, so it would rewrite at every position"),
    ("filters:\n  rewrite:\n    - {pattern: x, field: author}\n" + TREE,
     ":3: filters.rewrite[0].field: a rewrite changes title or content, not author"),
    ("filters:\n  rewrite: [广告]\n" + TREE, ":2: filters.rewrite[0]: must be a mapping such as `{pattern: 【广告】}`"),
    ("filters: [广告]\n" + TREE, ":1: filters: must be a mapping of keys"),
])
def test_top_level_mistakes_name_file_line_and_key(tmp_path, text, expected):
    message = load_error(tmp_path, text)
    assert "feedstation.yaml" + expected in message, message


def test_mistakes_inside_the_tree_name_their_level(tmp_path):
    text = """sources:
  科技:
    filters:
      include: [Python]
    36氪:
      filters:
        exclude: [招聘]
      快讯:
        url: https://example.com/feed
        filters:
          exclude:
            - '/(/'
"""
    message = load_error(tmp_path, text)
    assert "feedstation.yaml:12: sources.科技.36氪.快讯.filters.exclude[0]: /(/ is not a valid regex" in message
    message = load_error(tmp_path, text.replace("[招聘]", "['/.?/']"))
    assert "feedstation.yaml:7: sources.科技.36氪.filters.exclude[0]: /.?/ matches every text" in message
    message = load_error(tmp_path, text.replace("include: [Python]", "include: [{match: Python, fields: titel}]"))
    assert "feedstation.yaml:4: sources.科技.filters.include[0].fields: unknown field 'titel'; did you mean 'title'?" \
        in message


def test_a_level_with_filters_and_nothing_else_is_explained(tmp_path):
    message = load_error(tmp_path, "sources:\n  科技:\n    filters: {exclude: [x]}\n")
    assert "feedstation.yaml:2: sources.科技: has `filters` but no sites" in message


def test_the_flat_diy_list_refuses_filters(tmp_path):
    message = load_error(tmp_path, "diy:\n  - {categories: a, source_parent: b, source_child: c,\n"
                                   "     link: {url: 'https://example.com/f', filters: {exclude: [x]}}}\n")
    assert "diy[0].link.filters: the flat diy list takes no filters" in message


def test_valid_filters_load_and_keep_the_tree_intact(tmp_path):
    path = tmp_path / "feedstation.yaml"
    path.write_text("""filters:
  exclude: [广告, '/^\\[推广\\]/i', {keyword: '/r/python', fields: link}]
  rewrite:
    - {pattern: 【广告】}
sources:
  科技:
    filters: {include: [AI]}
    36氪:
      filters: {exclude: [招聘]}
      快讯: {url: https://example.com/feed, max_items: 5, filters: {exclude: [融资]}}
""", encoding="utf-8")
    config = load_config(path)
    assert [(s.tree, s.max_items) for s in config.sources()] == [(("科技", "36氪", "快讯"), 5)]
    rules = config.filters.for_tree(("科技", "36氪", "快讯"))
    assert [r.key for r in rules.excludes] == ["filters.exclude[0]", "filters.exclude[1]", "filters.exclude[2]",
                                              "sources.科技.36氪.filters.exclude[0]",
                                              "sources.科技.36氪.快讯.filters.exclude[0]"]
    assert [r.where for r in rules.includes] == [f"{path}:7"]
    assert config.filters.for_tree(("科技", "36氪", "快讯")) is rules, "combined once per tree"


def test_the_readme_example_loads_and_does_what_it_says():
    from pathlib import Path

    from feedstation.config import _load_yaml, config_from_data
    from tests.filters.test_rules import entry

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Filters"):]
    start = section.index("```yaml") + len("```yaml")
    raw, lines = _load_yaml(section[start:section.index("```", start)], "README.md")
    filters = config_from_data(raw, Path("/nonexistent/feedstation.yaml"), lines=lines).filters
    flash, news = filters.for_tree(("科技", "36氪", "快讯")), filters.for_tree(("科技", "36氪", "资讯"))
    assert flash.decide(entry("AI 公司招聘", tree=("科技", "36氪", "快讯"))).hidden_by is not None
    assert news.decide(entry("AI 公司招聘", tree=("科技", "36氪", "资讯"))).hidden_by is None
    assert news.decide(entry("某公司完成融资", tree=("科技", "36氪", "资讯"))).hidden_by is not None
    assert news.decide(entry("手机新品", tree=("科技", "36氪", "资讯"))).hidden_by is not None, "no include matched"
    assert news.decide(entry("【广告】芯片新品", tree=("科技", "36氪", "资讯"))).hidden_by is not None
    assert news.decide(entry("【转载】芯片新品 - 来源", tree=("科技", "36氪", "资讯"))).entry.title == "芯片新品"
