"""sitemap.xml and robots.txt: parsed back with lxml / read line by line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from feedstation.publish.feeds import format_rfc3339
from feedstation.publish.sitemap import (
    SITEMAP_MAX_BYTES,
    SITEMAP_MAX_URLS,
    SITEMAP_PART_URLS,
    SITEMAP_NS,
    render_robots,
    render_sitemap,
    render_sitemap_index,
    render_sitemaps,
)

S = f"{{{SITEMAP_NS}}}"
WHEN = datetime(2024, 5, 1, 16, 30, tzinfo=timezone(timedelta(hours=8)))


def test_sitemap_has_namespace_loc_and_lastmod():
    urls = [("https://news.example.com/", WHEN), ("https://news.example.com/about/", None)]
    root = etree.fromstring(render_sitemap(urls))
    assert SITEMAP_NS == "http://www.sitemaps.org/schemas/sitemap/0.9"
    assert root.tag == S + "urlset"
    items = root.findall(S + "url")
    assert [u.findtext(S + "loc") for u in items] == ["https://news.example.com/", "https://news.example.com/about/"]
    assert items[0].findtext(S + "lastmod") == "2024-05-01T08:30:00Z"  # W3C datetime, in UTC
    assert items[1].find(S + "lastmod") is None


def test_sitemap_escapes_and_percent_encodes_urls():
    raw = render_sitemap([("https://news.example.com/c/社交媒体/?a=1&b=2", None)])
    assert b"&amp;" in raw
    loc = etree.fromstring(raw).findtext(f"{S}url/{S}loc")
    assert loc == "https://news.example.com/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/?a=1&b=2"


def test_sitemap_refuses_relative_urls_and_too_many_urls():
    with pytest.raises(ValueError, match="absolute"):
        render_sitemap([("/relative/", None)])
    with pytest.raises(ValueError, match="50000"):
        render_sitemap([("https://x.example/", None)] * (SITEMAP_MAX_URLS + 1))


def test_sitemap_index_lists_sitemaps():
    root = etree.fromstring(render_sitemap_index([("https://x.example/sitemap-1.xml", WHEN)]))
    assert root.tag == S + "sitemapindex"
    assert root.findtext(f"{S}sitemap/{S}loc") == "https://x.example/sitemap-1.xml"
    assert root.findtext(f"{S}sitemap/{S}lastmod") == "2024-05-01T08:30:00Z"


def test_sitemap_is_deterministic():
    urls = [("https://x.example/a", WHEN), ("https://x.example/b", None)]
    assert render_sitemap(urls) == render_sitemap(list(urls))


def test_robots_allows_all_and_points_at_the_sitemap():
    lines = render_robots("https://news.example.com/").decode("utf-8").splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)
    assert "Sitemap: https://news.example.com/sitemap.xml" in lines


def test_robots_refuses_line_breaks_in_the_site_url():
    with pytest.raises(ValueError, match="line break"):
        render_robots("https://x.example\nDisallow: /")


def _urls(prefix: str, count: int) -> list[tuple[str, datetime | None]]:
    return [(f"https://x.example/{prefix}/{n}.html", WHEN + timedelta(minutes=n)) for n in range(count)]


def test_sitemaps_stay_one_file_while_they_fit():
    pages, items = _urls("c", 3), _urls("item", 10)[::-1]
    files = render_sitemaps(pages, items, base_url="https://x.example/")
    assert list(files) == ["sitemap.xml"]
    assert files["sitemap.xml"] == render_sitemap([*pages, *items])


def test_sitemaps_past_the_url_limit_become_an_index_of_parts_each_within_the_limits():
    # 120,000 items: the size a year of history reaches; every URL must be in exactly one part, each part
    # SITEMAP_PART_URLS items (well under the protocol's 50,000, so the part a new item touches renders quickly).
    pages, items = _urls("c", 1_200), _urls("item", 120_000)[::-1]
    files = render_sitemaps(pages, items, base_url="https://x.example/news/")
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == S + "sitemapindex"
    listed = [loc.text for loc in index.iter(S + "loc")]
    assert listed == ["https://x.example/news/sitemap-pages.xml"] + [
        f"https://x.example/news/sitemap-items-{n}.xml" for n in range(1, 120_000 // SITEMAP_PART_URLS + 1)]
    seen: list[str] = []
    for name, body in files.items():
        if name == "sitemap.xml":
            continue
        assert len(body) <= SITEMAP_MAX_BYTES
        locs = [loc.text for loc in etree.fromstring(body).iter(S + "loc")]
        assert len(locs) <= SITEMAP_MAX_URLS
        seen.extend(locs)
    assert sorted(seen) == sorted(url for url, _ in [*pages, *items])
    # Each part's lastmod in the index is its newest item's.
    lastmods = [el.text for el in index.iter(S + "lastmod")]
    assert lastmods[-1] == format_rfc3339(items[0][1])


def test_a_new_item_changes_only_the_last_part_and_the_index():
    pages, items = _urls("c", 5), _urls("item", 120)[::-1]
    before = render_sitemaps(pages, items[1:], base_url="https://x.example/", max_urls=50)
    after = render_sitemaps(pages, items, base_url="https://x.example/", max_urls=50)
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed == ["sitemap-items-3.xml", "sitemap.xml"]


def test_sitemaps_split_further_when_parts_exceed_the_byte_limit():
    pages, items = _urls("c", 2), _urls("item", 40)[::-1]
    files = render_sitemaps(pages, items, base_url="https://x.example/", max_bytes=2_000)
    assert len(files) > 3
    assert all(len(body) <= 2_000 for name, body in files.items() if name != "sitemap.xml")
