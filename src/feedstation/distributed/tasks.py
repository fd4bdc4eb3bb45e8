"""The worker side of one batch: take the host's lease, fetch → parse → store the feeds not done yet, report each.

It runs the same asyncio path as a local run (`pipeline._fetch_and_store`), with this worker's own config
(fetch settings, RSSHub keys, database): the message carries only the round id, feed ids and sources.
A store write happens before its report, so a batch killed at any point is redone (upserts, validators
saved with their entries) and reports every feed exactly once (ledger.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import redis

from feedstation import pipeline
from feedstation.catalog import Catalog
from feedstation.config import Config
from feedstation.distributed.app import lease_seconds
from feedstation.distributed.batches import report_json, source_from_json
from feedstation.distributed.ledger import HostLease, RoundLedger
from feedstation.distributed.registry import WorkerBeacon
from feedstation.models import FeedReport, FeedState, Source
from feedstation.store import Store

log = logging.getLogger(__name__)

LEASE_WAIT = 1.0  # seconds before a batch whose host is leased asks again


@dataclass
class WorkerContext:
    """What a worker process holds for all its batches."""

    config: Config
    store: Store
    client: redis.Redis
    beacon: WorkerBeacon
    database: str  # the database as runs name it (no password), to refuse a batch of another database
    catalog: Catalog | None


_context: WorkerContext | None = None


def install_context(context: WorkerContext | None) -> None:
    global _context
    _context = context


class LeaseBusy(Exception):
    """The batch's host is being fetched by another batch: try again shortly."""


def run_batch(message: dict[str, Any]) -> None:
    """Do one batch (see the module docstring); raises LeaseBusy when its host is leased."""
    context = _context
    if context is None:
        raise RuntimeError("a feedstation batch reached a process that is not a `feedstation worker`")
    ledger = RoundLedger(context.client, message["round"])
    if not ledger.alive():
        log.info("batch for %s skipped: its round has ended", message["host"])
        return
    feeds = [(int(feed_id), source_from_json(source)) for feed_id, source in message["feeds"]]
    if message["database"] != context.database:
        error = (f"not fetched: the worker {context.beacon.name} stores into {context.database}, "
                 f"but this run uses {message['database']} (give workers the run's storage)")
        for feed_id, source in feeds:
            ledger.finish_feed(feed_id, report_json(feed_id, FeedReport(source=source, status="error", error=error)))
        return
    lease = HostLease(context.client, message["host"], lease_seconds(context.config.fetch.redelivery_after))
    if not lease.acquire():
        raise LeaseBusy(message["host"])
    context.beacon.batch_started(message["host"])
    try:
        _fetch_feeds(context, ledger, feeds)
    except Exception as exc:  # noqa: BLE001 — the round must hear about every feed, whatever broke
        log.exception("batch for %s failed", message["host"])
        for feed_id, source in feeds:
            report = FeedReport(source=source, status="error",
                                error=f"the worker {context.beacon.name} failed on this batch: {exc}")
            ledger.finish_feed(feed_id, report_json(feed_id, report))
    finally:
        context.beacon.batch_ended(message["host"])
        lease.release()


def _fetch_feeds(context: WorkerContext, ledger: RoundLedger, feeds: list[tuple[int, Source]]) -> None:
    done = ledger.done_ids()
    todo = [(feed_id, source) for feed_id, source in feeds if feed_id not in done]
    if not todo:
        return
    states = context.store.feed_states()
    ids = {source.tree: feed_id for feed_id, source in todo}

    def on_feed_done(report: FeedReport) -> None:
        ledger.finish_feed(ids[report.source.tree], report_json(ids[report.source.tree], report))
        context.beacon.feed_done()

    work = [(source, feed_id, states.get(feed_id, FeedState())) for feed_id, source in todo]
    asyncio.run(pipeline._fetch_and_store(work, context.config.fetch_settings(), context.store, pipeline.utc_now,
                                          on_feed_done, context.catalog, parse_pool=False,
                                          record_unreached=False))
