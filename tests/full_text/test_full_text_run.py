"""Full text through the real pipeline: a loopback server serves a feed and saved article pages → `fetch`/`run`.

The loopback server is configured as the RSSHub instance, which makes its host (127.0.0.1) a trusted
host of the address guard, as a self-hosted RSSHub is in real use. Nothing else private is allowed:
`fetch.allow_private_addresses` stays off, so a page that redirects to 10.0.0.1 or to the cloud
metadata address must be refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

import lxml.html
import pytest
from aiohttp import web
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.store import Store
from tests.loopback import LoopbackServer

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)

LOGIN_WALL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<nav><a href="/">Home</a> <a href="/subscribe">Subscribe</a></nav>
<main><h1>Members only</h1><p>Please sign in or subscribe to keep reading.</p>
<form><input name="user"><input name="password" type="password"><button>Sign in</button></form></main>
<footer>© 2026 The Daily Courier</footer></body></html>"""


def article_text(slug: str) -> str:
    return (ARTICLES / f"{slug}.txt").read_text(encoding="utf-8")


def feed(items: list[dict]) -> bytes:
    parts = []
    for n, item in enumerate(items):
        date = format_datetime(T0 - timedelta(hours=n), usegmt=True)
        parts.append(f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
                     f"<guid>{escape(item['link'])}</guid><pubDate>{date}</pubDate>"
                     f"<description>{escape(item['summary'])}</description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Courier</title>'
            "<link>https://courier.example.com/</link>" + "".join(parts) + "</channel></rss>").encode("utf-8")


def items(server: LoopbackServer, *, bikes_summary: str = "Three garages became bike depots.") -> list[dict]:
    return [
        {"title": "bikes", "link": server.url("/a/bikes"), "summary": bikes_summary},
        {"title": "wifi", "link": server.url("/a/wifi"),
         "summary": '<img src="https://feed.example.com/own.jpg"> 列车上的网络为什么时好时坏。'},
        {"title": "huge", "link": server.url("/a/huge"), "summary": "A very large page."},
        {"title": "login", "link": server.url("/a/login"),
         "summary": "The council voted on Tuesday to extend the night bus service to the airport and the "
                    "hospital, after a two-year campaign by shift workers and a petition of eight thousand names."},
        {"title": "private", "link": server.url("/a/to-private"), "summary": "Redirects inside a network."},
        {"title": "metadata", "link": server.url("/a/to-metadata"), "summary": "Redirects to the metadata service."},
        {"title": "gbk", "link": server.url("/a/gbk"), "summary": "老旧小区加装电梯。"},
    ]


