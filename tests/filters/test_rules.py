"""Filter rules judged on stored entries: inheritance, exclude wins, keywords (case, width, words,
Chinese), HTML read as text, fields, rewrites on the published copy only."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from feedstation.config import config_from_data
from feedstation.filters import Screen
from feedstation.models import StoredEntry

WHEN = datetime(2026, 11, 1, tzinfo=timezone.utc)


def entry(title: str, content: str = "", *, tree=("科技", "36氪", "快讯"), author: str | None = None,
          link: str | None = "https://example.com/a", summary: str | None = None, id: int = 1,
          hidden_by: str | None = None) -> StoredEntry:
    return StoredEntry(id=id, feed_id=1, category=tree[0], site=tree[1], channel=tree[2], identity=f"i{id}",
                       title=title, link=link, author=author, published=WHEN, updated=None, first_seen=WHEN,
                       last_seen=WHEN, summary=content if summary is None else summary, content=content,
                       image=None, content_hash=f"h{id}", hidden_by=hidden_by)


def filters_of(raw: dict):
    """The FilterSet of a config (sources default to one feed per tree used in these tests)."""
    raw.setdefault("sources", {"科技": {"36氪": {"快讯": "https://example.com/feed"}}})
    return config_from_data(raw, Path("/nonexistent/feedstation.yaml")).filters


def verdict(raw: dict, e: StoredEntry):
    return filters_of(raw).for_tree(e.tree).decide(e)


def hidden(raw: dict, e: StoredEntry) -> str | None:
    return verdict(raw, e).hidden_by


def test_no_filters_hides_nothing_and_shows_a_previously_hidden_entry_again():
    screen = Screen(filters_of({}))
    entries = [entry("一", id=1), entry("二", id=2, hidden_by="filters.exclude[0]: 二")]
    assert [e.title for e in screen.shown(entries)] == ["一", "二"]
    assert screen.changes == {2: None}


def test_keywords_ignore_case_and_width_and_stand_as_words_next_to_latin_letters():
    rules = {"filters": {"exclude": ["AI"]}}
    assert hidden(rules, entry("OpenAI 发布 ai 新模型")) == "filters.exclude[0]: AI"
    assert hidden(rules, entry("全角 ＡＩ 也算")) is not None, "NFKC folds full-width letters"
    assert hidden(rules, entry("AI芯片出货量")) is not None, "a Chinese character next to it is no word"
    assert hidden(rules, entry("He said it was fine")) is None, "'said' does not contain the word AI"
    assert hidden(rules, entry("Maintain the OpenAIR project")) is None


def test_chinese_keywords_match_anywhere_in_the_text():
    rules = {"filters": {"exclude": ["广告", "招聘"]}}
    assert hidden(rules, entry("【广告】限时优惠")) == "filters.exclude[0]: 广告"
    assert hidden(rules, entry("某公司大量招聘工程师")) == "filters.exclude[1]: 招聘"
    assert hidden(rules, entry("广州告别寒潮")) is None


def test_content_is_matched_as_visible_text_not_markup():
    rules = {"filters": {"exclude": ["sponsor", "Tom & Jerry", "AI"]}}
    in_attribute = entry("标题", '<p><a href="https://sponsor.example.com/x" title="sponsor">链接</a></p>')
    assert hidden(rules, in_attribute) is None, "URLs and attributes are markup, not text"
    assert hidden(rules, entry("标题", "<p>Tom &amp; Jerry</p>")) is not None, "entities are decoded"
    assert hidden(rules, entry("标题", "<p>A<b>I</b> news</p>")) is not None, "inline tags do not split words"
    assert hidden(rules, entry("标题", "<p>MA</p><p>I</p>")) is None, "paragraphs do"
    assert hidden(rules, entry("标题", "<p>正文</p>", summary="<p>sponsor 摘要</p>")) is not None, \
        "the summary counts when it differs from the content"


def test_regexes_match_the_text_as_is_with_their_flags():
    assert hidden({"filters": {"exclude": ["/^Show HN/"]}}, entry("show hn: a thing")) is None
    assert hidden({"filters": {"exclude": ["/^Show HN/i"]}}, entry("show hn: a thing")) is not None
    assert hidden({"filters": {"exclude": [r"/第\d+期/"]}}, entry("早报 第12期")) is not None


def test_fields_choose_where_patterns_look():
    e = entry("普通标题", "<p>正文</p>", author="营销号", link="https://ads.example.com/1")
    assert hidden({"filters": {"exclude": ["营销号"]}}, e) is None, "default fields: title and content"
    assert hidden({"filters": {"exclude": [{"match": "营销号", "fields": "author"}]}}, e) is not None
    assert hidden({"filters": {"fields": "any", "exclude": ["ads.example.com"]}}, e) is not None
    assert hidden({"filters": {"fields": ["link"], "exclude": ["正文"]}}, e) is None
    assert hidden({"filters": {"exclude": [{"keyword": "/1", "fields": "link"}]}}, e) is not None


def test_inner_levels_add_to_outer_ones():
    raw = {"filters": {"exclude": ["顶层"]},
           "sources": {"科技": {"filters": {"exclude": ["分类"]},
                                "36氪": {"filters": {"exclude": ["站点"]},
                                         "快讯": {"url": "https://example.com/feed", "filters": {"exclude": ["频道"]}},
                                         "深度": "https://example.com/deep"},
                                "少数派": {"文章": "https://example.com/sspai"}},
                       "生活": {"豆瓣": {"电影": "https://example.com/movie"}}}}
    fast, deep, sspai, movie = (("科技", "36氪", "快讯"), ("科技", "36氪", "深度"), ("科技", "少数派", "文章"),
                                ("生活", "豆瓣", "电影"))
    for word, hides in (("顶层", {fast, deep, sspai, movie}), ("分类", {fast, deep, sspai}), ("站点", {fast, deep}),
                        ("频道", {fast})):
        for tree in (fast, deep, sspai, movie):
            assert (hidden(raw, entry(f"含{word}", tree=tree)) is not None) == (tree in hides), (word, tree)


def test_exclude_wins_over_include_and_includes_of_all_levels_are_pooled():
    raw = {"filters": {"include": ["Python"]},
           "sources": {"科技": {"36氪": {"快讯": {"url": "https://example.com/feed",
                                                 "filters": {"include": ["Rust"], "exclude": ["招聘"]}}}}}}
    assert hidden(raw, entry("Python 3.14 发布")) is None
    assert hidden(raw, entry("Rust 1.90 发布")) is None, "the leaf's include adds to the top one"
    assert hidden(raw, entry("Go 1.30 发布")) == \
        "matches no include rule of filters.include, sources.科技.36氪.快讯.filters.include"
    assert hidden(raw, entry("Python 工程师招聘")) == "sources.科技.36氪.快讯.filters.exclude[0]: 招聘", \
        "exclude wins over include"


def test_rewrites_change_the_published_copy_only_and_run_outer_first():
    raw = {"filters": {"rewrite": [{"pattern": "【广告】"}]},
           "sources": {"科技": {"filters": {"rewrite": [{"pattern": r"/\s*-\s*(来源|36氪)$/", "field": "title"}]},
                                "36氪": {"快讯": "https://example.com/feed"}}}}
    stored = entry("【广告】新品发布 - 36氪", "<p>【广告】正文</p>")
    result = verdict(raw, stored)
    assert result.hidden_by is None
    assert result.entry.title == "新品发布"
    assert result.entry.content == stored.content, "field defaults to title"
    assert [r.key for r in result.rewritten_by] == ["filters.rewrite[0]", "sources.科技.filters.rewrite[0]"]
    assert result.entry.content_hash != stored.content_hash, "publishers' caches see the rewritten text"
    assert stored.title == "【广告】新品发布 - 36氪", "the stored entry is untouched"


def test_content_rewrites_touch_text_between_tags_never_markup():
    raw = {"filters": {"rewrite": [{"pattern": "/example/", "replace": "<b>示例</b>", "field": ["title", "content"]}]}}
    stored = entry("an example", '<p><a href="https://example.com/x">example &amp; more</a></p>')
    result = verdict(raw, stored)
    assert result.entry.content == \
        '<p><a href="https://example.com/x">&lt;b&gt;示例&lt;/b&gt; &amp; more</a></p>', \
        "the href keeps its URL; the replacement is text, escaped"
    assert result.entry.summary == result.entry.content


def test_a_rewrite_never_empties_a_title_and_groups_can_be_used():
    raw = {"filters": {"rewrite": [{"pattern": "/^.+$/", "replace": ""},
                                   {"pattern": r"/^(\S+) (\S+)$/", "replace": r"\2 \1"}]}}
    assert verdict(raw, entry("世界 你好")).entry.title == "你好 世界"


def test_the_screen_records_only_marks_that_changed():
    filters = filters_of({"filters": {"exclude": ["广告"]}})
    entries = [entry("广告一", id=1), entry("广告二", id=2, hidden_by="filters.exclude[0]: 广告"),
               entry("正常", id=3, hidden_by="filters.exclude[0]: 旧规则"), entry("正常二", id=4)]
    screen = Screen(filters)
    assert [e.title for e in screen.shown(entries)] == ["正常", "正常二"]
    assert screen.changes == {1: "filters.exclude[0]: 广告", 3: None}
    assert screen.hidden == 2


@pytest.mark.parametrize("text", ["<p>a &lt; b</p>", "plain &amp; simple", "<img src=\"x\" alt=\"a>b\">after"])
def test_visible_text_reads_sanitised_html_like_a_browser(text):
    from selectolax.lexbor import LexborHTMLParser

    from feedstation.filters.fields import visible_text

    assert visible_text(text) == " ".join(LexborHTMLParser(text).body.text(separator="").split())
