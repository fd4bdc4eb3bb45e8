"""Fixtures for the distributed fetch: a real Redis, real `feedstation worker` processes, counting feed hosts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web

from tests.loopback import LoopbackServer
from tests.redis_server import RedisServer

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="session")
def redis_server():
    """One real redis-server on loopback for the whole session."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server) -> str:
    """The Redis URL, emptied for this test."""
    redis_server.flush()
    return redis_server.url()


def rss(name: str, items: int = 3) -> bytes:
    entries = "".join(f"<item><title>{name} · {k}</title><guid>{name}-{k}</guid>"
                      f"<link>https://example.com/{name}/{k}</link><description>正文 {k}</description></item>"
                      for k in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
            f"{entries}</channel></rss>").encode()


class FeedHosts:
    """Loopback servers on distinct addresses (127.0.0.1, .2, …), each serving `feeds` slow RSS feeds.

    Counts every request per URL path and the most requests any one host had in flight at once.
    `gate` (when set) holds every request until it is opened, so a test can act mid-fetch.
    """

    def __init__(self, hosts: int, feeds: int, latency: float = 0.2):
        self.servers = [LoopbackServer(host=f"127.0.0.{n + 1}") for n in range(hosts)]
        self.feeds = feeds
        self.latency = latency
        self._lock = threading.Lock()
        self.fetches: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.gate: threading.Event | None = None

    def __enter__(self) -> "FeedHosts":
        for server in self.servers:
            server.start()
            for n in range(self.feeds):
                server.route(f"/f{n}", self._handler(server.host, n))
        return self

    def __exit__(self, *exc_info) -> None:
        if self.gate is not None:
            self.gate.set()
        for server in self.servers:
            server.stop()

    def _handler(self, host: str, n: int):
        async def handle(request: web.Request) -> web.Response:
            key = f"{host}/f{n}"
            with self._lock:
                self.fetches[key] += 1
                self.in_flight[host] += 1
                self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            try:
                while self.gate is not None and not self.gate.is_set():
                    await asyncio.sleep(0.05)
                await asyncio.sleep(self.latency)
                return web.Response(body=rss(key), content_type="application/rss+xml")
            finally:
                with self._lock:
                    self.in_flight[host] -= 1
        return handle

    def tree(self) -> dict:
        return {"类别": {f"站点{h}": {f"频道{n}": server.url(f"/f{n}") for n in range(self.feeds)}
                       for h, server in enumerate(self.servers)}}

    @property
    def total_fetches(self) -> int:
        with self._lock:
            return sum(self.fetches.values())


def write_config(folder: Path, storage: str, broker: str, tree: dict, *, per_host: int = 2,
                 redelivery_after: int = 60, executor: str = "celery") -> Path:
    path = folder / "feedstation.yaml"
    fetch = {"executor": executor, "broker": broker, "redelivery_after": redelivery_after, "per_host": per_host,
             "allow_private_addresses": True, "retries": 0, "user_agent": "feedstation-test/1"}
    path.write_text(f"fetch: {json.dumps(fetch)}\nstorage: {json.dumps(storage)}\n"
                    f"output: {{site: null}}\nsources: {json.dumps(tree, ensure_ascii=False)}\n", encoding="utf-8")
    return path


class Workers:
    """Real `feedstation worker` subprocesses; their output goes to files in the test's folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []

    def start(self, config: Path, count: int = 1, *, concurrency: int = 2, env: dict[str, str] | None = None) -> list[subprocess.Popen]:
        started = []
        for _ in range(count):
            n = len(self.processes)
            log = open(self.folder / f"worker{n}.log", "wb")
            process = subprocess.Popen(
                [sys.executable, "-m", "feedstation", "worker", "--config", str(config),
                 "--concurrency", str(concurrency), "--name", f"w{n}"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})})
            log.close()
            self.processes.append(process)
            started.append(process)
        return started

    def log(self, n: int) -> str:
        return (self.folder / f"worker{n}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop()
