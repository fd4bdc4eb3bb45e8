"""Slugs and URLs: CJK kept, unsafe names made safe and kept distinct."""

from __future__ import annotations

import unicodedata

import pytest

from feedstation.publish.site.paths import absolute, href, slugify


@pytest.mark.parametrize("name", ["社交媒体", "知乎热榜", "Hacker News", "C++ 博客", "GitHub"])
def test_safe_names_are_kept_as_written(name):
    assert slugify(name) == name


@pytest.mark.parametrize("name", ["a/b", "..", ".hidden", "page", "PAGE", "a:b", 'x"y', "a\u202eb", "a\u200bb",
                                  "tab\there", "x" * 300, "", "   ", "100%", "#1"])
def test_unsafe_names_are_cleaned_and_suffixed(name):
    slug = slugify(name)
    assert slug != name
    assert not set(slug) & set('/\\:*?"<>|%#') and slug not in ("", ".", "..") and not slug.startswith(".")
    assert all(unicodedata.category(c)[0] != "C" for c in slug)
    assert len(slug.encode("utf-8")) <= 100


def test_names_that_clean_alike_stay_distinct():
    assert len({slugify(n) for n in ["a/b", "a_b", "a\\b", "a:b", "a\u200bb", "ab"]}) == 6


def test_nfc_and_nfd_forms_share_a_slug_only_via_hash():
    nfd = unicodedata.normalize("NFD", "café")
    assert slugify("café") == "café" and slugify(nfd).startswith("café-")


def test_urls_are_percent_encoded():
    assert href("", "c/社交媒体/index.html") == "/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/"
    assert href("/repo", "c/C++ 博客/page/2/index.html") == "/repo/c/C%2B%2B%20%E5%8D%9A%E5%AE%A2/page/2/"
    assert absolute("https://u.github.io/repo/", "atom.xml") == "https://u.github.io/repo/atom.xml"
