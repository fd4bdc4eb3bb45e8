"""Canonical links: one spelling per article whatever tracking, mobile or AMP form a feed links it in."""

import pytest

from feedstation.dedupe import canonical_link

SAME = [
    ("https://36kr.com/p/306?utm_source=zhihu&utm_medium=social", "https://36kr.com/p/306"),
    ("https://www.jiemian.com/article/1.html?share_token=8f2a&from=timeline", "http://jiemian.com/article/1.html"),
    ("https://m.ithome.com/html/812345.htm", "https://www.ithome.com/html/812345.htm"),
    ("https://amp.theguardian.com/environment/2026/nov/23/cop31", "https://www.theguardian.com/environment/2026/nov/23/cop31"),
    ("https://www.theregister.com/AMP/2026/11/25/github_outage/", "https://www.theregister.com/2026/11/25/github_outage"),
    ("https://www.bbc.co.uk/news/articles/c0000bert.amp", "https://www.bbc.co.uk/news/articles/c0000bert"),
    ("https://example.com/story.amp.html", "https://example.com/story.html"),
    ("https://example.com/story?amp", "https://example.com/story"),
    ("https://example.com/story?amp=1&id=7", "https://example.com/story?id=7"),
    ("https://e.com/a?b=2&a=1", "https://e.com/a?a=1&b=2"),
    ("https://www.163.com/tech/article/JD1.html?spm=5176.28103460", "https://www.163.com/tech/article/JD1.html"),
    ("https://e.com/p?fbclid=IwAR0&gclid=x&igshid=y&mc_cid=1", "https://e.com/p"),
    ("https://blog.rust-lang.org/2026/11/26/Rust-1.92.0.html#whats-new", "https://blog.rust-lang.org/2026/11/26/Rust-1.92.0.html"),
    ("https://E.COM:443/a/", "https://e.com/a"),
    ("https://www.bbc.co.uk/news/x?at_medium=RSS&at_campaign=KARANGA", "https://bbc.co.uk/news/x"),
]

DIFFERENT = [
    ("https://news.ycombinator.com/item?id=1", "https://news.ycombinator.com/item?id=2"),
    ("https://e.com/a", "https://e.org/a"),
    ("https://e.com/a/b", "https://e.com/a"),
    ("https://e.com/Post", "https://e.com/post"),  # paths are case-sensitive
    ("https://blog.e.com/x", "https://e.com/x"),  # only www./m./amp. hosts are the bare domain
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_of_one_page_get_one_canonical_link(a, b):
    assert canonical_link(a) == canonical_link(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_pages_keep_different_links(a, b):
    assert canonical_link(a) != canonical_link(b)


@pytest.mark.parametrize("url", [None, "", "mailto:a@b.c", "javascript:alert(1)", "/relative/path", "https://"])
def test_no_web_link_has_no_canonical_link(url):
    assert canonical_link(url) is None


def test_a_bare_domain_is_not_stripped_to_its_suffix():
    assert canonical_link("https://m.cn/x") == "m.cn/x"
    assert canonical_link("https://www.example.com/") == "example.com/"
