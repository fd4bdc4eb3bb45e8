"""Text cleaning (property-tested) and the date policy."""

from __future__ import annotations

import pytest

import unicodedata
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from feedstation.models import ParsedEntry, ParsedFeed
from feedstation.normalize import normalize_entries
from feedstation.normalize.dates import entry_dates, plausible
from feedstation.normalize.text import clean_text, plain_title

NOW = datetime(2024, 1, 1, 12, tzinfo=timezone.utc)


@given(st.text())
def test_normalised_titles_have_no_controls_or_surrogates(raw):
    title = plain_title(raw)
    title.encode("utf-8")
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in title), repr(title)
    assert title == title.strip()
    assert "\n" not in title and "  " not in title


@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_clean_text_output_encodes(raw):
    out = clean_text(raw)
    out.encode("utf-8")
    assert "\x00" not in out and "\ufffc" not in out


def test_entities_that_decode_to_controls_are_cleaned():
    assert plain_title("a&#1;b&#0;c&#xD800;") == "ab\ufffdc\ufffd"  # html.unescape maps NUL/surrogates to U+FFFD


def test_title_tags_entities_and_whitespace():
    assert plain_title("  <b>Bold</b> &amp;\n\n  <em>more</em> &quot;q&quot; ") == "Bold & more \"q\""
    assert plain_title("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"


def test_untitled_and_content_fallback():
    feed = ParsedFeed(format="rss", entries=(ParsedEntry(id="1", content="<p>" + "字" * 100 + "</p>"), ParsedEntry(id="2")))
    first, second = normalize_entries(feed, base_url=None, now=NOW)
    assert first.title == "字" * 80 + "…"
    assert second.title == "(untitled)"


def test_dates_are_utc_and_published_falls_back_to_updated():
    east = timezone(timedelta(hours=8))
    dates = entry_dates(None, datetime(2023, 5, 1, 8, tzinfo=east), NOW)
    published, updated = dates.published, dates.updated
    assert dates.warning is None and dates.feed_date is None
    assert published == updated == datetime(2023, 5, 1, 0, tzinfo=timezone.utc)
    assert published.utcoffset() == timedelta(0)
    assert plausible(datetime(2023, 5, 1), NOW).tzinfo is timezone.utc  # naive → UTC


def test_future_dates_beyond_a_day_are_dropped_not_clamped():
    assert plausible(NOW + timedelta(hours=23), NOW) == NOW + timedelta(hours=23)
    assert plausible(NOW + timedelta(days=2), NOW) is None
    feed = ParsedFeed(format="rss", entries=(ParsedEntry(id="1", published=datetime(2099, 1, 1, tzinfo=timezone.utc)),))
    [entry] = normalize_entries(feed, base_url=None, now=NOW)
    assert entry.published is None
    # The feed's own value is kept, with a warning that says what was done with it.
    assert entry.feed_date == datetime(2099, 1, 1, tzinfo=timezone.utc)
    assert entry.warning == ("the feed's published date 2099-01-01T00:00:00Z is more than 1 day in the future; "
                             "ordered by the time it was first seen")


@pytest.mark.parametrize("year", [1, 103, 999, 1969, 1970, 1989])
def test_dates_before_1990_are_set_aside_and_kept(year):
    old = datetime(year, 12, 13, 18, 30, 2, tzinfo=timezone.utc)
    feed = ParsedFeed(format="rss", entries=(ParsedEntry(id="1", published=old),))
    [entry] = normalize_entries(feed, base_url=None, now=NOW)
    assert entry.published is None and entry.feed_date == old
    assert f"{year:04d}-12-13T18:30:02Z is before 1990" in entry.warning


def test_an_implausible_published_date_falls_back_to_a_plausible_updated_one():
    good = datetime(2023, 5, 1, tzinfo=timezone.utc)
    dates = entry_dates(datetime(1970, 1, 1, tzinfo=timezone.utc), good, NOW)
    assert dates.published == dates.updated == good
    assert dates.feed_date == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert dates.warning.endswith("ordered by the feed's other date")