def serve_site(server: LoopbackServer) -> None:
    server.serve("/feed", body=feed(items(server)), headers={"Content-Type": "application/rss+xml"})
    bikes = (ARTICLES / "en-city-bikes.html").read_bytes()

    async def bikes_page(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"bikes-v1"':
            return web.Response(status=304, headers={"ETag": '"bikes-v1"'})
        return web.Response(body=bikes, headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"bikes-v1"'})

    server.route("/a/bikes", bikes_page)
    server.serve("/a/wifi", body=(ARTICLES / "zh-gaotie-wifi.html").read_bytes(),
                 headers={"Content-Type": "text/html; charset=utf-8"})
    filler = b"<p>" + b"x" * 1000 + b"</p>\n"
    server.serve("/a/huge", body=b"<html><body>" + filler * (11 * 1024) + b"</body></html>",  # ~11 MB
                 headers={"Content-Type": "text/html"})
    server.serve("/a/login", body=LOGIN_WALL.encode("utf-8"), headers={"Content-Type": "text/html"})
    server.serve("/a/to-private", status=302, headers={"Location": "http://10.0.0.1/internal/article"})
    server.serve("/a/to-metadata", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    gbk_page = (ARTICLES / "zh-laoxiaoqu-dianti.html").read_text(encoding="utf-8")
    gbk_page = gbk_page.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gbk">')
    gbk_page = gbk_page.replace("©", "&copy;")  # GBK has no ©: real GBK pages write the entity
    server.serve("/a/gbk", body=gbk_page.encode("gbk"), headers={"Content-Type": "text/html"})  # no charset in the header


def write_config(folder: Path, server: LoopbackServer, *, full_text: str = "full_text: true") -> Path:
    config = folder / "feedstation.yaml"
    config.write_text(
        f"rsshub: {{instances: [{server.url('/')}]}}\n"
        "fetch: {timeout: 10, retries: 0}\n"
        f"storage: {folder / 'fs.db'}\n"
        f"output: {{hexo: {folder / 'posts'}}}\n"  # publishing reads the same stored entries for the site
        "site: {title: t, url: 'https://news.example.com'}\n"
        "sources:\n"
        "  新闻:\n"
        "    Courier:\n"
        f"      {full_text}\n"
        "      要闻: rsshub:/feed\n",
        encoding="utf-8")
    return config


def fetch_at(config: Path, when: datetime) -> pipeline.FetchRun:
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        return pipeline.fetch_all(cfg, store, now=lambda: when, force=True)


def stored(config: Path) -> dict[str, object]:
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        return {e.title: e for e in store.iter_entries()}


def visible_text(html: str) -> str:
    return " ".join(lxml.html.fromstring(f"<div>{html}</div>").text_content().split())


@pytest.fixture
def server():
    with LoopbackServer() as s:
        yield s


def test_the_pages_of_new_items_fill_in_full_text_and_every_failure_keeps_the_feeds_text(tmp_path, server):
    serve_site(server)
    config = write_config(tmp_path, server)
    run = fetch_at(config, T0)
    (report,) = run.reports
    assert report.status == "ok" and report.new == 7  # no page problem fails the feed
    entries = stored(config)

    # The article replaces the teaser; its og:image fills in because the feed has no image.
    bikes = entries["bikes"]
    for paragraph in article_text("en-city-bikes").split("\n\n"):
        assert " ".join(paragraph.split()) in visible_text(bikes.content)
    assert "Margaret_P" not in bikes.content and "ADVERTISEMENT" not in bikes.content  # comments and ads stay out
    assert bikes.image == "https://static.example.com/img/en-city-bikes-lead.jpg"

    # The feed's own image wins over the page's og:image.
    wifi = entries["wifi"]
    assert "每隔几十秒就要在不同的基站之间切换" in visible_text(wifi.content)
    assert wifi.image == "https://feed.example.com/own.jpg"

    # A page in GBK, declared only in its <meta>: decoded right.
    gbk = entries["gbk"]
    assert "高层住户盼着早日装上，低层住户却担心采光、噪音和房价受到影响。" in visible_text(gbk.content)

    # Failures: the feed's text is published, the reason is recorded on the item.
    assert visible_text(entries["huge"].content) == "A very large page."
    assert "The council voted on Tuesday" in entries["login"].content
    assert visible_text(entries["private"].content) == "Redirects inside a network."
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        problems = {p.title: p for p in store.full_text_problems()}
        counts = store.full_text_counts()
    assert counts == {"ok": 3, "summary_kept": 1, "failed": 3}
    assert problems["huge"].status == "failed" and "exceeds fetch.max_bytes" in problems["huge"].reason
    assert problems["login"].status == "summary_kept" and "no longer than the feed's text" in problems["login"].reason
    for title, address in (("private", "10.0.0.1"), ("metadata", "169.254.169.254")):
        assert problems[title].status == "failed"
        assert f"refused to connect to {address}" in problems[title].reason


def test_a_page_is_fetched_once_and_again_only_conditionally_when_its_item_changes(tmp_path, server):
    serve_site(server)
    config = write_config(tmp_path, server)
    fetch_at(config, T0)
    assert len(server.requests_to("/a/bikes")) == 1
    fetch_at(config, T0 + timedelta(hours=1))  # the same feed again: no page is fetched twice
    assert len(server.requests_to("/a/bikes")) == 1
    assert len(server.requests_to("/a/login")) == 1 and len(server.requests_to("/a/gbk")) == 1

    # The item changes: its page is asked for again, conditionally; a 304 keeps the stored article.
    changed = feed(items(server, bikes_summary="Three garages became bike depots (updated)."))
    server.serve("/feed", body=changed, headers={"Content-Type": "application/rss+xml"})
    fetch_at(config, T0 + timedelta(hours=2))
    again = server.requests_to("/a/bikes")
    assert len(again) == 2 and again[1].headers.get("If-None-Match") == '"bikes-v1"'
    assert len(server.requests_to("/a/login")) == 1  # unchanged items are not asked again
    bikes = stored(config)["bikes"]
    assert "Four years later the depots store more than six thousand bikes a day" in visible_text(bikes.content)


def test_sources_without_full_text_never_fetch_pages(tmp_path, server):
    serve_site(server)
    config = write_config(tmp_path, server, full_text="full_text: false")
    fetch_at(config, T0)
    assert [r.path for r in server.requests if r.path.startswith("/a/")] == []
    assert visible_text(stored(config)["bikes"].content) == "Three garages became bike depots."


def test_run_publishes_the_article_and_status_items_lists_the_failures(tmp_path, server):
    serve_site(server)
    config = write_config(tmp_path, server)
    run = cli("run", "--config", str(config))
    assert run.exit_code == 0, run.output
    posts = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "posts").rglob("*.md")}
    (bikes_post,) = [text for text in posts.values() if "title: 'bikes'" in text.split("---", 2)[1]]
    assert "Four years later the depots store more than six thousand bikes a day" in bikes_post
    assert "headimg: 'https://static.example.com/img/en-city-bikes-lead.jpg'" in bikes_post  # the page's og:image
    status = cli("status", "--items", "--config", str(config))
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert any("3 item(s) with the page's article, 1 kept the feed's text" in line and "3 failed" in line
               for line in lines)
    refused = [line for line in lines if line.strip().startswith("full text failed:") and "'metadata'" in line]
    assert len(refused) == 1 and "refused to connect to 169.254.169.254" in refused[0]
    kept = [line for line in lines if line.strip().startswith("feed's text kept:")]
    assert len(kept) == 1 and "'login'" in kept[0]
    assert "full text:" not in cli("status", "--config", str(config)).output


def cli(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)
