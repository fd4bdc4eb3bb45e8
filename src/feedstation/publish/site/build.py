"""The site build: compute the whole site as data, then render and write its outputs one at a time, then prune stale ones."""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedstation.models import Card, FeedHealth, FeedsOverview, SiteSettings, SkippedEntry, Source, StoredEntry
from feedstation.publish.site.context import SiteContext, build_context
from feedstation.publish.site.data import SiteData, site_data
from feedstation.publish.site.manifest import MANIFEST, FilesOnDisk, Manifest, manifest_bytes, read_manifest
from feedstation.publish.site.page_keys import PageKeys, card_row
from feedstation.publish.site.pages import (COUNTS_FILE, STATUS_PAGE, Kept, Output, PageRenderer, counts_script,
                                            html_pages, load_static)
from feedstation.publish.site.search import (BUNDLE_DIR, SHARDS_FILE, UI_FILES, ShardRuns, plan_shards,
                                             shard_fingerprint, shards_script)
from feedstation.publish.site.report import SiteReport
from feedstation.publish.site.status import ChannelDates, StatusReport, render_status_json, status_report
from feedstation.publish.site.syndication import feed_files, index_files
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

ICONS_DIR = "static/icons/"  # where the stored site icons are served from
STATUS_JSON = "status.json"


