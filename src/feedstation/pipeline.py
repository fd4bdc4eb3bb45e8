"""The one place that wires the stages: sources → fetch → parse → normalise → store → publish."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from feedstation import schedule
from feedstation.config import Config
from feedstation.fetch import Fetcher
from feedstation.icons import refresh_icons, stored_icons
from feedstation.lock import RunLock
from feedstation.models import FeedReport, FeedState, Fetched, FetchSettings, FetchStatus, Source
from feedstation.parse_pool import ParsePool, parse_and_normalize
from feedstation.publish.hexo import HexoReport, export_hexo
from feedstation.publish.site import SiteReport, build_site
from feedstation.store import Store

log = logging.getLogger(__name__)

# Below this many feeds, parsing in this process beats starting a process pool.
POOL_THRESHOLD = 24

Clock = Callable[[], datetime]
OnFeedDone = Callable[[FeedReport], None]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FetchRun:
    """What one fetch run did: a line per feed, plus how many feeds were not due yet."""

    reports: tuple[FeedReport, ...]
    skipped: int = 0
    retention_removed: int = 0

    @property
    def new(self) -> int:
        return sum(r.new for r in self.reports)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.reports)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.reports if r.status == "error")


@dataclass(frozen=True)
class PublishRun:
    """What publishing did; None for an output that is not configured."""

    hexo: HexoReport | None = None
    site: SiteReport | None = None


def run_lock(config: Config) -> RunLock:
    """The lock that keeps two runs off one database."""
    return RunLock(config.lock_path, f"the database {config.storage}")


def fetch_all(config: Config, store: Store, *, now: Clock = utc_now, force: bool = False,
              on_feed_done: OnFeedDone | None = None, on_start: Callable[[int], None] | None = None) -> FetchRun:
    """Fetch every due source, store what changed, record every failure. Never raises for a feed's failure."""
    sources = config.sources()
    feed_ids = store.sync_feeds(sources)
    states = store.feed_states()
    started = now()
    due = [s for s in sources if force or schedule.is_due(states.get(feed_ids[s.tree], FeedState()), started)]
    if on_start:
        on_start(len(due))
    work = [(s, feed_ids[s.tree], states.get(feed_ids[s.tree], FeedState())) for s in due]
    reports = asyncio.run(_fetch_and_store(work, config.fetch_settings(), store, now, on_feed_done))
    if config.site.icons:  # at most weekly per site; failures are recorded in the icons folder, never raised
        refresh_icons(store.iter_entries(), icons_folder(config), config.fetch_settings(), now())
    removed = 0
    if config.retention.max_age_days or config.retention.max_items_per_feed:
        removed = store.apply_retention(now(), max_age_days=config.retention.max_age_days,
                                        max_items_per_feed=config.retention.max_items_per_feed)
    return FetchRun(tuple(reports), skipped=len(sources) - len(due), retention_removed=removed)


async def _fetch_and_store(work: Sequence[tuple[Source, int, FeedState]], settings: FetchSettings, store: Store,
                           now: Clock, on_feed_done: OnFeedDone | None) -> list[FeedReport]:
    reports: list[FeedReport] = []
    pool = _parse_pool(len(work))
    try:
        async with Fetcher(settings) as fetcher:
            async def update_one(source: Source, feed_id: int, state: FeedState) -> None:
                # Each feed goes fetch → parse (pool) → store on its own, so parsing runs on
                # every core while other fetches wait on the network. Store calls are plain
                # synchronous calls on this one thread: one writer, one transaction per feed.
                fetched = await fetcher.fetch(source, state)
                report = await _store_result(fetched, feed_id, store, pool, now)
                log.info("%s: %s (+%d new, %d updated) in %.2fs%s", source.label, report.status,
                         report.new, report.updated, report.elapsed, f" — {report.error}" if report.error else "")
                reports.append(report)
                if on_feed_done:
                    on_feed_done(report)

            await asyncio.gather(*(update_one(*item) for item in work))
    finally:
        if pool is not None:
            pool.shutdown()
    return reports


async def _store_result(fetched: Fetched, feed_id: int, store: Store, pool: ParsePool | None, now: Clock) -> FeedReport:
    base = FeedReport(source=fetched.source, status=fetched.status.value, http_status=fetched.http_status,
                      elapsed=fetched.elapsed, served_by=fetched.served_by)
    if fetched.status is FetchStatus.NOT_MODIFIED:
        store.record_not_modified(feed_id, fetched, now())
        return base
    if fetched.status is FetchStatus.ERROR:
        store.record_failure(feed_id, fetched.error or "unknown error", now(), http_status=fetched.http_status,
                             retry_after=fetched.retry_after, served_by=fetched.served_by)
        return replace(base, error=fetched.error)
    fetch_time = now()
    args = (fetched.body, fetched.final_url or fetched.source.url, fetched.content_type, fetch_time,
            fetched.source.max_items)
    outcome = parse_and_normalize(*args) if pool is None else await pool.run(*args)
    if isinstance(outcome, str):
        store.record_failure(feed_id, outcome, fetch_time, http_status=fetched.http_status,
                             served_by=fetched.served_by)
        return replace(base, status="error", error=outcome)
    meta, entries = outcome
    new, updated = store.record_success(feed_id, fetched, meta, entries, fetch_time)
    return replace(base, new=new, updated=updated)


def _parse_pool(feed_count: int) -> ParsePool | None:
    cores = os.cpu_count() or 1
    if feed_count < POOL_THRESHOLD or cores < 2:
        return None
    return ParsePool(cores)


def resolved_sources(config: Config) -> list[Source]:
    """Sources with `rsshub:` routes spelled out against the first instance (for OPML and display)."""
    first = config.rsshub.instances[0] if config.rsshub.instances else None
    out = []
    for source in config.sources():
        if source.url.startswith("rsshub:") and first:
            source = replace(source, url=first + source.url[len("rsshub:"):])
        out.append(source)
    return out


def publish_all(config: Config, store: Store, *, now: Clock = utc_now) -> PublishRun:
    """Write the Hexo posts and/or the website (whichever is configured) from what is stored."""
    hexo = publish_hexo(config, store, config.output.hexo) if config.output.hexo is not None else None
    site = publish_site(config, store, config.output.site, now=now) if config.output.site is not None else None
    return PublishRun(hexo=hexo, site=site)


def publish_hexo(config: Config, store: Store, out_dir: Path) -> HexoReport:
    """Every stored entry as a Hexo post under `out_dir` (locked against a concurrent export)."""
    with RunLock(_output_lock(out_dir), f"the Hexo folder {out_dir}"):
        return export_hexo(store.iter_entries(), out_dir, disable_nunjucks=config.hexo.disable_nunjucks)


def publish_site(config: Config, store: Store, out_dir: Path, *, now: Clock = utc_now) -> SiteReport:
    """The static website under `out_dir` (locked against a concurrent build)."""
    with RunLock(_output_lock(out_dir), f"the site folder {out_dir}"):
        return build_site(list(store.iter_entries()), resolved_sources(config), out_dir, config.site_settings(),
                          now=now(), health=store.health(), icons=stored_icons(icons_folder(config)))


def icons_folder(config: Config) -> Path:
    """Where fetched site icons are kept: beside the database, in the data folder."""
    return config.data_dir / "icons"


def _output_lock(folder: Path) -> Path:
    # Beside the folder, not in it: the site folder is deployed as-is.
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.feedstation.lock"
