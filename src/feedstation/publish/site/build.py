"""The site build: compute the whole site as data, then render and write its outputs one at a time, then prune stale ones."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime
from pathlib import Path

from feedstation.models import FeedHealth, FeedsOverview, SiteSettings, SkippedEntry, Source, StoredEntry
from feedstation.publish.site.context import Item, SiteContext, build_context
from feedstation.publish.site.pages import COUNTS_FILE, counts_script, html_pages, load_static
from feedstation.publish.site.search import (BUNDLE_DIR, SHARDS_FILE, UI_FILES, index_shards, plan_shards,
                                             shard_fingerprint, shards_script)
from feedstation.publish.site.status import StatusReport, render_status_json, status_report
from feedstation.publish.site.syndication import feed_files, index_files
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

MANIFEST = ".feedstation-site.json"
ICONS_DIR = "static/icons/"  # where the stored site icons are served from


@dataclass(frozen=True)
class SiteReport:
    """What one build did. `pages`: files the site owns after it, each either `written` or `unchanged`;
    `removed`: files of the previous build that are gone (not part of `pages`)."""

    pages: int
    written: int
    unchanged: int
    removed: int
    written_paths: tuple[str, ...] = ()  # sorted; what a deploy or a test needs to know changed
    left_out: tuple[SkippedEntry, ...] = ()  # entries the site cannot show (issue 11), reported like unreadable rows


def build_site(entries: Sequence[StoredEntry], sources: Sequence[Source], out_dir: Path, settings: SiteSettings, *,
               now: datetime, overview: FeedsOverview | None = None, health: Sequence[FeedHealth] = (),
               icons: Mapping[str, tuple[str, bytes]] | None = None) -> SiteReport:
    """Build the static site into `out_dir`; the same entries give the same bytes, so a no-change rebuild writes nothing.

    `overview` (the feeds' state) is shown only by a site with no entries, to say why it is empty.
    `health` is the store's feed health (`Store.health()`), shown on the status page; `icons` maps a
    site name to its stored icon (file name, bytes), copied to `static/icons/` (feedstation.icons).
    """
    icons = dict(icons or {})
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out_dir)
    code = fingerprint_code(settings)
    icon_digests = sorted((site, name, hashlib.blake2b(data, digest_size=16).hexdigest())
                          for site, (name, data) in icons.items())
    inputs = fingerprint_inputs(entries, sources, settings, code,
                                (health, icon_digests, overview if not entries else None))
    if inputs == previous.inputs and previous.files and all((out_dir / path).is_file() for path in previous.files):
        # Same inputs give the same bytes: skip rendering, not just writing (no-change rebuild).
        log.debug("site: inputs unchanged, %d outputs kept", len(previous.files))
        return SiteReport(pages=len(previous.files) + 1, written=0, unchanged=len(previous.files) + 1, removed=0,
                          left_out=previous.left_out)

    # Phase one: the whole site as data, so indexes, neighbours and feeds see every item.
    ctx = build_context(entries, settings, overview)
    left_out = tuple(SkippedEntry.of(entry, reason) for entry, reason in ctx.left_out)
    ctx.icon_files.update({site: ICONS_DIR + name for site, (name, _data) in icons.items()})
    static = load_static(settings.theme_dir)

    # Phase two: render each output and hand it straight to the one writer (atomic,
    # path-guarded, skips unchanged bytes, refuses a second write to a path). Memory holds
    # the context and one page, not the site: 20k items make ≈1.5 GB of pages and feeds.
    writer = OutputWriter(out_dir)
    # An item page whose own inputs (entry, neighbours, tree, templates, settings) match the
    # previous build's is not even rendered: with 20k items most of a rebuild is item pages.
    shape = tree_shape(ctx)
    item_keys = {item.path: item_page_key(ctx, item, code, shape) for item in ctx.items}

    def kept(item: Item) -> bool:
        before = previous.item_pages.get(item.path)
        return before is not None and before[0] == item_keys[item.path] and (out_dir / item.path).is_file()

    page_digests: dict[str, str] = {}  # item page → hash of its bytes, for the search shards
    status = status_report(sources, health, ctx)
    outputs = _site_outputs(ctx, static, sources, status, now=now, kept=kept)
    icon_files = ((ICONS_DIR + name, data) for name, data in {n: d for n, d in icons.values()}.items())
    owned = _write_each(writer, itertools.chain(outputs, icon_files), page_digests,
                        previous_digests={path: digest for path, (_key, digest) in previous.item_pages.items()})
    rendered = time.perf_counter()
    removed = 0
    # Stale pages go before Pagefind runs, so a deleted item leaves the search index too.
    for path in sorted(p for p in previous.files - owned if not p.startswith(BUNDLE_DIR)):
        removed += writer.remove(path)
    search_files, shards = _write_search(writer, out_dir, ctx, previous, page_digests)
    owned |= search_files
    for path in sorted(p for p in previous.files - owned if p.startswith(BUNDLE_DIR)):
        removed += writer.remove(path)

    item_pages = {path: [key, page_digests[path]] for path, key in item_keys.items() if path in page_digests}
    # The entries left out are kept too: a no-change rebuild renders nothing, yet must report them again.
    manifest = json.dumps({"version": 2, "inputs": inputs, "search_shards": shards, "item_pages": item_pages,
                           "files": sorted(owned), "left_out": [list(astuple(s)) for s in left_out]},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    writer.write(MANIFEST, manifest + b"\n")
    log.debug("site: rendered and wrote %d outputs (%d changed) in %.2fs, search and pruning took %.2fs", len(owned),
              len(writer.written), rendered - started, time.perf_counter() - rendered)
    # Every owned file is either written by this build or left as it was (compared equal, or an
    # item page / search shard not even re-rendered): the parts add up to the whole (issue 12.5).
    pages = len(owned) + 1  # + the manifest
    return SiteReport(pages=pages, written=len(writer.written), unchanged=pages - len(writer.written), removed=removed,
                      written_paths=tuple(sorted(writer.written)), left_out=left_out)


def _write_search(writer: OutputWriter, out_dir: Path, ctx: SiteContext, previous: _Manifest,
                  page_digests: dict[str, str]) -> tuple[set[str], dict[str, str]]:
    """Run Pagefind for each month shard whose pages changed (or whose bundle is gone); keep the others.

    Returns the search files the site owns and each shard's fingerprint for the manifest.
    Pagefind rewrites a whole bundle on every run, so a shard whose fingerprint matches
    the previous build's is not re-run: a no-change rebuild writes nothing, and a new
    item re-indexes one or two months, not the site.
    """
    if not ctx.items:
        return set(), {}  # Pagefind exits with an error on a site with no pages to index
    owned: set[str] = set()
    fingerprints: dict[str, str] = {}
    ui_paths = {BUNDLE_DIR + name for name in UI_FILES}
    ui_missing = not _files_intact(out_dir, ui_paths, previous.files)
    previous_by_shard: dict[str, set[str]] = {}
    for path in previous.files:
        if path.startswith(BUNDLE_DIR) and path.count("/") >= 2:
            previous_by_shard.setdefault(path.split("/", 2)[1], set()).add(path)
    stale: dict[str, list[str]] = {}
    for number, (name, page_paths) in enumerate(plan_shards(ctx.items).items()):
        fingerprints[name] = fingerprint = shard_fingerprint(page_paths, page_digests)
        old = previous_by_shard.get(name, set())
        kept = fingerprint == previous.shards.get(name) and _files_intact(out_dir, old, previous.files)
        if kept and not (ui_missing and number == 0):  # a lost UI file comes back with the newest shard
            owned |= old
        else:
            stale[name] = page_paths
    # Each Pagefind run keeps about one core busy: run as many at once as there are cores.
    owned |= _write_each(writer, index_shards(out_dir, stale, jobs=os.cpu_count() or 1))
    if not stale:
        owned |= ui_paths  # no shard ran and the UI files are intact (checked above)
    writer.write(SHARDS_FILE, shards_script(ctx.base, fingerprints))
    owned.add(SHARDS_FILE)
    return owned, fingerprints


def _site_outputs(ctx: SiteContext, static: dict[str, bytes], sources: Sequence[Source], status: StatusReport, *,
                  now: datetime, kept: Callable[[Item], bool]) -> Iterator[tuple[str, bytes | None]]:
    """Every output of the site except the search bundle, as (path, bytes), made as it is asked for."""
    yield from html_pages(ctx, static, status, kept)
    yield "status.json", render_status_json(status)
    yield COUNTS_FILE, counts_script(ctx)
    yield from ((f"static/{name}", data) for name, data in static.items())
    yield from feed_files(ctx, now=now)
    yield from index_files(ctx, sources, now=now).items()


def _write_each(writer: OutputWriter, outputs: Iterable[tuple[str, bytes | None]],
                page_digests: dict[str, str] | None = None, previous_digests: Mapping[str, str] | None = None) -> set[str]:
    """Write outputs as they come, one at a time; returns their paths and notes item pages' hashes in `page_digests`.

    `None` bytes mean "kept as it is on disk" (an item page that was not re-rendered); its
    hash comes from the previous manifest.

    One thread: measured faster than 8 writer threads on a 2-core machine, where the
    threads mostly fought over the GIL with rendering (see bench/site_build.py).
    """
    paths: set[str] = set()
    for path, data in outputs:
        paths.add(path)
        if data is None:
            if page_digests is not None and previous_digests is not None:
                page_digests[path] = previous_digests[path]
            continue
        writer.write(path, data)
        if page_digests is not None and path.startswith("item/"):
            page_digests[path] = hashlib.blake2b(data, digest_size=16).hexdigest()
    return paths


@dataclass(frozen=True)
class _Manifest:
    """What the previous build left: the files it owned, its input fingerprint, its search shards' fingerprints."""

    files: frozenset[str] = frozenset()
    inputs: str | None = None
    shards: Mapping[str, str] = field(default_factory=dict)
    item_pages: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # path → (input key, bytes hash)
    left_out: tuple[SkippedEntry, ...] = ()


def _read_manifest(out_dir: Path) -> _Manifest:
    """The previous build's manifest; damaged or missing means "none"."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        inputs, shards, items = data.get("inputs"), data.get("search_shards"), data.get("item_pages")
        return _Manifest(files=frozenset(p for p in data["files"] if isinstance(p, str)),
                         inputs=inputs if isinstance(inputs, str) else None,
                         shards={k: v for k, v in shards.items() if isinstance(v, str)} if isinstance(shards, dict) else {},
                         item_pages={p: (v[0], v[1]) for p, v in items.items()
                                     if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)}
                         if isinstance(items, dict) else {},
                         left_out=tuple(SkippedEntry(*row) for row in data.get("left_out", ())))
    except FileNotFoundError:
        return _Manifest()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): stale pages from the previous build will stay", out_dir / MANIFEST, exc)
        return _Manifest()


def fingerprint_code(settings: SiteSettings) -> str:
    """A hash of what every page depends on besides the entries: settings, templates, assets and this code."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr(settings).encode("utf-8", "surrogatepass"))
    for folder in _code_and_theme_folders(settings):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.as_posix().encode("utf-8", "surrogatepass"))
            digest.update(path.read_bytes())
    return digest.hexdigest()


