"""Real `feedstation worker` processes, a real Redis and a real PostgreSQL: a round fetches every due feed once,
survives a worker killed mid-fetch or mid-transaction, and keeps the per-host cap across workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from feedstation import pipeline
from feedstation.config import load_config
from feedstation.distributed.registry import live_workers
from feedstation.store import Store
from tests.distributed.conftest import FeedHosts, write_config

# Each test starts real worker processes (importing Celery takes seconds on a busy machine): > 10 s.
pytestmark = pytest.mark.slow

ITEMS = 3  # items per feed (conftest.rss)


def run_round(config_path, *, force: bool = False):
    config = load_config(config_path)
    with Store.open(config.storage) as store:
        run = pipeline.fetch_all(config, store, force=force)
        return run, store.health(), store.entry_count()


def wait_until(condition, what: str, limit: float = 60.0) -> None:
    """Poll for a state the test needs before acting (not an assertion about speed)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def assert_round_complete(run, health, entry_count, feeds: int) -> None:
    assert sorted(r.source.tree for r in run.reports) == sorted({r.source.tree for r in run.reports}), "a feed twice"
    assert len(run.reports) == feeds
    assert [r.error for r in run.reports if r.status != "ok"] == []
    assert entry_count == feeds * ITEMS
    assert {h.entry_count for h in health} == {ITEMS}


def test_every_due_feed_is_fetched_exactly_once_per_round_by_several_workers(tmp_path, postgres_server, broker, workers):
    with FeedHosts(hosts=3, feeds=8, latency=0.1) as hosts:
        config = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree())
        workers.start(config, 3)
        first = run_round(config)
        assert_round_complete(*first, feeds=24)
        assert set(hosts.fetches.values()) == {1} and len(hosts.fetches) == 24
        second = run_round(config, force=True)
        assert_round_complete(*second, feeds=24)
        assert second[0].new == 0  # the same items again: nothing stored twice
        assert set(hosts.fetches.values()) == {2}


def test_a_worker_killed_mid_fetch_loses_nothing_and_the_round_completes(tmp_path, postgres_server, broker, workers):
    with FeedHosts(hosts=2, feeds=6, latency=0.05) as hosts:
        hosts.gate = threading.Event()  # every request waits until the first worker is dead
        config = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree(), redelivery_after=3)
        (doomed,) = workers.start(config, 1, concurrency=2)
        with ThreadPoolExecutor(1) as pool:
            round_ = pool.submit(run_round, config)
            wait_until(lambda: hosts.total_fetches >= 4, "the worker to be mid-fetch on both hosts")
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(30)
            hosts.gate.set()
            workers.start(config, 1)  # the survivor gets both batches once Redis redelivers them
            run, health, count = round_.result(timeout=240)
        assert doomed.returncode == -signal.SIGKILL
        assert_round_complete(run, health, count, feeds=12)


def test_a_worker_dying_mid_transaction_loses_nothing_and_doubles_nothing(tmp_path, postgres_server, broker, workers):
    with FeedHosts(hosts=2, feeds=5, latency=0.05) as hosts:
        config = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree(), redelivery_after=3)
        # The first worker dies (os._exit) between a feed's entries and its validators, inside the transaction.
        (doomed,) = workers.start(config, 1, env={"FEEDSTATION_FAULT_POINT": "between_entries_and_validators"})
        with ThreadPoolExecutor(1) as pool:
            round_ = pool.submit(run_round, config)
            assert doomed.wait(120) == 70
            workers.start(config, 2)
            run, health, count = round_.result(timeout=240)
        assert_round_complete(run, health, count, feeds=10)


def test_four_workers_started_at_once_on_a_fresh_database_start_cleanly(tmp_path, postgres_server, broker, workers):
    with FeedHosts(hosts=4, feeds=3, latency=0.05) as hosts:
        config = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree())
        started = workers.start(config, 4)  # all four create the schema of the empty database at once
        run, health, count = run_round(config)
        assert_round_complete(run, health, count, feeds=12)
        assert [p.poll() for p in started] == [None] * 4
        for n in range(4):
            log = workers.log(n)
            assert "Traceback" not in log and "ERROR" not in log and "error:" not in log, log


def test_the_per_host_cap_holds_across_workers_even_when_a_slow_batch_is_redelivered(tmp_path, postgres_server,
                                                                                        broker, workers):
    # A host's batch takes 10 feeds / 2 slots × 0.8 s = 4 s, longer than redelivery_after (2 s) plus kombu's
    # 1 s sweep: Redis hands it to another worker while the first still runs it; the host lease makes the
    # copy wait (the workers count those waits in their heartbeats), not fetch.
    with FeedHosts(hosts=2, feeds=10, latency=0.8) as hosts:
        config = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree(), per_host=2,
                              redelivery_after=2)
        workers.start(config, 3, concurrency=2)
        run, health, count = run_round(config)
        assert_round_complete(run, health, count, feeds=20)
        assert hosts.max_in_flight == {"127.0.0.1": 2, "127.0.0.2": 2}
        assert set(hosts.fetches.values()) == {1}
        client = redis.Redis.from_url(broker)
        wait_until(lambda: sum(w.lease_waits for w in live_workers(client)) > 0,
                   "a heartbeat counting a redelivered batch that waited for its host")


def test_postgresql_restarted_mid_round_fails_only_the_feeds_it_hit(tmp_path, postgres_server, broker, workers):
    with FeedHosts(hosts=1, feeds=12, latency=0.3) as hosts:
        config_path = write_config(tmp_path, postgres_server.new_database(), broker, hosts.tree(), per_host=2)
        workers.start(config_path, 1)
        config = load_config(config_path)
        done: list = []
        with Store.open(config.storage) as store, ThreadPoolExecutor(1) as pool:
            round_ = pool.submit(pipeline.fetch_all, config, store, on_feed_done=done.append)
            try:
                wait_until(lambda: len(done) >= 2, "the first feeds to be stored")
                postgres_server.halt()
                wait_until(lambda: len(done) >= 6, "feeds failing while the database is away")
            finally:
                postgres_server.resume()
            first = round_.result(timeout=240)
            assert len(first.reports) == 12  # every feed reported: the round completed
            failed = [r for r in first.reports if r.status == "error"]
            assert all(r.error.startswith("database error") for r in failed), [r.error for r in failed]
            assert 0 < len(failed) < 12
        run, health, count = run_round(config_path, force=True)
        assert_round_complete(run, health, count, feeds=12)


def test_the_network_down_decision_is_the_whole_rounds_across_batches(tmp_path, postgres_server, broker, workers):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with FeedHosts(hosts=1, feeds=1, latency=0.05) as hosts:
        tree = hosts.tree()
        tree["类别"]["死站"] = {f"频道{n}": f"http://127.0.0.2:{port}/f{n}" for n in range(3)}
        config = write_config(tmp_path, postgres_server.new_database(), broker, tree)
        workers.start(config, 2)
        run, health, _count = run_round(config)
    assert sorted(r.status for r in run.reports) == ["error", "error", "error", "ok"]
    # The dead host's batch saw only unreached feeds, but the round reached a server (the other host):
    # the network is up, so the run records the three failures with back-off, as a local run would.
    dead = [h for h in health if h.site == "死站"]
    assert [(h.status, h.consecutive_failures, h.next_attempt_at is not None) for h in dead] == [("error", 1, True)] * 3
