"""Front matter reads back exactly in PyYAML (YAML 1.1) and js-yaml (YAML 1.2, Hexo's parser)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedstation.publish.front_matter import scalar, single_quoted
from feedstation.publish.hexo import export_hexo, render_post
from feedstation.publish.hexo_inert import inert_text
from tests.publish.test_hexo_support import front_matter_text, js_yaml_dir, js_yaml_load_many, make_entry  # noqa: F401

# Values that some YAML 1.1 or 1.2 resolver types, or that start with an indicator.
TYPED_OR_INDICATOR = [
    "yes", "Yes", "no", "on", "off", "y", "n", "true", "False", "null", "NULL", "~", "", " ", " x", "x ",
    "2024", "-1", "+1", "1e3", "1_000", "0o17", "0x1F", "0b101", "017", "1.5", ".5", "2024-01-01",
    "2024-01-01 10:00:00", "12:30", "1:30:00", ".inf", "-.inf", ".nan", ".NaN", "<<", "=",
    "-", "- a", "-a", "?", "? a", ":", ": a", "a: b", "a:", "a #b", "#x", "@x", "&x", "*x", "!x", "!!str x",
    "|", ">", "[x", "]", "{x", "}", ",x", "'x", '"x', "%x", "`x", "a'b", 'a"b', "a\\b", "---", "...",
]

# Characters YAML 1.2 cannot carry (§5.1), plus the BOM: the title loses them.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def expected_title(title: str) -> str:
    """The documented contract: line breaks (incl. NEL, LS, PS) and tabs become spaces, unprintables go,
    and HTML's markup characters become look-alikes (`inert_text`, issue 14)."""
    folded = re.sub("\r\n|[\r\n\x85\u2028\u2029\t]", " ", title)
    return inert_text(_NOT_PRINTABLE.sub("", folded))


def test_plain_values_stay_plain_as_in_the_reference():
    assert [scalar(v) for v in ("社交媒体", "知乎", "知乎热榜", "Hacker News", "2024年", "v2ex")] == [
        "社交媒体", "知乎", "知乎热榜", "Hacker News", "2024年", "v2ex",
    ]


def test_typed_and_indicator_values_are_single_quoted():
    for value in TYPED_OR_INDICATOR:
        assert scalar(value).startswith("'"), value


def test_single_quoted_doubles_quotes_and_folds_lines():
    assert single_quoted("It's\na 'test'") == "'It''s a ''test'''"
    assert single_quoted("a\r\nb\u2028c\x85d\u2029e\x00f\ufeffg") == "'a b c d efg'"


def test_typed_tree_names_read_back_as_strings_in_both_parsers(js_yaml_dir):
    posts = [render_post(make_entry(category=v, site=v, channel=v, title=v)) for v in TYPED_OR_INDICATOR]
    docs = [front_matter_text(post) for post in posts]
    loaded_js = js_yaml_load_many(js_yaml_dir, docs)
    for raw, doc, js in zip(TYPED_OR_INDICATOR, docs, loaded_js):
        value = inert_text(raw)  # the same as `raw` but for the quote and `&x` cases
        py = yaml.safe_load(doc)
        assert py["categories"] == [value] * 3 and py["author"] == value and py["title"] == value, doc
        assert "error" not in js, (doc, js)
        assert js["value"]["categories"] == [value] * 3, (doc, js)
        assert js["value"]["author"] == value and js["value"]["title"] == value, (doc, js)


_SPECIALS = [
    "'", '"', "''", ":", ": ", " #", "#", "@", "*", "&", "[", "]", "{", "}", "|", ">", "!", "%", "`", "-", "- ", "?",
    "\n", "\r", "\r\n", "\t", "---", "\n---\n", "...", "\u2028", "\u2029", "\x85", "\ufeff", "\ud800", "\udfff",
    "\ufffe", "\x00", "\x1b", "\x7f", "\x9f", "\u202e", "\u200b", "\u200d", "{{ x }}", "{% raw %}", "🎉", "👨‍👩‍👧",
    " ", "yes", "null", "~", "2024", "1e3", "0o17", "2024-01-01", "12:30", ".inf", "..", "/", "\\", "CON", "e\u0301",
]
_TEXT = st.lists(st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(_SPECIALS)), max_size=12).map("".join)


def test_front_matter_round_trips_in_pyyaml_and_js_yaml_and_paths_stay_inside(js_yaml_dir):
    collected: list[tuple[tuple[str, str, str, str], str]] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(title=_TEXT, category=_TEXT, site=_TEXT, channel=_TEXT)
    def check(title, category, site, channel):
        entry = make_entry(title=title, category=category, site=site, channel=channel)
        doc = front_matter_text(render_post(entry))
        loaded = yaml.safe_load(doc)
        assert loaded["title"] == expected_title(title)
        assert loaded["categories"] == [expected_title(category), expected_title(site), expected_title(channel)]
        assert loaded["author"] == expected_title(site)
        collected.append(((title, category, site, channel), doc))
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp, "out")
            export_hexo([entry, make_entry(identity="other", title=title, category=category, site=site, channel=channel)], root)
            files = [p for p in Path(tmp).rglob("*") if p.is_file()]
            assert len(files) == 3  # two posts (never one shared file) + the manifest
            for path in files:
                assert path.resolve().is_relative_to(root.resolve()), path

    check()
    results = js_yaml_load_many(js_yaml_dir, [doc for _, doc in collected])
    for ((title, category, site, channel), doc), js in zip(collected, results):
        assert "error" not in js, (doc, js)
        value = js["value"]
        assert value["title"] == expected_title(title), doc
        assert value["categories"] == [expected_title(category), expected_title(site), expected_title(channel)], doc
        assert value["author"] == expected_title(site), doc
