"""Every file of feedparser's own test corpus goes through parse → normalise without a crash or unsafe HTML."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from feedstation.errors import ParseError
from feedstation.normalize import normalize_entries
from feedstation.parse import parse_feed
from tests.corpora import feedparser_corpus, feedparser_corpus_files
from tests.normalize.html_checks import unsafe_findings

CORPUS = feedparser_corpus()  # from feedparser's sdist on PyPI, cached (tests/corpora.py)
FILES = feedparser_corpus_files()
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_corpus_is_present():
    # Fail, not skip: a missing corpus would silently turn the property test below into nothing.
    assert CORPUS.is_dir(), f"feed corpus missing at {CORPUS}"
    assert len(FILES) > 500


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_is_parsed_safely(path):
    try:
        feed = parse_feed(path.read_bytes(), url="http://example.org/" + path.name)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    entries = normalize_entries(feed, base_url="http://example.org/feed.xml", now=NOW)
    for entry in entries:
        for html in (entry.summary, entry.content):
            assert unsafe_findings(html) == [], html
        for value in (entry.identity, entry.title, entry.summary, entry.content):
            value.encode("utf-8")
            assert "\x00" not in value
        for url in (entry.link, entry.image):
            assert url is None or url.split(":", 1)[0] in ("http", "https")
