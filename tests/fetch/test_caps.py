"""Time, size and concurrency caps: slow and drip-feeding servers, over-size bodies, compression bombs."""

from __future__ import annotations

import asyncio
import resource
import threading
import tracemalloc
import zlib

import brotli
import pytest
from aiohttp import web

from feedstation.fetch import Fetcher
from feedstation.models import FeedState, Fetched, FetchSettings, FetchStatus
from tests.fetch.conftest import RSS, FetchOne, fetch_many, source
from tests.loopback import LoopbackServer, Reply

GIB = 1 << 30
MIB = 1 << 20


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """~1 MB of gzip that inflates to 1 GiB of zeros (built streaming, never holding 1 GiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MIB)
    parts = [packer.compress(zeros) for _ in range(GIB // MIB)]
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    """A few KB of brotli that inflates to 1 GiB of zeros."""
    packer = brotli.Compressor(quality=5)
    zeros = bytes(MIB)
    parts = [packer.process(zeros) for _ in range(GIB // MIB)]
    parts.append(packer.finish())
    return b"".join(parts)


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def test_slow_server_times_out(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(30)
        return web.Response(body=RSS)

    loopback_server.route("/slow", slow)
    got = fetch_one(loopback_server.url("/slow"), timeout=0.5, retries=0)
    assert got.status is FetchStatus.ERROR
    assert got.error == "timed out after 0.5s (total deadline for the request)"


def test_drip_feeding_server_fails_at_the_total_deadline(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    # One byte every 0.3 s never trips the 15 s read timeout: only the total deadline stops it.
    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        for byte in RSS * 100:
            await resp.write(bytes([byte]))
            await asyncio.sleep(0.3)
        return resp

    loopback_server.route("/drip", drip)
    got = fetch_one(loopback_server.url("/drip"), timeout=1.0, read_timeout=15.0, retries=0)
    assert got.status is FetchStatus.ERROR
    assert got.error == "timed out after 1s (total deadline for the request)"


def test_oversize_plain_body_is_refused(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/big", RSS + b" " * (2 * MIB))
    got = fetch_one(loopback_server.url("/big"), max_bytes=MIB)
    assert got.status is FetchStatus.ERROR
    assert got.error == f"response body exceeds fetch.max_bytes ({MIB} bytes)"
    assert got.body == b""


def test_body_exactly_at_the_cap_is_accepted(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    body = RSS + b" " * (4096 - len(RSS))
    loopback_server.serve("/exact", body)
    got = fetch_one(loopback_server.url("/exact"), max_bytes=4096)
    assert got.status is FetchStatus.OK, got.error
    assert got.body == body


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_is_cut_off_at_max_bytes_with_small_memory(
    loopback_server: LoopbackServer,
    fetch_one: FetchOne,
    encoding: str,
    gzip_bomb: bytes,
    brotli_bomb: bytes,
) -> None:
    bomb = gzip_bomb if encoding == "gzip" else brotli_bomb
    loopback_server.serve("/bomb", bomb, headers={"Content-Encoding": encoding})
    rss_before = _peak_rss_bytes()
    tracemalloc.start()
    try:
        got = fetch_one(loopback_server.url("/bomb"), max_bytes=2 * MIB)
        _current, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.status is FetchStatus.ERROR
    assert got.error == f"response body exceeds fetch.max_bytes ({2 * MIB} bytes after decompression)"
    # Inflating the whole bomb would need 1 GiB; the cap must stop it near 2 MiB.
    assert traced_peak < 64 * MIB
    assert _peak_rss_bytes() - rss_before < 200 * MIB


def _counting_handler(active: dict[str, int], lock: threading.Lock):
    async def handler(request: web.Request) -> web.StreamResponse:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        try:
            await asyncio.sleep(0.2)
        finally:
            with lock:
                active["now"] -= 1
        return web.Response(body=RSS)

    return handler


def test_per_host_cap_limits_in_flight_requests(loopback_server: LoopbackServer, settings: FetchSettings) -> None:
    active, lock = {"now": 0, "max": 0}, threading.Lock()
    loopback_server.route("/feed.xml", _counting_handler(active, lock))
    capped = FetchSettings(**{**settings.__dict__, "concurrency": 50, "per_host": 2})
    urls = [loopback_server.url("/feed.xml") + f"?n={n}" for n in range(10)]
    results = asyncio.run(fetch_many(capped, urls))
    assert all(r.status is FetchStatus.OK for r in results)
    assert len(loopback_server.requests) == 10
    assert 1 <= active["max"] <= 2


def test_global_cap_limits_in_flight_requests_across_hosts(
    loopback_server: LoopbackServer, settings: FetchSettings
) -> None:
    # "127.0.0.1" and "localhost" are two hosts to the per-host cap but one server here.
    active, lock = {"now": 0, "max": 0}, threading.Lock()
    loopback_server.route("/feed.xml", _counting_handler(active, lock))
    capped = FetchSettings(**{**settings.__dict__, "concurrency": 3, "per_host": 10})
    port = loopback_server.port
    urls = [f"http://{host}:{port}/feed.xml?n={n}" for n in range(6) for host in ("127.0.0.1", "localhost")]
    results = asyncio.run(fetch_many(capped, urls))
    assert all(r.status is FetchStatus.OK for r in results), [r.error for r in results]
    assert 1 <= active["max"] <= 3


def test_retry_wait_does_not_hold_the_global_slot(loopback_server: LoopbackServer, settings: FetchSettings) -> None:
    # With one global slot, /b can only be fetched between /a's two tries if /a's
    # Retry-After wait happens outside the semaphore.
    loopback_server.serve_sequence(
        "/a", [Reply(status=503, headers={"Retry-After": "1"}), Reply(body=RSS)]
    )
    loopback_server.serve("/b", RSS)
    one_slot = FetchSettings(**{**settings.__dict__, "concurrency": 1, "per_host": 1, "retries": 1})

    async def run() -> list[Fetched]:
        async with Fetcher(one_slot) as fetcher:
            first = asyncio.ensure_future(fetcher.fetch(source(loopback_server.url("/a")), FeedState()))
            await asyncio.sleep(0)  # let /a take the slot first
            second = asyncio.ensure_future(fetcher.fetch(source(loopback_server.url("/b")), FeedState()))
            return list(await asyncio.gather(first, second))

    results = asyncio.run(run())
    assert [r.status for r in results] == [FetchStatus.OK, FetchStatus.OK]
    assert [r.path for r in loopback_server.requests] == ["/a", "/b", "/a"]
