"""Site icons: discovered on each site's home page and fetched through the Fetcher from real loopback servers,
at most weekly, stored in the data folder and served by the site from its own folder."""

from __future__ import annotations

import dataclasses
import json
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html as lxml_html

from feedstation.icons import icon_candidates, image_kind, refresh_icons, site_origins, stored_icons
from feedstation.models import FetchSettings
from feedstation.publish.site import build_site
from tests.loopback import LoopbackServer
from tests.publish.site.conftest import NOW, SETTINGS, fixture_entries, fixture_sources

RUN = datetime(2022, 3, 1, tzinfo=timezone.utc)
SETTINGS_LOOPBACK = FetchSettings(allow_private_addresses=True, retries=0, timeout=5)


def _png(size: int) -> bytes:
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\0" + b"\x20\x60\xc0" * size for _ in range(size))
    header = size.to_bytes(4, "big") * 2 + b"\x08\x02\0\0\0"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


TOUCH = _png(32)
ICO = b"\x00\x00\x01\x00\x01\x00" + b"\x10" * 40


@pytest.fixture
def servers():
    with LoopbackServer() as zhihu, LoopbackServer() as hn:
        yield zhihu, hn


def _entries(zhihu: LoopbackServer, hn: LoopbackServer):
    """The fixture items, their links pointing at the two loopback 'sites' (知乎 and Hacker News)."""
    out = []
    for e in fixture_entries():
        host = zhihu if e.site == "知乎" else hn if e.site == "Hacker News" else None
        out.append(dataclasses.replace(e, link=host.url(f"/post/{e.id}") if host else None))
    return out


def test_icons_are_found_fetched_stored_and_refreshed_weekly(tmp_path, servers):
    zhihu, hn = servers
    zhihu.serve("/", body=b'<html><head><link rel="icon" href="/small.png" sizes="16x16">'
                          b'<link rel="icon" type="image/svg+xml" href="/logo.svg">'
                          b'<link rel="apple-touch-icon" href="/touch.png"></head></html>',
                headers={"Content-Type": "text/html"})
    zhihu.serve("/touch.png", body=TOUCH, headers={"Content-Type": "image/png"})
    hn.serve("/", body=b"<html><head><title>no icon links</title></head></html>")
    hn.serve("/favicon.ico", body=ICO, headers={"Content-Type": "image/x-icon"})
    folder = tmp_path / "icons"
    records = {r.site: r for r in refresh_icons(_entries(zhihu, hn), folder, SETTINGS_LOOPBACK, RUN)}
    assert set(records) == {"知乎", "Hacker News"}, "微博's items have no links: nothing to look up"
    assert records["知乎"].source == zhihu.url("/touch.png") and records["知乎"].file.endswith(".png")
    assert records["Hacker News"].source == hn.url("/favicon.ico") and records["Hacker News"].file.endswith(".ico")
    assert (folder / records["知乎"].file).read_bytes() == TOUCH
    assert not zhihu.requests_to("/logo.svg"), "SVG icons are never fetched"
    assert zhihu.requests_to("/")[0].headers["User-Agent"].startswith("feedstation")
    # Within a week: no request at all. After a week: looked up again.
    before = len(zhihu.requests) + len(hn.requests)
    assert refresh_icons(_entries(zhihu, hn), folder, SETTINGS_LOOPBACK, RUN + timedelta(days=6)) == []
    assert len(zhihu.requests) + len(hn.requests) == before
    zhihu.serve("/touch.png", body=b"<html>gone</html>", status=404)
    again = {r.site: r for r in refresh_icons(_entries(zhihu, hn), folder, SETTINGS_LOOPBACK, RUN + timedelta(days=7))}
    assert set(again) == {"知乎", "Hacker News"}
    assert again["知乎"].file == records["知乎"].file, "last week's icon stays when the site stops serving it"
    assert "404" in again["知乎"].error
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert [row["site"] for row in index] == ["Hacker News", "知乎"]


def test_a_site_with_no_usable_icon_records_why(tmp_path, servers):
    zhihu, hn = servers
    zhihu.serve("/", body=b'<link rel="icon" href="/fake.png">')
    zhihu.serve("/fake.png", body=b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    records = {r.site: r for r in refresh_icons(_entries(zhihu, hn), tmp_path, SETTINGS_LOOPBACK, RUN)}
    assert records["知乎"].file is None and "not a PNG, JPEG, GIF, WebP or ICO image" in records["知乎"].error
    assert "404" in records["Hacker News"].error


def test_the_address_guard_applies_to_icons(tmp_path, servers):
    zhihu, hn = servers
    zhihu.serve("/", body=b"<html></html>")
    records = refresh_icons(_entries(zhihu, hn), tmp_path, FetchSettings(retries=0, timeout=5), RUN)
    assert records and all(r.file is None and "127.0.0.1" in r.error for r in records)
    assert not zhihu.requests and not hn.requests, "a private address is refused before any request"


def test_the_site_serves_stored_icons_from_its_own_folder(tmp_path, servers):
    zhihu, hn = servers
    zhihu.serve("/", body=b'<link rel="apple-touch-icon" href="/touch.png">')
    zhihu.serve("/touch.png", body=TOUCH)
    refresh_icons(_entries(zhihu, hn), tmp_path / "icons", SETTINGS_LOOPBACK, RUN)
    icons = stored_icons(tmp_path / "icons")
    assert set(icons) == {"知乎"}
    out = tmp_path / "site"
    build_site(fixture_entries(), fixture_sources(), out, SETTINGS, now=NOW, icons=icons)
    name = icons["知乎"][0]
    assert (out / "static" / "icons" / name).read_bytes() == TOUCH
    board = lxml_html.fromstring((out / "index.html").read_bytes())
    cards = {c.xpath("string(.//h3/a)"): c for c in board.xpath('//article[@class="board-card"]')}
    assert cards["知乎热榜"].xpath('.//img[@class="site-icon"]/@src') == [f"/static/icons/{name}"]
    assert cards["微博热搜"].xpath('.//span[contains(@class,"site-icon")]/text()') == ["微"], "no icon: the generated one"


def test_discovery_rules():
    page = (b'<link rel="shortcut icon" href="/a.ico"><link rel="icon" sizes="192x192" href="big.png">'
            b'<link rel="icon" href="data:image/png;base64,xx"><link rel="stylesheet" href="/s.css">')
    assert icon_candidates(page, "https://www.zhihu.com/hot") == [
        "https://www.zhihu.com/big.png", "https://www.zhihu.com/a.ico", "https://www.zhihu.com/favicon.ico"]
    assert image_kind(TOUCH) == "png" and image_kind(ICO) == "ico" and image_kind(b"<svg") is None
    assert image_kind(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    links = [dataclasses.replace(e, link=f"https://news.ycombinator.com/item?id={e.id}") for e in fixture_entries()[8:]]
    assert site_origins(links) == {"Hacker News": "https://news.ycombinator.com/"}
