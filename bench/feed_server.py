"""A loopback feed server for the side-by-side benchmarks, in its own process.

`/feed/<n>.xml`: RSS 2.0 with `items` items, an ETag, and 304 for a matching If-None-Match;
`/item/<n>/<i>.html`: the item's small article page (osmosfeed downloads every new item's page).
Every answer waits `latency_ms` first. `/stats` (no wait) counts the feed requests and the 304s so far, so a
benchmark can check that each tool really asked for every feed (`FeedServer.stats()`). Items are dated in
the last days, so readers that keep only recent items (osmosfeed's cacheMaxDays) keep them all.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime


def render_feed(port: int, feed: int, items: int) -> bytes:
    base = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    entries = "".join(
        f"<item><title>Feed {feed} item {i}</title><link>http://127.0.0.1:{port}/item/{feed}/{i}.html</link>"
        f"<guid>http://127.0.0.1:{port}/item/{feed}/{i}.html</guid>"
        f"<pubDate>{format_datetime(base - timedelta(minutes=7 * i + feed % 60), usegmt=True)}</pubDate>"
        f"<description>Item {i} of feed {feed}: a short summary.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>http://127.0.0.1:{port}/feed/{feed}.html</link>{entries}</channel></rss>"
    ).encode()


def _serve(feeds: int, items: int, latency_ms: float, port_out) -> None:
    from aiohttp import web

    async def main() -> None:
        app = web.Application()
        runner = web.AppRunner(app, access_log=None)
        bodies: list[bytes] = []
        counts = {"requests": 0, "not_modified": 0}

        async def feed(request: web.Request) -> web.Response:
            counts["requests"] += 1
            await asyncio.sleep(latency_ms / 1000)
            n = int(request.match_info["n"])
            etag = f'"v1-{n}"'
            if request.headers.get("If-None-Match") == etag:
                counts["not_modified"] += 1
                return web.Response(status=304, headers={"ETag": etag})
            return web.Response(body=bodies[n], content_type="application/rss+xml", headers={"ETag": etag})

        async def item(request: web.Request) -> web.Response:
            await asyncio.sleep(latency_ms / 1000)
            n, i = request.match_info["n"], request.match_info["i"]
            return web.Response(text=f"<!doctype html><html><head><title>Feed {n} item {i}</title>"
                                     f'<meta name="description" content="Item {i} of feed {n}."></head>'
                                     f"<body><p>Item {i} of feed {n}.</p></body></html>", content_type="text/html")

        app.router.add_get("/feed/{n:\\d+}.xml", feed)
        async def stats(request: web.Request) -> web.Response:
            return web.json_response(counts)

        app.router.add_get("/item/{n:\\d+}/{i:\\d+}.html", item)
        app.router.add_get("/stats", stats)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port = runner.addresses[0][1]
        bodies.extend(render_feed(port, n, items) for n in range(feeds))
        port_out.send(port)
        await asyncio.Event().wait()  # until the parent terminates us

    asyncio.run(main())


class FeedServer:
    """`with FeedServer(500, 20, 200) as server:` then `server.feed_url(n)`."""

    def __init__(self, feeds: int, items: int, latency_ms: float) -> None:
        self.feeds, self.items, self.latency_ms = feeds, items, latency_ms
        self.port = 0

    def __enter__(self) -> FeedServer:
        ctx = multiprocessing.get_context("spawn")
        parent_end, child_end = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(self.feeds, self.items, self.latency_ms, child_end),
                                    daemon=True)
        self._process.start()
        if not parent_end.poll(60):
            self._process.terminate()
            raise RuntimeError("benchmark feed server did not start within 60 s")
        self.port = parent_end.recv()
        return self

    def __exit__(self, *exc_info) -> None:
        self._process.terminate()
        self._process.join(10)

    def stats(self) -> dict[str, int]:
        """Feed requests and 304 answers since the server started."""
        import json
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=30) as answer:
            return json.loads(answer.read())

    def feed_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{n}.xml"
