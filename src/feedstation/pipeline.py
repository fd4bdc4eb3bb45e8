"""The one place that wires the stages: sources → fetch → parse → normalise → store → publish."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from feedstation import outage, schedule
from feedstation.config import Config
from feedstation.errors import CatalogError, StoreError
from feedstation.filters import Screen
from feedstation.group_commit import GroupCommit
from feedstation.lock import FolderLock, RunLock
from feedstation.models import FeedHealth, FeedReport, FeedState, Fetched, FetchSettings, FetchStatus, SkippedEntry, Source
from feedstation.store import Store
from feedstation.store.advisory_lock import DatabaseRunLock, shown_url
from feedstation.skipped_rows import SkippedRows
from feedstation.store.writes import NotModifiedWrite, SuccessWrite

if TYPE_CHECKING:
    from feedstation.catalog import Catalog
    from feedstation.parse_pool import ParsePool
    from feedstation.publish.hexo import HexoReport
    from feedstation.publish.site import SiteReport

# Each stage's modules are imported where the stage starts, so a run imports only what it uses: a run
# where every feed answers 304 never imports the parsers, `feedstation fetch` never imports Jinja2 or
# the site builder, and a run with nothing due never imports aiohttp (see docs/architecture.md, Startup).

log = logging.getLogger(__name__)

# Below this many feeds, parsing in this process beats starting a process pool.
POOL_THRESHOLD = 24

Clock = Callable[[], datetime]
OnFeedDone = Callable[[FeedReport], None]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FetchRun:
    """What one fetch run did: a line per feed, plus how many feeds were not due yet and when the first is."""

    reports: tuple[FeedReport, ...]
    skipped: int = 0
    retention_removed: int = 0
    lists_failed: tuple[str, ...] = ()  # remote OPML lists that could not be refreshed, with the reason
    next_due: datetime | None = None  # earliest next attempt among the skipped feeds
    remote: int = 0  # feeds fetched over the network (http(s) and rsshub:), not local files

    @property
    def common_failure(self) -> outage.CommonNetworkFailure | None:
        """The network failure most feeds share (no network? DNS down?), if any."""
        return outage.common_network_failure(self.reports, self.remote)

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
    skipped: tuple[SkippedEntry, ...] = ()  # stored rows left out because they cannot be read or rendered


def run_lock(config: Config) -> RunLock | DatabaseRunLock:
    """The lock that keeps two runs off one database.

    SQLite: a file beside it, removed when the run ends. PostgreSQL: an advisory lock in the database
    itself, so runs on other hosts or from other config folders sharing that database are kept apart too.
    """
    if isinstance(config.storage, str) and config.storage.startswith("postgresql"):
        return DatabaseRunLock(config.storage, f"the database {shown_url(config.storage)}")
    return RunLock(config.lock_path, f"the database {config.storage}")


def fetch_all(config: Config, store: Store, *, now: Clock = utc_now, force: bool = False,
              on_feed_done: OnFeedDone | None = None, on_start: Callable[[int], None] | None = None) -> FetchRun:
    """Fetch every due source, store what changed, record every failure. Never raises for a feed's failure."""
    lists_failed = refresh_opml_lists(config)
    sources = config.sources()
    feed_ids = store.sync_feeds(sources)
    states = store.feed_states()
    started = now()
    due = [s for s in sources if force or schedule.is_due(states.get(feed_ids[s.tree], FeedState()), started)]
    due_trees = {s.tree for s in due}
    waiting = [states.get(feed_ids[s.tree], FeedState()).next_attempt_at for s in sources if s.tree not in due_trees]
    if on_start:
        on_start(len(due))
    work = [(s, feed_ids[s.tree], states.get(feed_ids[s.tree], FeedState())) for s in due]
    plain = config.fetch_config  # plain values: a cached config never builds its pydantic model here
    if plain.executor == "celery":  # batches per host on `feedstation worker` processes
        from feedstation.distributed.coordinator import fetch_on_workers

        reports = fetch_on_workers(config, store, work, now, on_feed_done) if work else []
    else:
        reports = asyncio.run(_fetch_and_store(work, config.fetch_settings(), store, now, on_feed_done,
                                               _route_catalog(config))) if work else []
    if plain.icons:  # at most weekly per site; failures are recorded in the icons folder, never raised
        from feedstation.icons import refresh_icons

        refresh_icons(store.iter_entries(), icons_folder(config), config.fetch_settings(), now())
    removed = 0
    if plain.max_age_days or plain.max_items_per_feed:
        removed = store.apply_retention(now(), max_age_days=plain.max_age_days,
                                        max_items_per_feed=plain.max_items_per_feed)
    return FetchRun(tuple(reports), skipped=len(sources) - len(due), retention_removed=removed,
                    next_due=min((w for w in waiting if w is not None), default=None),
                    remote=sum(1 for s in due if is_remote(s)), lists_failed=lists_failed)