def tree_shape(ctx: SiteContext) -> str:
    """A hash of the category tree as item pages show it (names, titles, links, site icons; not the counts)."""
    shape = (sorted((names, section.title, section.url) for names, section in ctx.sections.items()),
             sorted(ctx.icon_files.items()))
    return hashlib.blake2b(repr(shape).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def item_page_key(ctx: SiteContext, item: Item, code: str, shape: str) -> str:
    """Everything one item page is rendered from: its entry, its neighbours, its story's other copies,
    the tree's shape, the code."""
    newer, older = ctx.neighbours.get(item.key, (None, None))
    copies = tuple((copy.url, copy.entry.title, copy.entry.published, label) for copy, label in ctx.copies_of(item))
    parts = (code, shape, item.path, _entry_row(item.entry),
             newer and (newer.url, newer.entry.title), older and (older.url, older.entry.title), copies)
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _entry_row(e: StoredEntry) -> tuple:
    # The store rewrites a row only when its content_hash (title, link, author, date, content,
    # image) changes, so the hash stands for the bodies; lengths guard hand-built entries.
    return (e.tree, e.identity, e.content_hash, e.title, e.link, e.author, e.image, e.published, e.updated,
            len(e.content), len(e.summary))


def fingerprint_inputs(entries: Sequence[StoredEntry], sources: Sequence[Source], settings: SiteSettings,
                       code: str, extra: object = ()) -> str:
    """A hash of everything the output depends on: entries, sources, and `fingerprint_code`.

    `now` is left out on purpose: it only matters for an empty site's feeds.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(code.encode())
    digest.update(repr(sorted(sources, key=lambda s: (s.tree, s.url))).encode("utf-8", "surrogatepass"))
    digest.update(repr(extra).encode("utf-8", "surrogatepass"))  # feed health and icons, in a stable order
    # Not repr(entry): on 20k entries that re-reads ~100 MB of HTML on every no-change build.
    rows = sorted(_entry_row(e) for e in entries)  # order-independent, like the build
    for row in rows:
        digest.update(repr(row).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _code_and_theme_folders(settings: SiteSettings) -> list[Path]:
    package = Path(__file__).resolve().parents[2]  # src/feedstation
    folders = [package / "publish", package / "templates", package / "static"]
    if settings.theme_dir:
        folders.append(Path(settings.theme_dir))
    return [f for f in folders if f.is_dir()]


def _files_intact(out_dir: Path, files: set[str], previous_files: frozenset[str]) -> bool:
    """True when `files` is not empty, was owned by the previous build and is all still on disk."""
    return bool(files) and files <= previous_files and all((out_dir / path).is_file() for path in files)
