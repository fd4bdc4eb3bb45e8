"""What `feedstation status` shows with `fetch.executor: celery`: the queue, the workers, the rounds running."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from feedstation.distributed.app import QUEUE
from feedstation.distributed.ledger import live_rounds
from feedstation.distributed.registry import WorkerInfo, live_workers


@dataclass(frozen=True)
class QueueStatus:
    waiting: int  # batches in the queue, not yet taken by a worker
    reserved: int  # batches taken by a worker and not yet finished (kombu's unacknowledged messages)
    workers: tuple[WorkerInfo, ...]
    rounds: tuple[tuple[int, int], ...]  # (feeds done, feeds due) of each round a run is waiting for


def queue_status(client: redis.Redis) -> QueueStatus:
    return QueueStatus(waiting=client.llen(QUEUE), reserved=client.hlen("unacked"),
                       workers=tuple(live_workers(client)),
                       rounds=tuple(ledger.progress() for ledger in live_rounds(client)))


def status_lines(status: QueueStatus, now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    lines = [f"task queue: {status.waiting} batch(es) waiting, {status.reserved} taken by workers; "
             f"{len(status.workers)} worker(s) up"]
    for done, total in status.rounds:
        lines.append(f"  run in progress: {done} of {total} due feeds done")
    for w in status.workers:
        fetching = ", ".join(w.fetching) if w.fetching else "idle"
        lines.append(f"  worker {w.name} (pid {w.pid} on {w.machine}, up {_span(now - w.started)}): "
                     f"{w.feeds_done} feeds done; now {fetching}"
                     + (f"; {w.lease_waits} batch(es) waited for a busy host" if w.lease_waits else ""))
    return lines


def _span(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