def is_remote(source: Source) -> bool:
    """True for a source fetched over the network (http(s) or rsshub:), False for a local file."""
    return source.url.startswith(("rsshub:", "http://", "https://"))


def refresh_opml_lists(config: Config) -> tuple[str, ...]:
    """Download the remote OPML lists in `sources` (a failed one keeps its last good copy); re-read the local ones."""
    grafts = config.opml_grafts()
    if not grafts:
        return ()
    from feedstation.importers.opml_sources import refresh_remote_lists

    results = refresh_remote_lists(grafts, config.opml_cache_dir, config.fetch_settings())
    config.forget_sources()  # the next sources() reads every list again
    return tuple(f"{r.url}: {r.error}" for r in results if not r.ok)


async def _fetch_and_store(work: Sequence[tuple[Source, int, FeedState]], settings: FetchSettings, store: Store,
                           now: Clock, on_feed_done: OnFeedDone | None,
                           catalog: Catalog | None = None, *, parse_pool: bool = True,
                           record_unreached: bool = True) -> list[FeedReport]:
    """Fetch → parse → store each of `work`. A distributed worker runs one host's batch with
    `parse_pool=False` (its processes are the parallelism) and `record_unreached=False` (the run
    that enqueued every batch decides whether the network was down, then records those failures)."""
    reports: list[FeedReport] = []
    # Failures that never reached a server are stored after every feed is in: only then is it
    # known whether the whole network was down (no back-off) or the feed failed alone.
    unreached: list[tuple[int, Fetched]] = []
    from feedstation.fetch import Fetcher

    pool = PoolOnDemand(len(work) if parse_pool else 0)  # 0: never a pool (a worker's processes are the parallelism)
    writes = GroupCommit(store)
    try:
        async with Fetcher(settings) as fetcher:
            async def update_one(source: Source, feed_id: int, state: FeedState) -> None:
                # Each feed goes fetch → parse (pool) → store on its own, so parsing runs on
                # every core while other fetches wait on the network. Store calls are plain
                # synchronous calls on this one thread: one writer, one transaction per feed.
                fetched = _with_route_hint(await fetcher.fetch(source, state), catalog)
                if fetched.network_failure is not None:
                    unreached.append((feed_id, fetched))
                    report = _report(fetched)
                else:
                    try:
                        report = await _store_result(fetched, feed_id, store, writes, pool, now)
                    except StoreError as exc:
                        # The database failed for this feed (lost connection, a server restart): that is
                        # this feed's failure, recorded if the database lets us, and the run goes on.
                        report = _database_failure(fetched, feed_id, store, now, exc)
                    if source.full_text and report.status in ("ok", "not_modified"):
                        # Its own step (full_text/step.py): pages of the new items; never fails the feed.
                        from feedstation.full_text import fill_full_text

                        await fill_full_text(fetcher, store, feed_id, source.label, now())
                log.info("%s: %s (+%d new, %d updated) in %.2fs%s", source.label, report.status,
                         report.new, report.updated, report.elapsed, f" — {report.error}" if report.error else "")
                reports.append(report)
                if on_feed_done:
                    on_feed_done(report)

            await asyncio.gather(*(update_one(*item) for item in work))
    finally:
        pool.shutdown()
    if not record_unreached:
        return reports
    down = outage.network_down(reports, sum(1 for source, _id, _state in work if is_remote(source)))
    if down:
        log.info("every remote feed failed to reach its server: the network looks down; no feed backs off")
    for feed_id, fetched in unreached:
        try:
            store.record_failure(feed_id, fetched.error or "unknown error", now(), http_status=fetched.http_status,
                                 retry_after=fetched.retry_after, served_by=fetched.served_by, back_off=not down)
        except StoreError as exc:
            log.warning("%s: could not record its failure: %s", fetched.source.label, exc)
    return reports


