"""End to end through the real stages: a loopback server full of good and bad feeds → fetch_all → the store
(each test on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp import web

from feedstation import pipeline
from feedstation.config import load_config
from feedstation.store import Store
from tests.loopback import LoopbackServer, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)

ZHIHU_V2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>\xe7\x9f\xa5\xe4\xb9\x8e\xe7\x83\xad\xe6\xa6\x9c</title><link>https://www.zhihu.com/billboard</link>
<item><title>changed title</title><guid isPermaLink="false">https://www.zhihu.com/question/456</guid>
<link>https://www.zhihu.com/question/456</link><description>&lt;p&gt;edited&lt;/p&gt;</description>
<pubDate>Thu, 06 Jan 2022 09:00:00 +0800</pubDate></item>
<item><title>brand new</title><guid isPermaLink="false">https://www.zhihu.com/question/999</guid>
<link>https://www.zhihu.com/question/999</link><description>new</description><pubDate>Fri, 07 Jan 2022 09:00:00 GMT</pubDate></item>
</channel></rss>"""

FEEDS = {
    "zhihu": ("社交媒体", "知乎", "知乎热榜"),
    "rss1": ("博客", "RDF", "RSS 1.0"),
    "atom": ("博客", "Atom", "Atom 1.0"),
    "json": ("博客", "JSON", "JSON Feed"),
    "gbk": ("传统媒体", "GBK", "中文编码"),
    "etag": ("编程", "ETag", "304"),
    "ratelimited": ("编程", "Limits", "429 then 200"),
    "flaky": ("编程", "Limits", "500 then 200"),
    "slow": ("坏源", "Slow", "timeout"),
    "huge": ("坏源", "Huge", "over size"),
    "loop": ("坏源", "Loop", "redirect loop"),
    "html": ("坏源", "HTML", "login page"),
    "empty": ("坏源", "Empty", "empty body"),
}


@pytest.fixture
def server():
    with LoopbackServer() as s:
        yield s


def serve_fixtures(server: LoopbackServer, zhihu: bytes) -> None:
    server.serve("/zhihu", body=gzip.compress(zhihu), headers={"Content-Encoding": "gzip"})
    server.serve("/rss1", body=(FIXTURES / "rss1.rdf").read_bytes())
    server.serve("/atom", body=(FIXTURES / "atom.xml").read_bytes())
    server.serve("/json", body=(FIXTURES / "jsonfeed.json").read_bytes(), headers={"Content-Type": "application/feed+json"})
    server.serve("/gbk", body=(FIXTURES / "gbk.rss").read_bytes(), headers={"Content-Type": "text/xml"})
    etag_body = (FIXTURES / "rss1.rdf").read_bytes()

    async def etag(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=etag_body, headers={"ETag": '"v1"'})

    server.route("/etag", etag)
    rss = (FIXTURES / "atom.xml").read_bytes()
    server.serve_sequence("/ratelimited", [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=rss)])
    server.serve_sequence("/flaky", [Reply(status=500), Reply(body=rss)])

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=rss)

    server.route("/slow", slow)
    server.serve("/huge", body=b"<rss>" + b" " * 300_000 + b"</rss>")
    server.serve("/loop", status=302, headers={"Location": "/loop"})
    server.serve("/html", body=b"<!DOCTYPE html><html><body><form>login</form></body></html>", headers={"Content-Type": "text/html"})
    server.serve("/empty", body=b"")


def write_config(tmp_path: Path, server: LoopbackServer, storage: Path | str) -> Path:
    tree: dict = {}
    for path, (category, site, channel) in FEEDS.items():
        tree.setdefault(category, {}).setdefault(site, {})[channel] = server.url("/" + path)
    config = tmp_path / "feedstation.yaml"
    config.write_text(
        "fetch: {allow_private_addresses: true, timeout: 1.5, retries: 2, max_bytes: 200000, user_agent: feedstation-test/1}\n"
        f"storage: {json.dumps(str(storage))}\n"
        f"sources: {json.dumps(tree, ensure_ascii=False)}\n",  # JSON is YAML
        encoding="utf-8",
    )
    return config


def run_at(config_path: Path, when: datetime, **kwargs) -> pipeline.FetchRun:
    cfg = load_config(config_path)
    with Store.open(cfg.storage) as store:
        return pipeline.fetch_all(cfg, store, now=lambda: when, **kwargs)


def by_channel(run: pipeline.FetchRun) -> dict[str, object]:
    return {r.source.channel: r for r in run.reports}


