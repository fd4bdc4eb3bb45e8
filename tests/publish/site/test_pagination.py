"""Pagination numbered from the oldest (issue 19): full pages never change when newer items arrive."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from feedstation.publish.site import build_site
from feedstation.publish.site.pagination import pager, pages
from tests.publish.site.conftest import NOW, SETTINGS, fixture_sources, make_entry


def _url(number: int) -> str:
    return f"/p/{number}/"


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=60))
def test_every_item_is_on_the_index_or_on_exactly_one_numbered_page(total, size):
    items = list(range(total, 0, -1))  # newest first
    cut = dict(pages(items, size))
    assert cut[0] == items[:size]
    # Items are numbered by age (1 the oldest); a page lists its items newest first.
    oldest_first = [item for number in sorted(cut) if number for item in reversed(cut[number])]
    assert oldest_first == list(range(1, total - total % size + 1)), "pages 1, 2, … hold the oldest items"
    assert all(len(cut[number]) == size for number in cut if number), "only full pages are numbered"
    shown = set(cut[0]) | set(oldest_first)
    assert shown == set(items)


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=60))
def test_a_newer_item_changes_no_numbered_page_and_a_pager_at_most_when_pages_are_added(total, size):
    before_items = list(range(total, 0, -1))
    after_items = [total + 1, *before_items]
    before, after = dict(pages(before_items, size)), dict(pages(after_items, size))
    for number, chunk in before.items():
        if number:
            assert after[number] == chunk
            old, new = pager(number, total, size, _url), pager(number, total + 1, size, _url)
            if old != new:  # only when the next page or the one after it appeared
                assert (total + 1) // size in (number + 1, number + 2) and (total + 1) % size == 0


def test_the_pager_links_latest_neighbours_and_a_window_never_the_highest_page():
    # 1,000 items at 10 a page: pages 1..100, the index shows the newest 10 (= page 100).
    index = pager(0, 1000, 10, _url)
    assert index.newer is None and index.older == _url(99), "the index's older page holds the newest item it lacks"
    assert [link and link[0] for link in index.links] == [0, 99, 98, 97, None, 1]
    middle = pager(50, 1000, 10, _url)
    assert (middle.newer, middle.older) == (_url(51), _url(49))
    assert [link and link[0] for link in middle.links] == [0, 52, 51, 50, 49, 48, None, 1]
    newest = pager(100, 1000, 10, _url)
    assert newest.newer == _url(0) and newest.top == 100
    assert pager(0, 10, 10, _url) is None, "one page holds them all"


def test_a_new_newest_item_rewrites_index_pages_only(tmp_path):
    """13 items at 5 a page, then a 14th, newest: numbered pages (the oldest 5, the next 5) keep their bytes."""
    sources = fixture_sources()
    base = datetime(2022, 1, 1, tzinfo=timezone.utc)
    entries = [make_entry(i, i % 2, f"第 {i} 条", f"<p>正文 {i}</p>", None, published=base + timedelta(days=i))
               for i in range(13)]
    build_site(entries, sources, tmp_path, SETTINGS, now=NOW)
    newest = make_entry(13, 0, "最新的一条", "<p>新</p>", None, published=base + timedelta(days=30))
    report = build_site([*entries, newest], sources, tmp_path, SETTINGS, now=NOW)
    written = set(report.written_paths)
    assert "latest/index.html" in written
    assert not {path for path in written if "/page/" in path}, "no numbered page changed"
    assert (tmp_path / "latest/page/2/index.html").is_file() and not (tmp_path / "latest/page/3").exists()