def build_site(entries: SiteData | Sequence[StoredEntry], sources: Sequence[Source], out_dir: Path,
               settings: SiteSettings, *,
               now: datetime, overview: FeedsOverview | None = None, health: Sequence[FeedHealth] = (),
               icons: Mapping[str, tuple[str, bytes]] | None = None, template_cache: Path | None = None) -> SiteReport:
    """Build the static site into `out_dir`; the same entries give the same bytes, so a no-change rebuild writes nothing.

    `overview` (the feeds' state) is shown only by a site with no entries, to say why it is empty.
    `health` is the store's feed health (`Store.health()`), shown on the status page; `icons` maps a
    site name to its stored icon (file name, bytes), copied to `static/icons/` (feedstation.icons).
    `template_cache` is a folder (in the data folder, never in the output) for compiled templates.
    """
    data = site_data(entries)
    icons = dict(icons or {})
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = fingerprint_code(settings)
    icon_digests = sorted((site, name, hashlib.blake2b(icon, digest_size=16).hexdigest())
                          for site, (name, icon) in icons.items())

    # Same inputs give the same bytes: a no-change rebuild renders nothing, and with a store that can say
    # "no card changed" (its marker) it does not even read the cards, nor more than the manifest's head.
    # The feeds' health is kept apart: every fetch moves it, and only the status page shows it.
    health_key = fingerprint_health(health)
    marker = data.marker()
    previous = None
    status_only = False  # the cards and everything else are as the last build left them; the health is not
    if marker is not None:
        inputs = fingerprint_inputs((), sources, settings, code, (icon_digests, overview, marker))
        head = read_manifest(out_dir, head_only=True)
        if inputs == head.inputs:
            there = FilesOnDisk(out_dir, head).all_there()
            if there is None:  # a folder was changed since: its files are listed in the manifest's body
                previous = read_manifest(out_dir)
                there = FilesOnDisk(out_dir, previous).all_there()
            if there and head.health == health_key:
                log.debug("site: the store's cards and every other input are unchanged; %d outputs kept",
                          head.file_count)
                return SiteReport(pages=head.file_count + 1, written=0, unchanged=head.file_count + 1, removed=0,
                                  left_out=head.left_out, read_nothing=True)
            # Only where the marker sees every write (SQLite): on PostgreSQL an entry edited by hand (a date
            # no page can show) moves no marker, and the full check below is what notices it.
            status_only = bool(there) and data.counts_writes()
    previous = previous or read_manifest(out_dir)
    on_disk = FilesOnDisk(out_dir, previous)
    if status_only and (kept := _kept_status_basis(previous)) is not None:
        # The cards are as the last build left them: its channel dates and nav make the status page.
        dates, nav, base = kept
        from markupsafe import Markup

        status = status_report(sources, health, dates)
        renderer = PageRenderer(_bare_context(settings, base), load_static(settings.theme_dir), template_cache)
        return _status_alone(out_dir, renderer.status_page(status, nav=Markup(nav)), status, previous, inputs=inputs,
                             health=health_key, left_out=previous.left_out, basis=previous.status_basis)

    def unchanged(inputs: str) -> bool:
        return inputs == previous.inputs and health_key == previous.health and on_disk.all_there()

    cards = list(data.cards())
    if marker is None:
        inputs = fingerprint_inputs(cards, sources, settings, code, (icon_digests, overview if not cards else None))
        if unchanged(inputs):
            log.debug("site: inputs unchanged, %d outputs kept", len(previous.files))
            return SiteReport(pages=len(previous.files) + 1, written=0, unchanged=len(previous.files) + 1,
                              removed=0, left_out=previous.left_out)

    # Phase one: the whole site as data (cards, not bodies), so indexes, neighbours and feeds see every item.
    ctx = build_context(_Known(data, cards), settings, overview, order=[source.tree for source in sources])
    # Left out: entries read but not showable, and rows that could not be read (reported as they were read).
    left_out = (*(SkippedEntry.of(card, reason) for card, reason in ctx.left_out), *data.skipped)
    ctx.icon_files.update({site: ICONS_DIR + name for site, (name, _icon) in icons.items()})
    static = load_static(settings.theme_dir)
    dates = ChannelDates.of(ctx)
    status = status_report(sources, health, dates)
    renderer = PageRenderer(ctx, static, template_cache)
    basis = {"base": ctx.base, "nav": str(renderer.nav((), "status")), "dates": dates.to_json()}
    if status_only:
        return _status_alone(out_dir, renderer.status_page(status), status, previous, inputs=inputs,
                             health=health_key, left_out=left_out, basis=basis)

    # Phase two: each output has a key, a digest of everything it is made from (page_keys.py); one whose
    # key and file are as the previous build left them is not even rendered (a build costs what changed).
    # The rest are rendered one at a time and handed straight to the one writer (atomic, path-guarded,
    # skips unchanged bytes, refuses a second write to a path): memory holds the cards and one page.
    writer = OutputWriter(out_dir)
    keys = PageKeys(ctx, code)

    def kept(path: str, key: str) -> bool:
        return previous.outputs.get(path) == key and path in on_disk

    outputs = _site_outputs(renderer, data, static, sources, status, keys, kept, now=now)
    icon_files = ((ICONS_DIR + name, None, icon) for name, icon in {n: d for n, d in icons.values()}.items())
    recorded: dict[str, str] = {}  # path → input key, for the next build
    search = _plan_search(on_disk, ctx, previous, keys.search_rows(), code)
    # Pagefind indexes each shard to do as soon as its pages are on disk, beside the rendering (search.py).
    runs = ShardRuns(writer.root, search.stale, jobs=os.cpu_count() or 1)
    try:
        owned = _write_each(writer, _with_finished_shards(itertools.chain(outputs, icon_files), runs), recorded)
        rendered = time.perf_counter()
        owned |= _write_each(writer, ((path, None, content) for path, content in runs.results()))
    finally:
        runs.close()
    owned |= search.kept
    if ctx.items:  # an empty site has no search (Pagefind refuses to index nothing)
        writer.write(SHARDS_FILE, shards_script(ctx.base, search.fingerprints))
        owned.add(SHARDS_FILE)
    removed = 0
    for path in sorted(previous.files - owned):  # a shard indexes only its listed pages: order does not matter
        removed += writer.remove(path)
    shards = search.fingerprints

    # The entries left out are kept too: a no-change rebuild renders nothing, yet must report them again.
    writer.write(MANIFEST, manifest_bytes(out_dir, inputs=inputs, health=health_key, shards=shards, outputs=recorded,
                                          files=owned, left_out=left_out, status_basis=basis))
    log.debug("site: rendered and wrote %d outputs (%d changed) in %.2fs, search and pruning took %.2fs", len(owned),
              len(writer.written), rendered - started, time.perf_counter() - rendered)
    # Every owned file is either written by this build or left as it was (compared equal, or an
    # output / search shard not even rendered): the parts add up to the whole (issue 12.5).
    pages = len(owned) + 1  # + the manifest
    return SiteReport(pages=pages, written=len(writer.written), unchanged=pages - len(writer.written), removed=removed,
                      written_paths=tuple(sorted(writer.written)), left_out=left_out)


