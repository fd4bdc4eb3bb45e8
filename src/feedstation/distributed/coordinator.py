"""The run's side of a distributed round: enqueue a batch per host, wait for every feed's report, then record
the failures only the whole round can judge (was the network down for everyone?)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import redis
from kombu.exceptions import KombuError

from feedstation import outage
from feedstation.config import Config
from feedstation.distributed.app import QUEUE, TASK_NAME, celery_app, redis_client, shown_broker
from feedstation.distributed.batches import batch_message, database_label, host_batches, report_from_json
from feedstation.distributed.ledger import RoundLedger
from feedstation.distributed.registry import live_workers
from feedstation.errors import FeedstationError, StoreError
from feedstation.models import FeedReport, FeedState, Source
from feedstation.store import Store

log = logging.getLogger(__name__)

NO_WORKER_GRACE = 60.0  # seconds a round waits with no live worker before giving up
POLL = 1.0  # seconds between the round's keep-alive refreshes while it waits


def fetch_on_workers(config: Config, store: Store, work: Sequence[tuple[Source, int, FeedState]],
                     now: Callable[[], datetime], on_feed_done: Callable[[FeedReport], None] | None) -> list[FeedReport]:
    """Every feed of `work` fetched and stored by the workers; its report, in completion order."""
    if not work:
        return []
    broker = config.fetch.broker
    client = redis_client(broker)
    reports: dict[int, FeedReport] = {}
    try:
        ledger = RoundLedger.start(client, total=len(work))
        try:
            app = celery_app(broker, config.fetch.redelivery_after)
            database = database_label(config.storage)
            with app.connection_for_write() as connection:
                for batch in host_batches(work, config.fetch_settings()):
                    app.send_task(TASK_NAME, args=[batch_message(ledger.round_id, database, batch)], queue=QUEUE,
                                  connection=connection)
            _wait(ledger, client, broker, config, len(work), reports, on_feed_done)
        finally:
            with contextlib.suppress(redis.RedisError):
                ledger.end()  # batches still queued (an interrupted run) will do nothing
    except (redis.RedisError, KombuError) as exc:
        raise FeedstationError(f"lost the task queue at {shown_broker(broker)} (fetch.broker) with {len(reports)} of "
                               f"{len(work)} due feeds done (they are stored; the others stay due): {exc}") from None
    _record_unreached(store, work, reports, now)
    return list(reports.values())


def _wait(ledger: RoundLedger, client, broker: str, config: Config, total: int, reports: dict[int, FeedReport],
          on_feed_done: Callable[[FeedReport], None] | None) -> None:
    lonely_since: float | None = None
    while len(reports) < total:
        data = ledger.next_report(timeout=POLL)
        ledger.keep_alive()
        if data is None:
            if live_workers(client):
                lonely_since = None
                continue
            lonely_since = lonely_since or time.monotonic()
            if time.monotonic() - lonely_since > NO_WORKER_GRACE:
                raise FeedstationError(
                    f"no feedstation worker is running for the task queue {shown_broker(broker)}: "
                    f"{len(reports)} of {total} due feeds were fetched, the others stay due; start workers with "
                    f"`feedstation worker --config {config.path}` or set fetch.executor: local")
            continue
        feed_id, report = report_from_json(data)
        if feed_id in reports:
            continue
        reports[feed_id] = report
        if on_feed_done:
            on_feed_done(report)


def _record_unreached(store: Store, work: Sequence[tuple[Source, int, FeedState]], reports: dict[int, FeedReport],
                      now: Callable[[], datetime]) -> None:
    """As a local run does: failures that never reached a server back off only if the network was not down."""
    from feedstation.pipeline import is_remote

    down = outage.network_down(list(reports.values()), sum(1 for source, _id, _state in work if is_remote(source)))
    if down:
        log.info("every remote feed failed to reach its server: the network looks down; no feed backs off")
    for feed_id, report in reports.items():
        if report.network_failure is None:
            continue
        try:
            store.record_failure(feed_id, report.error or "unknown error", now(), http_status=report.http_status,
                                 served_by=report.served_by, back_off=not down)
        except StoreError as exc:
            log.warning("%s: could not record its failure: %s", report.source.label, exc)
