"""The built pages' navigation and search markup: current page, counts, phone rows, Pagefind filters and metadata."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW)
    return out


def _doc(site: Path, relpath: str):
    return lxml_html.fromstring((site / relpath).read_bytes())


def _current(doc) -> list[str]:
    """Texts of the nav links marked current (without their counts)."""
    return [a.text.strip() for a in doc.xpath('//div[@class="nav-rows"]//a[@aria-current="page"]')]


@pytest.mark.parametrize(("relpath", "expected"), [
    ("index.html", ["首页"]), ("search/index.html", []), ("archive/index.html", ["归档"]),
    ("archive/2022/01/index.html", ["归档"]), ("c/index.html", ["全部分类"]), ("404.html", []),
    ("c/社交媒体/知乎/index.html", ["知乎"]),
])
def test_only_the_page_itself_is_marked_current(site, relpath, expected):
    assert _current(_doc(site, relpath)) == expected


def test_nav_counts_come_from_counts_js_for_every_section(site):
    text = (site / "static" / "counts.js").read_text(encoding="utf-8")
    assert text.startswith("window.feedstationCounts = ") and text.endswith(";\n")
    counts = json.loads(text[len("window.feedstationCounts = "):-2])
    assert counts["/"] == 12 and counts["/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/"] == 8
    assert counts["/c/%E7%BC%96%E7%A8%8B/"] == 4
    doc = _doc(site, "search/index.html")
    links = doc.xpath('//ul[contains(@class, "nav-d0")]/li/a/@href')
    assert [href for href in links if href in counts] == ["/", "/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/",
                                                          "/c/%E7%BC%96%E7%A8%8B/"], "a count for each section link"
    assert not doc.xpath('//nav//span[@class="count"]'), "init.js adds the count spans; pages carry none"
    scripts = doc.xpath("//head/script/@src")
    assert scripts[0] == "/static/counts.js", "unversioned, before init.js which fills the counts in"
    assert scripts[1].startswith("/static/init.js?v=")


def test_a_channel_page_and_its_items_share_one_nav_without_counts_in_the_markup(site):
    item = next(i for i in build_context(fixture_entries(), SETTINGS).items if i.entry.channel == "知乎热榜")
    def nav_of(relpath):
        text = (site / relpath).read_text(encoding="utf-8")
        return text[text.index('<nav class="tree-nav"'):text.index("</nav>")]

    assert nav_of(item.path) == nav_of("c/社交媒体/知乎/知乎热榜/index.html")
    assert not _doc(site, item.path).xpath('//nav//span[@class="count"]')


def test_phone_rows_follow_the_current_branch_at_every_depth(site):
    doc = _doc(site, "c/社交媒体/知乎/知乎热榜/index.html")
    rows = doc.xpath('//div[@class="nav-rows"]/ul')
    texts = [[a.xpath("string(text())").strip() for a in row.xpath("li/a")] for row in rows]
    assert texts[0][:3] == ["首页", "社交媒体", "编程"] and texts[0][-2:] == ["全部分类", "归档"]
    assert texts[1] == ["知乎", "微博"], "the open category's sites"
    assert texts[2] == ["知乎热榜", "知乎日报"], "the open site's channels, in the config's order"
    assert [a.text.strip() for a in doc.xpath('//div[@class="nav-rows"]//a[@aria-current="page"]')] == ["知乎热榜"]
    assert [a.text.strip() for a in doc.xpath('//div[@class="nav-rows"]//a[@class="open"]')] == ["社交媒体", "知乎"]
    home = _doc(site, "index.html")
    assert len(home.xpath('//div[@class="nav-rows"]/ul')) == 1, "no sub-rows where nothing is open"


def test_the_nav_is_rendered_once_with_the_open_branch_marked(site):
    """One markup for phone rows and the wide-screen tree: each section link once."""
    doc = _doc(site, "c/社交媒体/知乎/知乎热榜/index.html")
    nav = doc.xpath('//nav[@class="tree-nav"]')[0]
    hrefs = nav.xpath(".//a/@href")
    assert len(hrefs) == len(set(hrefs)), "no link twice"
    rows = nav.xpath('.//ul[contains(@class, "nav-row")]')
    assert [row.get("class") for row in rows] == ["nav-row nav-d0", "nav-row nav-sub nav-d1", "nav-row nav-sub nav-d2"]
    # site.css orders what follows a row's open item after that item's branch: the open items are marked.
    assert [a.text for a in nav.xpath('.//a[@class="open" or @aria-current="page"]')] == ["社交媒体", "知乎", "知乎热榜"]


def _fragments(site: Path) -> list[dict]:
    pages = []
    for path in sorted(site.glob("pagefind/*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        pages.append(json.loads(data[len(b"pagefind_dcd"):]))
    return pages


def test_search_index_has_the_trail_as_text_filters_and_metadata(site):
    pages = _fragments(site)
    assert len(pages) == len(fixture_entries())
    quantum = next(p for p in pages if p["meta"]["title"] == "量子计算的新进展")
    assert quantum["filters"] == {"分类": ["社交媒体"], "站点": ["知乎"], "频道": ["知乎热榜"]}
    assert quantum["meta"]["来源"] == "社交媒体 › 知乎 › 知乎热榜"
    assert quantum["meta"]["日期"] == "2022-01-20 10:00", "the site's time zone (UTC 02:00 → Shanghai 10:00)"
    assert quantum["meta"]["image"] == "https://pic.example.cn/q.jpg"
    assert "知乎热榜" in quantum["content"], "the trail is searchable text"
    assert "首页" not in quantum["content"]
    hn = [p for p in pages if p["filters"]["站点"] == ["Hacker News"]]
    assert len(hn) == 4 and all(p["filters"]["频道"] == ["Front Page"] for p in hn)
