"""A fetch run whose PostgreSQL server goes away mid-run: affected feeds fail, the run completes, nothing is lost."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, timezone

from aiohttp import web

from feedstation import pipeline
from feedstation.config import load_config
from feedstation.store import Store
from tests.loopback import LoopbackServer

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
FEEDS = 12


def rss(n: int) -> bytes:
    items = "".join(f"<item><title>第 {n} 条 · {k}</title><guid>f{n}-{k}</guid><link>https://example.com/{n}/{k}</link>"
                    "<description>正文</description></item>" for k in range(3))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{n}</title>{items}</channel></rss>'.encode()


def test_postgresql_going_away_mid_run_fails_only_the_feeds_it_hit_and_the_next_run_stores_them(tmp_path, postgres_server):
    with LoopbackServer() as server:
        for n in range(FEEDS):
            async def slow(request: web.Request, n: int = n) -> web.Response:
                await asyncio.sleep(0.3)
                return web.Response(body=rss(n), content_type="application/rss+xml")
            server.route(f"/f{n}", slow)
        tree = {"类别": {"站点": {f"频道{n}": server.url(f"/f{n}") for n in range(FEEDS)}}}
        url = postgres_server.new_database()
        config_path = tmp_path / "feedstation.yaml"
        config_path.write_text(
            "fetch: {allow_private_addresses: true, per_host: 2, retries: 0, user_agent: feedstation-test/1}\n"
            f"storage: {json.dumps(url)}\nsources: {json.dumps(tree, ensure_ascii=False)}\n", encoding="utf-8")
        config = load_config(config_path)
        halt = threading.Timer(0.8, postgres_server.halt)  # feeds are stored one every ~0.15 s
        with Store.open(config.storage) as store:
            halt.start()
            try:
                first = pipeline.fetch_all(config, store, now=lambda: NOW)
            finally:
                halt.join()
                postgres_server.resume()
            assert len(first.reports) == FEEDS  # every feed reported: the run completed
            failed = [r for r in first.reports if r.status == "error"]
            assert all(r.error.startswith("database error") for r in failed), [r.error for r in failed]
            assert 0 < len(failed) < FEEDS, "the server was down for the later feeds only"
            second = pipeline.fetch_all(config, store, now=lambda: NOW, force=True)
            assert [r.status for r in second.reports if r.status == "error"] == []
            assert store.entry_count() == FEEDS * 3
