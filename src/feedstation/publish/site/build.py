"""The site build: compute the whole site as data, then render and write its outputs one at a time, then prune stale ones."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feedstation.models import SiteSettings, Source, StoredEntry
from feedstation.publish.site.context import SiteContext, build_context
from feedstation.publish.site.pages import html_pages, load_static
from feedstation.publish.site.search import (BUNDLE_DIR, SHARDS_FILE, UI_FILES, index_shards, plan_shards,
                                             shard_fingerprint, shards_script)
from feedstation.publish.site.syndication import feed_files, index_files
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

MANIFEST = ".feedstation-site.json"


@dataclass(frozen=True)
class SiteReport:
    """What one build did. `pages`: files the site owns after it; the rest count this build's writes."""

    pages: int
    written: int
    unchanged: int
    removed: int
    written_paths: tuple[str, ...] = ()  # sorted; what a deploy or a test needs to know changed


def build_site(entries: Sequence[StoredEntry], sources: Sequence[Source], out_dir: Path, settings: SiteSettings, *,
               now: datetime) -> SiteReport:
    """Build the static site into `out_dir`; the same entries give the same bytes, so a no-change rebuild writes nothing."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out_dir)
    inputs = fingerprint_inputs(entries, sources, settings)
    if inputs == previous.inputs and previous.files and all((out_dir / path).is_file() for path in previous.files):
        # Same inputs give the same bytes: skip rendering, not just writing (no-change rebuild).
        log.debug("site: inputs unchanged, %d outputs kept", len(previous.files))
        return SiteReport(pages=len(previous.files) + 1, written=0, unchanged=0, removed=0)

    # Phase one: the whole site as data, so indexes, neighbours and feeds see every item.
    ctx = build_context(entries, settings)
    static = load_static(settings.theme_dir)

    # Phase two: render each output and hand it straight to the one writer (atomic,
    # path-guarded, skips unchanged bytes, refuses a second write to a path). Memory holds
    # the context and one page, not the site: 20k items make ≈1.5 GB of pages and feeds.
    writer = OutputWriter(out_dir)
    page_digests: dict[str, str] = {}  # item page → hash of its bytes, for the search shards
    owned = _write_each(writer, _site_outputs(ctx, static, sources, now=now), page_digests)
    rendered = time.perf_counter()
    removed = 0
    # Stale pages go before Pagefind runs, so a deleted item leaves the search index too.
    for path in sorted(p for p in previous.files - owned if not p.startswith(BUNDLE_DIR)):
        removed += writer.remove(path)
    search_files, shards = _write_search(writer, out_dir, ctx, previous, page_digests)
    owned |= search_files
    for path in sorted(p for p in previous.files - owned if p.startswith(BUNDLE_DIR)):
        removed += writer.remove(path)

    manifest = json.dumps({"version": 2, "inputs": inputs, "search_shards": shards, "files": sorted(owned)},
                          ensure_ascii=False, indent=0).encode("utf-8")
    writer.write(MANIFEST, manifest + b"\n")
    log.debug("site: rendered and wrote %d outputs (%d changed) in %.2fs, search and pruning took %.2fs", len(owned),
              len(writer.written), rendered - started, time.perf_counter() - rendered)
    return SiteReport(pages=len(owned) + 1, written=len(writer.written), unchanged=writer.unchanged, removed=removed,
                      written_paths=tuple(sorted(writer.written)))


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


def _site_outputs(ctx: SiteContext, static: dict[str, bytes], sources: Sequence[Source], *,
                  now: datetime) -> Iterator[tuple[str, bytes]]:
    """Every output of the site except the search bundle, as (path, bytes), made as it is asked for."""
    yield from html_pages(ctx, static)
    yield from ((f"static/{name}", data) for name, data in static.items())
    yield from feed_files(ctx, now=now)
    yield from index_files(ctx, sources, now=now).items()


def _write_each(writer: OutputWriter, outputs: Iterable[tuple[str, bytes]],
                page_digests: dict[str, str] | None = None) -> set[str]:
    """Write outputs as they come, one at a time; returns their paths and notes item pages' hashes in `page_digests`.

    One thread: measured faster than 8 writer threads on a 2-core machine, where the
    threads mostly fought over the GIL with rendering (see bench/site_build.py).
    """
    paths: set[str] = set()
    for path, data in outputs:
        writer.write(path, data)
        paths.add(path)
        if page_digests is not None and path.startswith("item/"):
            page_digests[path] = hashlib.blake2b(data, digest_size=16).hexdigest()
    return paths


@dataclass(frozen=True)
class _Manifest:
    """What the previous build left: the files it owned, its input fingerprint, its search shards' fingerprints."""

    files: frozenset[str] = frozenset()
    inputs: str | None = None
    shards: Mapping[str, str] = field(default_factory=dict)


def _read_manifest(out_dir: Path) -> _Manifest:
    """The previous build's manifest; damaged or missing means "none"."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        inputs, shards = data.get("inputs"), data.get("search_shards")
        return _Manifest(files=frozenset(p for p in data["files"] if isinstance(p, str)),
                         inputs=inputs if isinstance(inputs, str) else None,
                         shards={k: v for k, v in shards.items() if isinstance(v, str)} if isinstance(shards, dict) else {})
    except FileNotFoundError:
        return _Manifest()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): stale pages from the previous build will stay", out_dir / MANIFEST, exc)
        return _Manifest()


def fingerprint_inputs(entries: Sequence[StoredEntry], sources: Sequence[Source], settings: SiteSettings) -> str:
    """A hash of everything the output depends on: entries, sources, settings, templates, assets and this code.

    `now` is left out on purpose: it only matters for an empty site's feeds.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((settings, sorted(sources, key=lambda s: (s.tree, s.url)))).encode("utf-8", "surrogatepass"))
    for folder in _code_and_theme_folders(settings):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.as_posix().encode("utf-8", "surrogatepass"))
            digest.update(path.read_bytes())
    # The store rewrites a row only when its content_hash (title, link, author, date, content,
    # image) changes, so the hash stands for the bodies; lengths guard hand-built entries.
    # Not repr(entry): on 20k entries that re-reads ~100 MB of HTML on every no-change build.
    rows = sorted((e.tree, e.identity, e.content_hash, e.title, e.link, e.author, e.image, e.published, e.updated,
                   len(e.content), len(e.summary)) for e in entries)  # order-independent, like the build
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