def _route_catalog(config: Config) -> Catalog | None:
    """The cached RSSHub route catalog when there is one (it only improves 404 messages here)."""
    if not any(s.url.startswith("rsshub:") for s in config.sources()):
        return None
    from feedstation.catalog import load_catalog

    try:
        return load_catalog(config.catalog_path)
    except CatalogError:
        return None


def _with_route_hint(fetched: Fetched, catalog: Catalog | None) -> Fetched:
    """An RSSHub 404 (the route does not exist) names the closest live routes from the catalog, or says
    how to get the catalog that can."""
    url = fetched.source.url
    if fetched.status is not FetchStatus.ERROR or not url.startswith("rsshub:"):
        return fetched
    if fetched.http_status != 404 and "404 — " not in (fetched.error or ""):
        return fetched
    if catalog is None:
        hint = "; run `feedstation routes update` to have the closest live routes named here"
    else:
        from feedstation.catalog import closest_routes_hint

        hint = closest_routes_hint(catalog, url[len("rsshub:"):])
    return replace(fetched, error=(fetched.error or "") + hint)


def _report(fetched: Fetched) -> FeedReport:
    return FeedReport(source=fetched.source, status=fetched.status.value, http_status=fetched.http_status,
                      elapsed=fetched.elapsed, served_by=fetched.served_by, error=fetched.error,
                      network_failure=fetched.network_failure)


async def _store_result(fetched: Fetched, feed_id: int, store: Store, writes: GroupCommit, pools: PoolOnDemand,
                        now: Clock) -> FeedReport:
    base = replace(_report(fetched), error=None)
    if fetched.status is FetchStatus.NOT_MODIFIED:
        await writes.write(NotModifiedWrite(feed_id, fetched, now()))
        return base
    if fetched.status is FetchStatus.ERROR:
        store.record_failure(feed_id, fetched.error or "unknown error", now(), http_status=fetched.http_status,
                             retry_after=fetched.retry_after, served_by=fetched.served_by)
        return replace(base, error=fetched.error)
    from feedstation.parse_pool import parse_and_normalize

    fetch_time = now()
    args = (fetched.body, fetched.final_url or fetched.source.url, fetched.content_type, fetch_time,
            fetched.source.max_items)
    pool = pools.get()
    outcome = parse_and_normalize(*args) if pool is None else await pool.run(*args)
    if isinstance(outcome, str):
        store.record_failure(feed_id, outcome, fetch_time, http_status=fetched.http_status,
                             served_by=fetched.served_by)
        return replace(base, status="error", error=outcome)
    meta, entries = outcome
    new, updated = await writes.write(SuccessWrite(feed_id, fetched, meta, entries, fetch_time))
    return replace(base, new=new, updated=updated)


def _database_failure(fetched: Fetched, feed_id: int, store: Store, now: Clock, exc: StoreError) -> FeedReport:
    error = str(exc)
    try:
        store.record_failure(feed_id, error, now(), http_status=fetched.http_status, served_by=fetched.served_by)
    except StoreError as again:
        log.warning("%s: could not record its failure either: %s", fetched.source.label, again)
    return FeedReport(source=fetched.source, status="error", http_status=fetched.http_status,
                      elapsed=fetched.elapsed, served_by=fetched.served_by, error=error)


class PoolOnDemand:
    """The parse pool, started when the first body to parse arrives: a run of 304s starts no processes."""

    def __init__(self, feed_count: int) -> None:
        self._feed_count = feed_count
        self._pool: ParsePool | None = None
        self._started = False

    def get(self) -> ParsePool | None:
        if not self._started:
            self._started = True
            self._pool = _parse_pool(self._feed_count)
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


def _parse_pool(feed_count: int) -> ParsePool | None:
    cores = os.cpu_count() or 1
    if feed_count < POOL_THRESHOLD or cores < 2:
        return None
    from feedstation.parse_pool import ParsePool

    return ParsePool(cores)


def resolved_sources(config: Config, served_by: dict[tuple[str, str, str], str | None] | None = None) -> list[Source]:
    """Sources with `rsshub:` routes spelled out (for OPML and display) against the instance that last
    served each one (`served_by`, from the store), else the first instance."""
    instances = config.fetch_config.settings.rsshub_instances  # plain data: no model built for it (a publish)
    out = []
    for source in config.sources():
        if source.url.startswith("rsshub:") and instances:
            last = (served_by or {}).get(source.tree)
            instance = last if last in instances else instances[0]
            source = replace(source, url=instance + source.url[len("rsshub:"):])
        out.append(source)
    return out


