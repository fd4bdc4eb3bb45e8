"""Worker heartbeats in Redis: who is up, on which host, fetching which hosts, how many feeds done.

Each worker keeps one key `feedstation:worker:<name>` (JSON, expiring after HEARTBEAT_TTL seconds) fresh
from a background thread; a worker that died drops out of `feedstation status` once its key expires.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, field

import redis

from feedstation.distributed.ledger import PREFIX

HEARTBEAT_EVERY = 2.0
HEARTBEAT_TTL = 10


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    machine: str
    pid: int
    started: float  # unix time
    seen: float  # unix time of the last heartbeat
    feeds_done: int
    fetching: tuple[str, ...] = field(default=())  # hosts of the batches running now
    lease_waits: int = 0  # batches put back for a moment because another batch held their host (redeliveries)


class WorkerBeacon:
    """One worker's heartbeat; `batch_started`/`batch_ended`/`feed_done` are called from task threads."""

    def __init__(self, client: redis.Redis, name: str):
        self.client = client
        self.name = name
        self.key = f"{PREFIX}worker:{name}"
        self._lock = threading.Lock()
        self._fetching: list[str] = []
        self._done = 0
        self._lease_waits = 0
        self._started = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="worker heartbeat", daemon=True)

    def start(self) -> None:
        if self._thread.is_alive():
            return  # Celery said "ready" again (after a broker reconnect)
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(HEARTBEAT_EVERY * 2)
        try:
            self.client.delete(self.key)
        except redis.RedisError:
            pass  # the key expires by itself

    def batch_started(self, host: str) -> None:
        with self._lock:
            self._fetching.append(host)

    def batch_ended(self, host: str) -> None:
        with self._lock:
            self._fetching.remove(host)

    def feed_done(self) -> None:
        with self._lock:
            self._done += 1

    def lease_waited(self) -> None:
        with self._lock:
            self._lease_waits += 1

    def beat(self) -> None:
        with self._lock:
            info = WorkerInfo(name=self.name, machine=socket.gethostname(), pid=os.getpid(), started=self._started,
                              seen=time.time(), feeds_done=self._done, fetching=tuple(self._fetching),
                              lease_waits=self._lease_waits)
        self.client.set(self.key, json.dumps(asdict(info)), ex=HEARTBEAT_TTL)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            try:
                self.beat()
            except redis.RedisError:
                continue  # broker briefly away: the next beat tries again


def live_workers(client: redis.Redis) -> list[WorkerInfo]:
    """Every worker whose heartbeat has not expired, by name."""
    keys = sorted(client.scan_iter(match=f"{PREFIX}worker:*", count=500))
    workers = []
    for raw in client.mget(keys) if keys else []:
        if raw is None:
            continue  # expired between the scan and the read
        data = json.loads(raw)
        data["fetching"] = tuple(data.get("fetching", ()))
        workers.append(WorkerInfo(**data))
    return workers
