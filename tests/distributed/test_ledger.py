"""A round's ledger and the host leases, against a real Redis."""

from __future__ import annotations

import time

import redis

from feedstation.distributed.ledger import HostLease, RoundLedger, live_rounds


def test_a_feed_is_reported_once_however_often_its_batch_runs(broker):
    client = redis.Redis.from_url(broker)
    ledger = RoundLedger.start(client, total=2)
    assert ledger.alive() and ledger.progress() == (0, 2)
    assert ledger.finish_feed(7, {"feed_id": 7, "status": "ok"}) is True
    assert ledger.finish_feed(7, {"feed_id": 7, "status": "ok", "again": True}) is False
    assert ledger.done_ids() == {7} and ledger.progress() == (1, 2)
    assert ledger.next_report(timeout=1) == {"feed_id": 7, "status": "ok"}
    assert ledger.next_report(timeout=0.1) is None
    assert [r.round_id for r in live_rounds(client)] == [ledger.round_id]
    ledger.end()
    assert not ledger.alive() and live_rounds(client) == [] and client.keys("feedstation:round:*") == []


def test_a_host_lease_has_one_holder_at_a_time_and_its_release_frees_it(broker):
    client = redis.Redis.from_url(broker)
    first, second = HostLease(client, "example.org", ttl=5), HostLease(client, "example.org", ttl=5)
    other_host = HostLease(client, "other.example", ttl=5)
    assert first.acquire() is True
    assert second.acquire() is False
    assert other_host.acquire() is True
    first.release()
    assert second.acquire() is True
    first.release()  # a stale holder's release leaves the new holder's lease alone
    assert client.get(second.key) is not None
    second.release()
    other_host.release()
    assert client.keys("feedstation:lease:*") == []


def test_a_lease_whose_holder_died_expires(broker):
    client = redis.Redis.from_url(broker)
    assert client.set("feedstation:lease:host:dead.example", "gone", px=50)  # as a killed holder leaves it
    lease = HostLease(client, "dead.example", ttl=5)
    deadline = time.monotonic() + 30
    while not lease.acquire():  # polling for the expiry, not timing it
        assert time.monotonic() < deadline, "the dead holder's lease never expired"
        time.sleep(0.02)
    assert client.get(lease.key) != b"gone"
    lease.release()