@dataclass(frozen=True)
class _SearchPlan:
    """The search shards: each one's fingerprint, the ones to index (name → page paths), the files kept."""

    fingerprints: dict[str, str]
    stale: dict[str, list[str]]
    kept: set[str]


def _plan_search(on_disk: FilesOnDisk, ctx: SiteContext, previous: Manifest,
                 search_rows: dict[str, str], code: str) -> _SearchPlan:
    """Which shards Pagefind must index: those whose indexed text changed (or whose bundle is gone).

    Pagefind rewrites a whole bundle on every run, so a shard whose fingerprint matches the previous
    build's is not run: a no-change rebuild indexes nothing, and a new item re-indexes one small shard.
    """
    if not ctx.items:
        return _SearchPlan({}, {}, set())  # Pagefind exits with an error on a site with no pages to index
    kept: set[str] = set()
    fingerprints: dict[str, str] = {}
    ui_paths = {BUNDLE_DIR + name for name in UI_FILES}
    ui_missing = not _files_intact(on_disk, ui_paths, previous.files)
    previous_by_shard: dict[str, set[str]] = {}
    for path in previous.files:
        if path.startswith(BUNDLE_DIR) and path.count("/") >= 2:
            previous_by_shard.setdefault(path.split("/", 2)[1], set()).add(path)
    stale: dict[str, list[str]] = {}
    for number, (name, page_paths) in enumerate(plan_shards(ctx.items).items()):
        fingerprints[name] = fingerprint = shard_fingerprint(page_paths, search_rows, code)
        old = previous_by_shard.get(name, set())
        unchanged = fingerprint == previous.shards.get(name) and _files_intact(on_disk, old, previous.files)
        if unchanged and not (ui_missing and number == 0):  # a lost UI file comes back with the newest shard
            kept |= old
        else:
            stale[name] = page_paths
    if not stale:
        kept |= ui_paths  # no shard runs and the UI files are intact (checked above)
    return _SearchPlan(fingerprints, stale, kept)


def _site_outputs(renderer: PageRenderer, data: SiteData, static: dict[str, bytes], sources: Sequence[Source],
                  status: StatusReport, keys: PageKeys, kept: Kept, *, now: datetime) -> Iterator[Output]:
    """Every output of the site except the search bundle, as (path, key, bytes), made as it is asked for."""
    ctx = renderer.ctx
    yield from html_pages(renderer, data, status, keys, kept)
    yield STATUS_JSON, None, render_status_json(status)
    yield COUNTS_FILE, None, counts_script(ctx)
    yield from ((f"static/{name}", None, asset) for name, asset in static.items())
    yield from feed_files(ctx, data, keys, kept, now=now)
    yield from index_files(ctx, sources, keys, kept, now=now)


def _write_each(writer: OutputWriter, outputs: Iterable[Output], recorded: dict[str, str] | None = None) -> set[str]:
    """Write outputs as they come, one at a time (None bytes: the file on disk is already right); returns
    their paths and records each keyed output's key in `recorded`.

    One thread: measured faster than 8 writer threads on a 2-core machine, where the
    threads mostly fought over the GIL with rendering (see bench/site_build.py).
    """
    paths: set[str] = set()
    for path, key, content in outputs:
        paths.add(path)
        if key is not None and recorded is not None:
            recorded[path] = key
        if content is not None:
            writer.write(path, content)
    return paths


def _with_finished_shards(outputs: Iterable[Output], runs: ShardRuns) -> Iterator[Output]:
    """The outputs, each item page told to the search runs once it is on disk (the writer has taken it when
    the next output is asked for), and the files of the shards finished meanwhile in between."""
    for output in outputs:
        yield output
        if output[0].startswith("item/"):
            runs.page_on_disk(output[0])
            yield from ((path, None, content) for path, content in runs.finished())


