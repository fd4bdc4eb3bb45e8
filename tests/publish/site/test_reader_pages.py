"""Reader-facing pages: the board home page, day-grouped streams, item pages, no third-party placeholders."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from feedstation.publish.site import build_site
from feedstation.publish.site.context import build_context, page_html, reading_minutes
from feedstation.publish.site.icons import hue_of, initial_of
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources, make_entry


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW)
    return out


def _doc(site: Path, relpath: str):
    return lxml_html.fromstring((site / relpath).read_bytes())


def test_board_home_has_a_card_per_channel_under_its_category(site):
    doc = _doc(site, "index.html")
    groups = doc.xpath('//section[@class="board-group"]')
    assert [g.xpath("string(h2/a)") for g in groups] == ["社交媒体", "编程"]
    cards = {c.xpath("string(.//h3/a)"): c for c in doc.xpath('//article[@class="board-card"]')}
    assert set(cards) == {"知乎热榜", "知乎日报", "微博热搜", "Front Page"}
    hot = cards["知乎热榜"]
    assert hot.xpath(".//h3/a/@href") == ["/c/%E7%A4%BE%E4%BA%A4%E5%AA%92%E4%BD%93/%E7%9F%A5%E4%B9%8E/"
                                          "%E7%9F%A5%E4%B9%8E%E7%83%AD%E6%A6%9C/"], "one click to the channel page"
    assert hot.xpath('string(.//span[contains(@class,"board-site")])') == "知乎"
    titles = hot.xpath('.//ol[@class="board-list"]/li/a/text()')
    assert titles == ["为什么冬天的早晨特别难起床？", "如何看待年轻人开始流行“反向消费”？", "量子计算的新进展"], "newest first"
    # Last-updated: the newest item's time, machine-readable for the relative-time script.
    assert hot.xpath('.//time[@class="board-updated"]/@datetime') == ["2022-01-26T12:00:00+08:00"]
    icon = hot.xpath('.//span[contains(@class,"site-icon")]')[0]
    assert icon.text == initial_of("知乎") == "知" and icon.get("class") == f"site-icon hue-{hue_of('知乎')}"
    assert icon.get("style") is None, "pages carry no style attributes"
    assert doc.xpath('//a[@href="/latest/"]'), "the full stream is one click away"


def test_board_lists_at_most_board_items_titles_with_a_link_to_the_rest(tmp_path, sources):
    out = tmp_path / "site"
    build_site(fixture_entries(), sources, out, dataclasses.replace(SETTINGS, board_items=2), now=NOW)
    card = next(c for c in _doc(out, "index.html").xpath('//article[@class="board-card"]')
                if c.xpath("string(.//h3/a)") == "Front Page")
    assert len(card.xpath('.//ol/li')) == 2
    assert card.xpath('string(.//a[@class="board-more"])') == "全部 4 篇 ›"


def test_stream_layout_keeps_the_newest_items_on_the_home_page(tmp_path, sources):
    out = tmp_path / "site"
    build_site(fixture_entries(), sources, out, dataclasses.replace(SETTINGS, layout="stream"), now=NOW)
    doc = _doc(out, "index.html")
    assert not doc.xpath('//article[@class="board-card"]')
    assert doc.xpath('string((//h2[@class="card-title"])[1])') == "SQLite is not a toy database"
    assert not (out / "latest").exists()


def test_streams_are_grouped_by_day_in_the_site_time_zone(site):
    doc = _doc(site, "latest/index.html")
    days = doc.xpath('//h2[@class="day-head"]/time')
    assert [d.get("datetime") for d in days][:2] == ["2022-02-22", "2022-02-19"]
    assert days[0].text == "2022年2月22日 星期二" and days[0].get("data-day") is not None
    assert (date(2022, 2, 22).weekday(), len(doc.xpath('//section[@class="day"][1]//article'))) == (1, 1)


def test_card_times_carry_the_absolute_time_as_their_title(site):
    doc = _doc(site, "latest/index.html")
    time = doc.xpath('//article[contains(@class,"card")]//time')[0]
    assert time.get("datetime") == "2022-02-22T21:00:00+08:00" and time.get("title") == "2022-02-22 21:00"


def test_item_page_has_source_icon_reading_time_original_link_and_channel_neighbours(site):
    items = {i.entry.identity: i for i in build_context(fixture_entries(), SETTINGS).items}
    item = items["urn:test:1"]  # 知乎热榜, between items 0 (older) and 2 (newer)
    doc = _doc(site, item.path)
    assert doc.xpath('string(//p[contains(@class,"item-meta")]//span[contains(@class,"site-icon")])') == "知"
    assert doc.xpath('string(//a[@class="source"])') == "知乎 · 知乎热榜"
    assert doc.xpath('string(//span[@class="reading"])') == "约 1 分钟读完"
    original = doc.xpath('//header//a[contains(@class,"original")]')[0]
    assert original.get("href") == "https://origin.example.org/post/1" and "button" in original.get("class")
    assert doc.xpath('//a[@class="newer"]/@href') == [items["urn:test:2"].url]
    assert doc.xpath('//a[@class="older"]/@href') == [items["urn:test:0"].url]
    assert "知乎热榜" in doc.xpath('string(//a[@class="newer"]/span[1])')


def test_reading_time_counts_cjk_characters_and_words():
    long_zh = make_entry(0, 0, "长文", "<p>" + "字" * 2000 + "</p>", None)
    long_en = make_entry(1, 3, "long", "<p>" + "word " * 1000 + "</p>", None)
    assert reading_minutes(long_zh) == 5 and reading_minutes(long_en) == 5


def test_own_site_requests_nothing_from_other_hosts(site):
    """No picsum (that stays in the Hexo export) and no CDN: the only foreign URLs are the feeds' own."""
    feed_images = {e.image for e in fixture_entries() if e.image}
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        assert "picsum" not in text, page
        doc = lxml_html.fromstring(text)
        for url in doc.xpath("//img/@src | //script/@src | //link[@rel='stylesheet' or @rel='icon']/@href"):
            parts = urlsplit(url)
            assert not parts.scheme or url in feed_images, f"{page}: third-party request {url}"


def test_items_without_an_image_get_no_thumbnail(site):
    doc = _doc(site, "latest/index.html")
    card = next(c for c in doc.xpath('//article[contains(@class,"card")]')
                if c.xpath("string(.//h2)") == "SQLite is not a toy database")
    assert not card.xpath(".//img") and "has-thumb" not in card.get("class")


def test_content_images_without_alt_become_decorative_and_a_feed_alt_is_kept():
    html = '<p><img src="https://pic.example.cn/a.png"><img src="https://pic.example.cn/b.png" alt="图 B"></p>'
    doc = lxml_html.fromstring(page_html(make_entry(0, 0, "图", html, None)))
    first, second = doc.xpath("//img")
    assert first.get("alt") == "" and first.get("loading") == "lazy"
    assert second.get("alt") == "图 B" and second.get("referrerpolicy") == "no-referrer"
