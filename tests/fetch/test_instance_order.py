"""rsshub.strategy: `failover` keeps the configured order; `spread` shares routes out by a stable hash."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter

from feedstation.fetch.instance_order import instance_order
from feedstation.models import FetchSettings, FetchStatus
from tests.fetch.conftest import RSS, fetch_many
from tests.loopback import LoopbackServer

INSTANCES = ("https://rsshub.app", "https://rsshub.example.org", "http://127.0.0.1:1200")


def test_failover_tries_the_instances_in_the_configured_order():
    assert instance_order(INSTANCES, "/zhihu/hot", "failover") == INSTANCES


def test_spread_gives_each_route_a_stable_order_and_shares_routes_evenly():
    paths = [f"/route/{n}" for n in range(3000)]
    firsts = Counter(instance_order(INSTANCES, path, "spread")[0] for path in paths)
    assert set(firsts) == set(INSTANCES)
    assert all(850 <= count <= 1150 for count in firsts.values()), firsts  # ~1,000 each
    for path in paths[:50]:
        order = instance_order(INSTANCES, path, "spread")
        assert sorted(order) == sorted(INSTANCES)  # every instance still there to fall through to
        assert instance_order(INSTANCES, path, "spread") == order  # the same every run


def test_spread_moves_only_the_routes_of_an_instance_that_is_added_or_removed():
    paths = [f"/route/{n}" for n in range(2000)]
    before = {p: instance_order(INSTANCES, p, "spread")[0] for p in paths}
    after = {p: instance_order(INSTANCES[:2], p, "spread")[0] for p in paths}
    moved = [p for p in paths if before[p] != after[p]]
    assert moved and all(before[p] == INSTANCES[2] for p in moved)


def test_spread_against_real_servers_uses_every_instance_and_still_falls_through(loopback_server: LoopbackServer):
    for n in range(40):
        loopback_server.serve(f"/a/r/{n}", RSS)
        loopback_server.serve(f"/b/r/{n}", RSS)
        loopback_server.serve(f"/dead/r/{n}", status=404)
    urls = [f"rsshub:/r/{n}" for n in range(40)]
    settings = FetchSettings(allow_private_addresses=True, backoff_base=0.01, retries=0, rsshub_strategy="spread",
                             rsshub_instances=(loopback_server.url("/a"), loopback_server.url("/b")))
    served = Counter(f.served_by for f in asyncio.run(fetch_many(settings, urls)))
    assert set(served) == {loopback_server.url("/a"), loopback_server.url("/b")}
    assert min(served.values()) >= 8  # both take a real share
    with_dead = dataclasses.replace(settings, rsshub_instances=(*settings.rsshub_instances, loopback_server.url("/dead")))
    results = asyncio.run(fetch_many(with_dead, urls))
    assert all(f.status is FetchStatus.OK for f in results), [f.error for f in results if f.error]
    asked_dead_first = [r for r in loopback_server.requests if r.path.startswith("/dead/")]
    assert asked_dead_first, "some routes' own order starts with the dead instance, and they fell through"
