"""The Celery app both sides use: Redis broker, JSON messages, late acks, a bounded redelivery time.

- `task_acks_late`: a batch is acknowledged when it has finished, so a worker killed mid-batch leaves
  its message unacknowledged in Redis.
- `visibility_timeout = fetch.redelivery_after`: Redis hands such a message to another worker once it has
  been unacknowledged that long; kombu looks every `restore_every` seconds (`unacked_restore_interval`,
  throttle 1), so a dead worker's batch starts again within redelivery_after + restore_every + the host
  lease's expiry (at most 30 s) seconds. A batch still running after redelivery_after is redelivered
  too, but its host lease makes the copy wait, and the round's done set makes it skip finished feeds.
- `worker_prefetch_multiplier = 1`: a worker reserves only as many batches as it runs.
- No result backend: completions travel through the round's ledger (ledger.py), feed by feed.
"""

from __future__ import annotations

import redis
from celery import Celery

from feedstation.errors import FeedstationError

QUEUE = "feedstation"
TASK_NAME = "feedstation.fetch_batch"


def restore_every(redelivery_after: int) -> int:
    """Seconds between kombu's sweeps for unacknowledged messages older than the visibility timeout."""
    return max(1, min(10, redelivery_after // 4))


def lease_seconds(redelivery_after: int) -> float:
    """A host lease's time to live (renewed every third of it while its batch runs). At least 10 s, so a
    renewing thread starved of CPU for a few seconds on a busy machine does not let a copy of its batch in."""
    return float(max(10, min(30, redelivery_after)))


def celery_app(broker: str, redelivery_after: int) -> Celery:
    app = Celery("feedstation", broker=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"], task_ignore_result=True, result_backend=None,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=QUEUE, broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": redelivery_after,
                                  "unacked_restore_interval": restore_every(redelivery_after),
                                  "unacked_restore_throttle": 1},
        worker_hijack_root_logger=False, worker_redirect_stdouts=False,
    )
    return app


def redis_client(broker: str) -> redis.Redis:
    """A client for the broker's Redis, checked now: an unreachable broker is one clear error."""
    client = redis.Redis.from_url(broker, socket_connect_timeout=10, health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FeedstationError(f"cannot reach the task queue at {shown_broker(broker)} (fetch.broker): {exc}; "
                               "start Redis there or fix fetch.broker") from None
    return client


def shown_broker(broker: str) -> str:
    """The broker URL without a password."""
    from urllib.parse import urlsplit

    parts = urlsplit(broker)
    if parts.password is None:
        return broker
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
