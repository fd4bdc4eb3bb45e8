"""Retriever choice by URL kind: rsshub: routes across instances, local files, unsupported URLs."""

from __future__ import annotations

from pathlib import Path

from feedstation.fetch import instance_label as label
from feedstation.models import FetchStatus
from tests.fetch.conftest import RSS, FetchOne
from tests.loopback import LoopbackServer


def test_rsshub_falls_through_to_the_next_instance(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/one/zhihu/hotlist", status=500)
    loopback_server.serve("/two/zhihu/hotlist", RSS)
    first, second = loopback_server.url("/one/"), loopback_server.url("/two")
    got = fetch_one("rsshub:/zhihu/hotlist", rsshub_instances=(first, second), retries=0)
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS
    assert got.served_by == second
    assert got.final_url == loopback_server.url("/two/zhihu/hotlist")
    assert [r.path for r in loopback_server.requests] == ["/one/zhihu/hotlist", "/two/zhihu/hotlist"]


def test_rsshub_instance_answering_html_is_skipped(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/one/x", b"<html><body>Cloudflare challenge</body></html>")
    loopback_server.serve("/two/x", RSS)
    got = fetch_one("rsshub:/x", rsshub_instances=(loopback_server.url("/one"), loopback_server.url("/two")))
    assert got.status is FetchStatus.OK, got.error
    assert got.served_by == loopback_server.url("/two")


def test_rsshub_all_instances_failing_lists_each_failure(loopback_server: LoopbackServer, fetch_one: FetchOne) -> None:
    loopback_server.serve("/one/x", status=503)
    loopback_server.serve("/two/x", status=404)
    one, two = loopback_server.url("/one"), loopback_server.url("/two")
    got = fetch_one("rsshub:/x", rsshub_instances=(one, two), retries=1)
    assert got.status is FetchStatus.ERROR
    assert got.error == (
        f"all 2 RSSHub instances failed for /x: {label(one)}: HTTP 503 Service Unavailable; {label(two)}: HTTP 404 Not Found"
    )
    # One retried round, because the first instance's failure was transient; the 404 is not asked again.
    assert [r.path for r in loopback_server.requests] == ["/one/x", "/two/x", "/one/x"]


def test_rsshub_without_instances_says_what_to_set(fetch_one: FetchOne) -> None:
    got = fetch_one("rsshub:/zhihu/hotlist", rsshub_instances=())
    assert got.status is FetchStatus.ERROR
    assert "set rsshub.instances" in got.error


def test_local_file_by_absolute_path(tmp_path: Path, fetch_one: FetchOne) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    got = fetch_one(str(feed))
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS
    assert got.served_by == "file"
    assert got.final_url == feed.as_uri()


def test_local_file_by_file_url(tmp_path: Path, fetch_one: FetchOne) -> None:
    feed = tmp_path / "a feed.xml"
    feed.write_bytes(RSS)
    got = fetch_one(feed.as_uri())
    assert got.status is FetchStatus.OK, got.error
    assert got.body == RSS


def test_local_file_missing_is_an_error(tmp_path: Path, fetch_one: FetchOne) -> None:
    got = fetch_one(str(tmp_path / "nope.xml"))
    assert got.status is FetchStatus.ERROR
    assert got.error == f"file not found: {tmp_path / 'nope.xml'}"


def test_local_file_over_the_cap_is_an_error(tmp_path: Path, fetch_one: FetchOne) -> None:
    feed = tmp_path / "big.xml"
    feed.write_bytes(RSS + b" " * 5000)
    got = fetch_one(str(feed), max_bytes=1000)
    assert got.status is FetchStatus.ERROR
    assert got.error == f"{feed}: response body exceeds fetch.max_bytes (1000 bytes)"


def test_relative_or_unknown_source_url_is_an_error(fetch_one: FetchOne) -> None:
    got = fetch_one("ftp://example.org/feed.xml")
    assert got.status is FetchStatus.ERROR
    assert got.error.startswith("unsupported source URL 'ftp://example.org/feed.xml'")
