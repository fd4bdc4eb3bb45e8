"""Batches per host and the JSON crossing the broker (pure)."""

from __future__ import annotations

from feedstation.distributed.batches import (
    LOCAL_FILES,
    batch_host,
    batch_message,
    host_batches,
    report_from_json,
    report_json,
    source_from_json,
)
from feedstation.fetch.instance_order import instance_order
from feedstation.models import FeedReport, FeedState, FetchSettings, NetworkFailure, Source

SETTINGS = FetchSettings(rsshub_instances=("https://a.example", "https://b.example:8443"), rsshub_strategy="spread")


def src(n: int, url: str) -> Source:
    return Source(category="类", site="站", channel=f"频道{n}", url=url, max_items=None if n % 2 else 5)


def test_a_batch_is_every_feed_of_one_host_and_the_biggest_batches_come_first():
    work = [(src(1, "https://Example.org/a"), 1, FeedState()), (src(2, "https://example.org:8080/b"), 2, FeedState()),
            (src(3, "http://other.example/c"), 3, FeedState()), (src(4, "/srv/feeds/x.xml"), 4, FeedState()),
            (src(5, "https://example.org/e"), 5, FeedState())]
    batches = host_batches(work, SETTINGS)
    assert [(b.host, [feed_id for feed_id, _s in b.feeds]) for b in batches] == [
        ("example.org", [1, 2, 5]), (LOCAL_FILES, [4]), ("other.example", [3])]


def test_an_rsshub_route_is_batched_with_the_instance_it_asks_first():
    for route in ("/github/issue/a/b", "/zhihu/hot", "/bilibili/user/video/2267573", "github/trending"):
        first = instance_order(SETTINGS.rsshub_instances, route if route.startswith("/") else "/" + route, "spread")[0]
        assert batch_host(src(1, "rsshub:" + route), SETTINGS) == first.split("//")[1].split(":")[0]
    hosts = {batch_host(src(n, f"rsshub:/route/{n}"), SETTINGS) for n in range(40)}
    assert hosts == {"a.example", "b.example"}  # spread shares the routes between the instances


def test_messages_carry_ids_and_sources_only_and_reports_survive_the_trip():
    work = [(src(n, f"https://h.example/{n}"), 10 + n, FeedState(etag='"v"')) for n in range(3)]
    (batch,) = host_batches(work, SETTINGS)
    message = batch_message("r1", "postgresql+psycopg://u:***@db/feeds", batch)
    assert message["round"] == "r1" and message["host"] == "h.example"
    assert [(feed_id, source_from_json(data)) for feed_id, data in message["feeds"]] == [
        (10 + n, src(n, f"https://h.example/{n}")) for n in range(3)]
    assert "etag" not in repr(message)  # validators stay in the database; the worker reads them there
    report = FeedReport(source=src(1, "https://h.example/1"), status="error", http_status=None, elapsed=0.25,
                        error="cannot connect", network_failure=NetworkFailure(kind="connect", host="h.example"))
    assert report_from_json(report_json(11, report)) == (11, report)
    ok = FeedReport(source=src(2, "https://h.example/2"), status="ok", new=3, updated=1, http_status=200,
                    served_by="h.example")
    assert report_from_json(report_json(12, ok)) == (12, ok)
