"""Starting one `feedstation worker`: its database, its heartbeat, and a Celery worker running batches on threads.

Threads, not Celery's prefork pool: a batch is an asyncio loop waiting on the network, so a few per
process keep it busy; to use more cores, start more worker processes (the systemd unit in docs/ does).
"""

from __future__ import annotations

import logging
import os
import socket

from celery.signals import worker_ready

from feedstation.config import Config
from feedstation.errors import FeedstationError
from feedstation.distributed.app import QUEUE, TASK_NAME, celery_app, redis_client
from feedstation.distributed.batches import database_label
from feedstation.distributed.registry import WorkerBeacon
from feedstation.distributed.tasks import LEASE_WAIT, LeaseBusy, WorkerContext, install_context, run_batch
from feedstation.store import Store

log = logging.getLogger(__name__)


def default_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _hint_catalog(config: Config):
    """The route catalog for 404 hints, if this machine has one (a worker needs none to work)."""
    from feedstation.pipeline import _route_catalog

    try:
        return _route_catalog(config)
    except FeedstationError as exc:
        log.warning("no RSSHub route hints on this worker: %s", exc)
        return None


def run_worker(config: Config, *, concurrency: int, name: str | None = None, loglevel: str = "WARNING") -> int:
    """Run until stopped (SIGTERM/Ctrl-C: finish the running batches, hand back the reserved ones); the exit code."""
    name = name or default_name()
    client = redis_client(config.fetch.broker)
    store = Store.open(config.storage)  # migrations are safe to race: an advisory lock on PostgreSQL
    beacon = WorkerBeacon(client, name)
    install_context(WorkerContext(config=config, store=store, client=client, beacon=beacon,
                                  database=database_label(config.storage), catalog=_hint_catalog(config)))
    app = celery_app(config.fetch.broker, config.fetch.redelivery_after)

    @app.task(name=TASK_NAME, bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
    def fetch_batch(task, message: dict) -> None:
        try:
            run_batch(message)
        except LeaseBusy:
            beacon.lease_waited()
            raise task.retry(countdown=LEASE_WAIT) from None

    # Registered (and counted by runs and `status`) once its consumer is up, not while Celery is starting.
    worker_ready.connect(lambda **_kwargs: beacon.start(), weak=False)
    try:
        worker = app.Worker(hostname=f"{name}@{socket.gethostname()}", pool_cls="threads", concurrency=concurrency,
                            queues=[QUEUE], without_gossip=True, without_mingle=True, without_heartbeat=True,
                            loglevel=loglevel, quiet=True)
        worker.start()
        return worker.exitcode or 0
    finally:
        beacon.stop()
        install_context(None)
        store.close()