def _status_alone(out_dir: Path, page: bytes, status: StatusReport, previous: Manifest, *, inputs: str, health: str,
                  left_out: tuple[SkippedEntry, ...], basis: Mapping) -> SiteReport:
    """Only the feeds' health changed since the last build (a run whose feeds had nothing new): the status
    page and status.json are written; every other output is as that build left it, so no key is computed."""
    writer = OutputWriter(out_dir)
    writer.write(STATUS_PAGE, page)
    writer.write(STATUS_JSON, render_status_json(status))
    writer.write(MANIFEST, manifest_bytes(out_dir, inputs=inputs, health=health, shards=previous.shards,
                                          outputs=previous.outputs, files=previous.files, left_out=left_out,
                                          status_basis=basis))
    pages = len(previous.files) + 1
    return SiteReport(pages=pages, written=len(writer.written), unchanged=pages - len(writer.written), removed=0,
                      written_paths=tuple(sorted(writer.written)), left_out=left_out)


def _kept_status_basis(previous: Manifest) -> tuple[ChannelDates, str, str] | None:
    """The channel dates, status nav and URL base the last build kept, if it kept them whole."""
    basis = previous.status_basis
    try:
        nav, base = basis["nav"], basis["base"]
        if not isinstance(nav, str) or not isinstance(base, str):
            return None
        return ChannelDates.from_json(basis["dates"]), nav, base
    except (KeyError, TypeError, ValueError):
        return None


def _bare_context(settings: SiteSettings, base: str) -> SiteContext:
    """A context with the site's settings and nothing of its cards: enough for the status page's renderer,
    which is given the nav the last build rendered."""
    return SiteContext(settings=settings, base=base, items=[], sections={}, months={}, neighbours={})


def fingerprint_health(health: Sequence[FeedHealth]) -> str:
    """A hash of the feeds' health as the status page shows it."""
    return hashlib.blake2b(repr(list(health)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fingerprint_code(settings: SiteSettings) -> str:
    """A hash of what every page depends on besides the entries: settings, templates, assets and this code."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr(settings).encode("utf-8", "surrogatepass"))
    for folder in _code_and_theme_folders(settings):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.as_posix().encode("utf-8", "surrogatepass"))
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _Known:
    """SiteData whose cards were already read (the fingerprint needed them first)."""

    def __init__(self, data: SiteData, cards: list[Card]):
        self._data, self._cards = data, cards
        self.story_groups, self.bodies, self.marker, self.skipped = (data.story_groups, data.bodies, data.marker,
                                                                     data.skipped)
        self.counts_writes = data.counts_writes

    def cards(self) -> list[Card]:
        return self._cards


def fingerprint_inputs(entries: Sequence[Card], sources: Sequence[Source], settings: SiteSettings,
                       code: str, extra: object = ()) -> str:
    """A hash of everything the output depends on: entries, sources, and `fingerprint_code`.

    `now` is left out on purpose: it only matters for an empty site's feeds.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(code.encode())
    digest.update(repr(sorted(sources, key=lambda s: (s.tree, s.url))).encode("utf-8", "surrogatepass"))
    digest.update(repr(extra).encode("utf-8", "surrogatepass"))  # feed health and icons, in a stable order
    # Not repr(entry): on 20k entries that re-reads ~100 MB of HTML on every no-change build.
    rows = sorted(card_row(e) for e in entries)  # order-independent, like the build
    digest.update("\x1e".join(rows).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _code_and_theme_folders(settings: SiteSettings) -> list[Path]:
    package = Path(__file__).resolve().parents[2]  # src/feedstation
    folders = [package / "publish", package / "templates", package / "static"]
    if settings.theme_dir:
        folders.append(Path(settings.theme_dir))
    return [f for f in folders if f.is_dir()]


def _files_intact(on_disk: FilesOnDisk, files: set[str], previous_files: frozenset[str]) -> bool:
    """True when `files` is not empty, was owned by the previous build and is all still on disk."""
    return bool(files) and files <= previous_files and all(path in on_disk for path in files)
