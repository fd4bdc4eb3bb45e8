"""HTTP fetching against a real loopback server: bodies, encodings, conditional GET, statuses, redirects, retries."""

from __future__ import annotations

import gzip
import zlib

import brotli
from aiohttp import web

from feedstation.models import FeedState, FetchStatus
from tests.fetch.conftest import RSS, FetchOne
from tests.loopback import LoopbackServer, Reply


def test_200_returns_body_validators_and_metadata(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve(
        "/feed.xml",
        RSS,
        headers={
            "Content-Type": "application/rss+xml",
            "ETag": '"v1"',
            "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT",
            "Cache-Control": "public, max-age=600",
        },
    )
    got = fetch_one(loopback_server.url("/feed.xml"))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS
    assert got.http_status == 200
    assert got.content_type == "application/rss+xml"
    assert got.etag == '"v1"'
    assert got.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert got.max_age == 600
    assert got.final_url == loopback_server.url("/feed.xml")
    assert got.served_by == "127.0.0.1"
    assert got.elapsed > 0
    (request,) = loopback_server.requests_to("/feed.xml")
    assert request.headers["User-Agent"].startswith("feedstation/")
    assert request.headers["Accept-Encoding"] == "gzip, deflate, br"
    assert "application/rss+xml" in request.headers["Accept"]
    # First fetch: no validators yet, so nothing conditional is sent.
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


def test_gzip_body_is_decompressed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/g", gzip.compress(RSS), headers={"Content-Encoding": "gzip"})
    got = fetch_one(loopback_server.url("/g"))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS


def test_deflate_body_zlib_wrapped_is_decompressed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/d", zlib.compress(RSS), headers={"Content-Encoding": "deflate"})
    got = fetch_one(loopback_server.url("/d"))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS


def test_deflate_body_raw_is_decompressed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    loopback_server.serve("/d", raw.compress(RSS) + raw.flush(), headers={"Content-Encoding": "deflate"})
    got = fetch_one(loopback_server.url("/d"))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS


def test_brotli_body_is_decompressed(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/b", brotli.compress(RSS), headers={"Content-Encoding": "br"})
    got = fetch_one(loopback_server.url("/b"))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS


def test_corrupt_gzip_is_an_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/g", b"\x1f\x8b\x08\x00garbage-not-deflate", headers={"Content-Encoding": "gzip"})
    got = fetch_one(loopback_server.url("/g"))
    assert got.status is FetchStatus.ERROR
    assert "gzip" in got.error


def test_unsupported_encoding_is_an_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/z", b"whatever", headers={"Content-Encoding": "zstd"})
    got = fetch_one(loopback_server.url("/z"))
    assert got.status is FetchStatus.ERROR
    assert got.error == "unsupported Content-Encoding: zstd"


def test_conditional_get_sends_validators_and_304_is_not_modified(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=RSS, headers={"ETag": '"v1"'})

    loopback_server.route("/feed.xml", handler)
    state = FeedState(etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    got = fetch_one(loopback_server.url("/feed.xml"), state)
    assert got.status is FetchStatus.NOT_MODIFIED
    assert got.http_status == 304
    assert got.body == b""
    assert got.error is None
    (request,) = loopback_server.requests_to("/feed.xml")
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert request.headers["User-Agent"] == "feedstation/0.1 (+https://github.com/feedstation/feedstation)"


def test_404_is_an_error_and_not_retried(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/gone", b"nope", status=404)
    got = fetch_one(loopback_server.url("/gone"), retries=3)
    assert got.status is FetchStatus.ERROR
    assert got.error == "HTTP 404 Not Found"
    assert got.http_status == 404
    assert len(loopback_server.requests_to("/gone")) == 1


def test_500_then_200_is_retried(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve_sequence("/flaky", [Reply(status=500), Reply(status=502), Reply(body=RSS)])
    got = fetch_one(loopback_server.url("/flaky"), retries=3)
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS
    assert len(loopback_server.requests_to("/flaky")) == 3


def test_5xx_gives_up_after_the_configured_retries(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/down", status=503)
    got = fetch_one(loopback_server.url("/down"), retries=2)
    assert got.status is FetchStatus.ERROR
    assert got.error == "HTTP 503 Service Unavailable"
    assert len(loopback_server.requests_to("/down")) == 3  # first try + 2 retries


def test_429_with_retry_after_seconds_then_200(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve_sequence("/busy", [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=RSS)])
    got = fetch_one(loopback_server.url("/busy"), retries=1)
    assert got.status is FetchStatus.OK, got.error
    assert len(loopback_server.requests_to("/busy")) == 2


def test_retry_after_longer_than_backoff_cap_stops_and_reports_it(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    loopback_server.serve("/busy", status=429, headers={"Retry-After": "3600"})
    got = fetch_one(loopback_server.url("/busy"), retries=3, backoff_cap=2.0)
    assert got.status is FetchStatus.ERROR
    assert got.error == "HTTP 429 Too Many Requests"
    assert got.retry_after == 3600
    assert len(loopback_server.requests_to("/busy")) == 1


def test_html_page_instead_of_feed_is_an_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/login", b"<!DOCTYPE html><html><body>Please sign in</body></html>")
    got = fetch_one(loopback_server.url("/login"))
    assert got.status is FetchStatus.ERROR
    assert got.error == "the server returned an HTML page, not a feed (login page or error page?)"
    assert got.body == b""


def test_empty_body_is_an_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/empty", b"")
    got = fetch_one(loopback_server.url("/empty"))
    assert got.status is FetchStatus.ERROR
    assert got.error == "empty response body"


def test_three_redirects_are_followed_and_final_url_recorded(
    loopback_server: LoopbackServer, fetch_one: FetchOne
) -> None:
    loopback_server.serve("/r1", status=301, headers={"Location": "/r2"})
    loopback_server.serve("/r2", status=302, headers={"Location": loopback_server.url("/r3")})
    loopback_server.serve("/r3", status=307, headers={"Location": "feed.xml"})  # relative to /r3
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(loopback_server.url("/r1"), state=FeedState(etag='"e"'))
    assert got.status is FetchStatus.OK, got.error
    assert got.final_url == loopback_server.url("/feed.xml")
    assert [r.path for r in loopback_server.requests] == ["/r1", "/r2", "/r3", "/feed.xml"]


def test_redirect_loop_is_an_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/a", status=302, headers={"Location": "/b"})
    loopback_server.serve("/b", status=302, headers={"Location": "/a"})
    got = fetch_one(loopback_server.url("/a"))
    assert got.status is FetchStatus.ERROR
    assert got.error == "too many redirects (more than 5)"
    assert len(loopback_server.requests) == 6  # the first request + 5 followed hops


def test_redirect_to_non_http_scheme_is_refused(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/r", status=302, headers={"Location": "file:///etc/passwd"})
    got = fetch_one(loopback_server.url("/r"))
    assert got.status is FetchStatus.ERROR
    assert got.error == "refused redirect to a non-HTTP URL: file:///etc/passwd"


def test_connection_refused_is_a_clear_error(fetch_one: FetchOne) -> None:
    # Bind then close a socket to get a loopback port with nothing listening.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    got = fetch_one(f"http://127.0.0.1:{port}/feed.xml", retries=0)
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith(f"could not connect to 127.0.0.1:{port}")


def test_malformed_url_is_an_error_not_a_crash(fetch_one: FetchOne) -> None:
    got = fetch_one("http://[not-an-ip/feed.xml")
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith("invalid URL")


def test_tls_handshake_failure_is_a_clear_error(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    # https:// to a plain-HTTP server: the TLS handshake fails on the server's HTTP reply.
    loopback_server.serve("/feed.xml", RSS)
    got = fetch_one(f"https://127.0.0.1:{loopback_server.port}/feed.xml", retries=3)
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith("TLS error with 127.0.0.1:"), got.error
    assert loopback_server.requests == []  # the server never saw a well-formed HTTP request


def test_a_weak_etag_is_sent_back_in_both_forms():
    from feedstation.fetch.client import if_none_match

    assert if_none_match('W/"3c2-abc"') == 'W/"3c2-abc", "3c2-abc"'
    assert if_none_match('"v1"') == '"v1"'
    assert if_none_match('W/"a", W/"b"') == 'W/"a", W/"b"'
