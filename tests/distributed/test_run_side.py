"""The run's side without workers: config keys, clear errors, `feedstation status` with a live worker heartbeat."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import redis
from click.testing import CliRunner

from feedstation import pipeline
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.distributed import coordinator
from feedstation.distributed.registry import WorkerBeacon
from feedstation.errors import ConfigError, FeedstationError
from feedstation.store import Store
from tests.distributed.conftest import write_config


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree() -> dict:
    return {"类别": {"站点": {"频道": "https://feeds.example/a.xml"}}}


def test_the_broker_must_be_a_redis_url_and_the_error_names_the_key(tmp_path):
    path = write_config(tmp_path, "feeds.db", "amqp://guest@127.0.0.1//", tree())
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "fetch.broker" in str(caught.value) and "Redis URL" in str(caught.value)
    path.write_text(path.read_text().replace('"amqp://guest@127.0.0.1//"', '"redis://127.0.0.1:6379/0"')
                    .replace('"redelivery_after": 60', '"redelivery_after": 1'))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "fetch.redelivery_after" in str(caught.value)


def test_a_worker_refuses_a_config_that_fetches_locally(tmp_path):
    path = write_config(tmp_path, "feeds.db", "redis://127.0.0.1:6379/0", tree(), executor="local")
    result = CliRunner().invoke(main, ["worker", "--config", str(path)])
    assert result.exit_code == 2
    assert "fetch.executor" in result.output and "celery" in result.output


def test_an_unreachable_broker_is_one_clear_error_naming_it(tmp_path):
    broker = f"redis://:secret@127.0.0.1:{closed_port()}/0"
    path = write_config(tmp_path, "feeds.db", broker, tree())
    result = CliRunner().invoke(main, ["fetch", "--config", str(path)])
    assert result.exit_code == 4, result.output
    assert "cannot reach the task queue at redis://:***@127.0.0.1" in result.output and "fetch.broker" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_a_round_with_no_worker_gives_up_clearly_and_leaves_no_work_behind(tmp_path, broker, monkeypatch):
    monkeypatch.setattr(coordinator, "NO_WORKER_GRACE", 0.5)
    config = load_config(write_config(tmp_path, "feeds.db", broker, tree()))
    with Store.open(config.storage) as store:
        with pytest.raises(FeedstationError) as caught:
            pipeline.fetch_all(config, store)
        assert "no feedstation worker is running" in str(caught.value)
        assert "0 of 1 due feeds" in str(caught.value) and "feedstation worker --config" in str(caught.value)
        assert [h.status for h in store.health()] == ["never"]  # still due next time
    client = redis.Redis.from_url(broker)
    assert client.llen("feedstation") == 1  # the batch is queued, but its round is over: a worker skips it
    assert client.keys("feedstation:round:*") == []


def test_status_shows_the_queue_and_each_workers_progress(tmp_path, broker):
    path = write_config(tmp_path, "feeds.db", broker, tree())
    beacon = WorkerBeacon(redis.Redis.from_url(broker), "w-status")
    beacon.start()
    try:
        beacon.batch_started("feeds.example")
        beacon.feed_done()
        beacon.beat()
        result = CliRunner().invoke(main, ["status", "--config", str(path)])
    finally:
        beacon.stop()
    assert result.exit_code == 0, result.output
    assert "task queue: 0 batch(es) waiting, 0 taken by workers; 1 worker(s) up" in result.output
    assert "worker w-status (pid" in result.output and "1 feeds done; now feeds.example" in result.output
    local = write_config(tmp_path, "feeds.db", broker, tree(), executor="local")
    assert "task queue" not in CliRunner().invoke(main, ["status", "--config", str(local)]).output


def test_a_broker_lost_mid_round_is_one_clear_error(tmp_path):
    from tests.redis_server import RedisServer

    own = RedisServer().start()  # this test stops its broker, so not the session's
    try:
        config = load_config(write_config(tmp_path, "feeds.db", own.url(), tree()))
        WorkerBeacon(redis.Redis.from_url(own.url()), "listening").beat()  # a worker seems up: the run waits
        with Store.open(config.storage) as store:
            client = redis.Redis.from_url(own.url())

            def stop_once_the_round_waits() -> None:
                while not client.keys("feedstation:round:*"):
                    time.sleep(0.02)
                time.sleep(0.2)
                own.stop()

            stop = threading.Thread(target=stop_once_the_round_waits)
            stop.start()
            with pytest.raises(FeedstationError) as caught:
                pipeline.fetch_all(config, store)
            stop.join()
        assert "lost the task queue at redis://127.0.0.1" in str(caught.value)
        assert "0 of 1 due feeds done" in str(caught.value)
    finally:
        own.stop()
