"""Due feeds grouped into one batch per host, and the JSON that crosses the broker (ids and sources, no bodies)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yarl import URL

from feedstation.fetch.instance_order import instance_order
from feedstation.models import FeedReport, FeedState, FetchSettings, NetworkFailure, Source

LOCAL_FILES = "local files"


@dataclass(frozen=True)
class HostBatch:
    """Every due feed of one host: one task, so one worker holds the host's `per_host` slots at a time."""

    host: str
    feeds: tuple[tuple[int, Source], ...]  # (feed id, source)


def batch_host(source: Source, settings: FetchSettings) -> str:
    """The host a source's requests go to first: its URL's host, or for `rsshub:` the first instance it tries."""
    url = source.url
    if url.startswith("rsshub:"):
        path = url[len("rsshub:"):]
        path = path if path.startswith("/") else "/" + path
        order = instance_order(settings.rsshub_instances, path, settings.rsshub_strategy)
        return _host(order[0]) if order else "rsshub"
    if url.startswith(("http://", "https://")):
        return _host(url) or url[:200]
    return LOCAL_FILES


def _host(url: str) -> str:
    try:
        return (URL(url).host or "").lower()
    except ValueError:
        return ""


def host_batches(work: Sequence[tuple[Source, int, FeedState]], settings: FetchSettings) -> list[HostBatch]:
    """One batch per host, biggest first (the longest batches start first, so the round ends sooner)."""
    grouped: defaultdict[str, list[tuple[int, Source]]] = defaultdict(list)
    for source, feed_id, _state in work:
        grouped[batch_host(source, settings)].append((feed_id, source))
    batches = [HostBatch(host, tuple(feeds)) for host, feeds in grouped.items()]
    return sorted(batches, key=lambda b: (-len(b.feeds), b.host))


def batch_message(round_id: str, database: str, batch: HostBatch) -> dict[str, Any]:
    return {"round": round_id, "database": database, "host": batch.host,
            "feeds": [[feed_id, source_json(source)] for feed_id, source in batch.feeds]}


def source_json(source: Source) -> dict[str, Any]:
    return {"category": source.category, "site": source.site, "channel": source.channel, "url": source.url,
            "max_items": source.max_items}


def source_from_json(data: dict[str, Any]) -> Source:
    return Source(category=data["category"], site=data["site"], channel=data["channel"], url=data["url"],
                  max_items=data.get("max_items"))


def report_json(feed_id: int, report: FeedReport) -> dict[str, Any]:
    failure = report.network_failure
    return {"feed_id": feed_id, "source": source_json(report.source), "status": report.status, "new": report.new,
            "updated": report.updated, "http_status": report.http_status, "elapsed": report.elapsed,
            "served_by": report.served_by, "error": report.error,
            "network_failure": None if failure is None else {"kind": failure.kind, "host": failure.host}}


def report_from_json(data: dict[str, Any]) -> tuple[int, FeedReport]:
    failure = data.get("network_failure")
    return data["feed_id"], FeedReport(
        source=source_from_json(data["source"]), status=data["status"], new=data["new"], updated=data["updated"],
        http_status=data["http_status"], elapsed=data["elapsed"], served_by=data["served_by"], error=data["error"],
        network_failure=None if failure is None else NetworkFailure(kind=failure["kind"], host=failure["host"]))


def database_label(storage: str | Path) -> str:
    """The run's database as a batch names it (no password): a worker refuses a batch of another database."""
    from feedstation.store.advisory_lock import shown_url

    return shown_url(storage) if isinstance(storage, str) else str(Path(storage).resolve())