def served_instances(store: Store) -> dict[tuple[str, str, str], str | None]:
    """Each feed's last serving instance, by tree position."""
    return served_by_tree(store.health())


def served_by_tree(health: Sequence[FeedHealth]) -> dict[tuple[str, str, str], str | None]:
    return {(h.category, h.site, h.channel): h.served_by for h in health}


def publish_all(config: Config, store: Store, *, now: Clock = utc_now) -> PublishRun:
    """Write the Hexo posts and/or the website (whichever is configured) from what is stored.

    A stored row that cannot be read, or that a publisher cannot render, is left out and listed in
    `skipped` (and in `feedstation status`); it never stops the rest from being published.
    """
    skipped = SkippedRows()
    hexo = site = None
    if config.output.hexo is not None:
        hexo = publish_hexo(config, store, config.output.hexo, skipped=skipped, now=now)
    if config.output.site is not None:
        site = publish_site(config, store, config.output.site, skipped=skipped, now=now)
    return PublishRun(hexo=hexo, site=site, skipped=skipped.rows)


def publish_hexo(config: Config, store: Store, out_dir: Path, *, skipped: SkippedRows | None = None,
                 now: Clock = utc_now) -> HexoReport:
    """Every readable stored entry in the `hexo.keep` window as a Hexo post under `out_dir`
    (locked against a concurrent export); with `hexo.dedupe`, one post per story (its earliest copy)."""
    skipped = SkippedRows() if skipped is None else skipped
    from feedstation.publish.hexo import export_hexo
    from feedstation.publish.hexo_window import entries_in_window

    screen = Screen(config.filters)
    with FolderLock(out_dir, f"the Hexo folder {out_dir}"):
        # Hidden entries are not exported, so a post of one that became hidden is removed like
        # any post feedstation wrote whose entry is gone; the window counts shown entries only.
        stored = screen.shown(store.iter_entries(on_skip=skipped.add))
        if config.hexo.dedupe:  # among the shown entries: a hidden copy never stands for its story
            from feedstation.dedupe import one_per_story

            stored = one_per_story(list(stored))
        entries = entries_in_window(stored, config.hexo_window(), now())
        report = export_hexo(entries, out_dir, options=config.hexo_options())
    for entry in report.left_out:  # read, but no post can be written for it
        skipped.add(entry)
    store.set_hidden(screen.changes)
    store.record_skipped(skipped.rows, now())
    return report


def publish_site(config: Config, store: Store, out_dir: Path, *, skipped: SkippedRows | None = None,
                 now: Clock = utc_now) -> SiteReport:
    """The static website under `out_dir` from every readable entry (locked against a concurrent build).

    The cards of new and changed entries are made first (judged by the filters, compared for copies of
    one story); the build then reads cards, and bodies only for the pages it renders.
    """
    from feedstation.cards.refresh import refresh_cards
    from feedstation.cards.store_data import StoreData
    from feedstation.icons import stored_icons
    from feedstation.publish.site import build_site, build_stamp

    skipped = SkippedRows() if skipped is None else skipped
    settings = config.site_settings()
    with FolderLock(out_dir, f"the site folder {out_dir}"):
        refresh_cards(store, config.filters, skipped.add)  # entries the filters hide get no page, feed or index
        # What this build is made from, for the next `feedstation build` to compare before any import.
        stamp = build_stamp.take(config, out_dir, theme_dir=settings.theme_dir)
        build_stamp.forget(config, out_dir)
        health = store.health()
        report = build_site(StoreData(store, config.filters, skipped.add),
                            resolved_sources(config, served_by_tree(health)), out_dir,
                            settings, now=now(), overview=outage.feeds_overview(health),
                            health=health, icons=stored_icons(icons_folder(config)),
                            template_cache=config.data_dir / "template-cache")
        build_stamp.record(config, out_dir, stamp)
    for entry in report.left_out:  # read, but the site cannot show it
        skipped.add(entry)
    store.record_skipped(skipped.rows, now())
    return report


def icons_folder(config: Config) -> Path:
    """Where fetched site icons are kept: beside the database, in the data folder."""
    return config.data_dir / "icons"