def test_one_run_over_good_and_bad_feeds_records_each_outcome(tmp_path, server, store_target):
    serve_fixtures(server, (FIXTURES / "zhihu-hotlist.rss").read_bytes())
    config = write_config(tmp_path, server, store_target)
    reports = by_channel(run_at(config, T0))

    ok = ["知乎热榜", "RSS 1.0", "Atom 1.0", "JSON Feed", "中文编码", "304", "429 then 200", "500 then 200"]
    assert {name: reports[name].status for name in ok} == {name: "ok" for name in ok}
    assert reports["知乎热榜"].new == 3 and reports["RSS 1.0"].new == 2 and reports["JSON Feed"].new == 3
    errors = {name: reports[name].error for name in ("timeout", "over size", "redirect loop", "login page", "empty body")}
    assert errors["timeout"].startswith("timed out after 1.5s")
    assert "exceeds fetch.max_bytes (200000 bytes" in errors["over size"]
    assert errors["redirect loop"] == "too many redirects (more than 5)"
    assert "HTML page" in errors["login page"]
    assert errors["empty body"] == "empty response body"
    assert len(server.requests_to("/flaky")) == 2 and len(server.requests_to("/ratelimited")) == 2
    assert {r.headers["User-Agent"] for r in server.requests} == {"feedstation-test/1"}

    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        health = {h.channel: h for h in store.health()}
        titles = {e.title for e in store.iter_entries() if e.channel == "中文编码"}
    assert health["timeout"].status == "error" and health["timeout"].consecutive_failures == 1
    assert health["timeout"].next_attempt_at > T0
    assert health["知乎热榜"].status == "ok" and health["知乎热榜"].entry_count == 3
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in title) for title in titles)  # GBK decoded to Chinese


def test_second_run_keeps_history_adds_new_updates_changed_and_uses_validators(tmp_path, server, store_target):
    serve_fixtures(server, (FIXTURES / "zhihu-hotlist.rss").read_bytes())
    config = write_config(tmp_path, server, store_target)
    run_at(config, T0)
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        first = {e.identity: e for e in store.iter_entries() if e.channel == "知乎热榜"}
        first_count = store.entry_count()

    server.serve("/zhihu", body=ZHIHU_V2)  # one item gone, one changed, one new
    later = T0 + timedelta(minutes=10)  # past the feed's ttl (5 min), inside the failures' back-off (15 min)
    run = by_channel(run_at(config, later))

    assert (run["知乎热榜"].new, run["知乎热榜"].updated) == (1, 1)
    assert run["304"].status == "not_modified"
    assert server.requests_to("/etag")[-1].headers["If-None-Match"] == '"v1"'
    assert (run["RSS 1.0"].new, run["RSS 1.0"].updated) == (0, 0)  # unchanged items are not "updated"
    # Failing feeds are backing off (15 minutes after one failure), so they were not tried.
    assert "timeout" not in run and "empty body" not in run

    with Store.open(cfg.storage) as store:
        second = {e.identity: e for e in store.iter_entries() if e.channel == "知乎热榜"}
        assert store.entry_count() == first_count + 1
    assert set(first) < set(second)  # nothing lost, one added
    changed = second["https://www.zhihu.com/question/456"]
    assert changed.title == "changed title" and changed.first_seen == T0 and changed.last_seen == later
    gone = next(i for i in first if i not in ("https://www.zhihu.com/question/456",) and i in second and second[i].last_seen == T0)
    assert second[gone].title == first[gone].title


def test_forced_run_retries_backing_off_feeds(tmp_path, server, store_target):
    serve_fixtures(server, (FIXTURES / "zhihu-hotlist.rss").read_bytes())
    config = write_config(tmp_path, server, store_target)
    run_at(config, T0)
    skipped = run_at(config, T0 + timedelta(minutes=1))
    forced = run_at(config, T0 + timedelta(minutes=2), force=True)
    assert skipped.skipped >= 5
    assert by_channel(forced)["empty body"].status == "error"
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        empty = next(h for h in store.health() if h.channel == "empty body")
    assert empty.consecutive_failures == 2 and empty.failing_since == T0


def test_a_self_hosted_rsshub_on_loopback_is_trusted_but_other_private_urls_are_not(tmp_path, server, store_target):
    server.serve("/zhihu/hotlist", body=(FIXTURES / "zhihu-hotlist.rss").read_bytes())
    server.serve("/direct", body=(FIXTURES / "atom.xml").read_bytes())
    config = tmp_path / "feedstation.yaml"
    config.write_text(
        f"rsshub: {{instances: [{server.url('/')}]}}\n"
        f"storage: {json.dumps(str(store_target))}\n"
        "sources:\n  社交媒体:\n    知乎:\n      知乎热榜: rsshub:/zhihu/hotlist\n"
        f"  内网:\n    直连:\n      私有地址: http://localhost:{server.port}/direct\n",
        encoding="utf-8")
    reports = by_channel(run_at(config, T0))
    assert reports["知乎热榜"].status == "ok" and reports["知乎热榜"].served_by == server.url("/").rstrip("/")
    assert reports["私有地址"].status == "error"
    assert "loopback/private address" in reports["私有地址"].error
    assert server.requests_to("/direct") == []


def test_a_truncated_feed_keeps_its_whole_items_and_records_a_warning(tmp_path, server, store_target):
    whole = (FIXTURES / "zhihu-hotlist.rss").read_bytes()
    server.serve("/cut", body=whole[: whole.rindex(b"</item>") + len(b"</item>")])  # no </channel></rss>
    config = tmp_path / "feedstation.yaml"
    config.write_text(f"fetch: {{allow_private_addresses: true}}\nstorage: {json.dumps(str(store_target))}\n"
                      f"sources: {{a: {{b: {{c: {server.url('/cut')}}}}}}}\n", encoding="utf-8")
    (report,) = run_at(config, T0).reports
    assert report.status == "ok" and report.new == 3
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        (health,) = store.health()
    assert health.warning and health.warning.startswith("ill-formed XML, parsed loosely")
