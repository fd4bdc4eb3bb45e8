"""The site build: compute the whole site as data, then render and write its outputs one at a time, then prune stale ones."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedstation.models import SiteSettings, Source, StoredEntry
from feedstation.publish.site.context import SiteContext, build_context
from feedstation.publish.site.pages import html_pages, load_static
from feedstation.publish.site.search import BUNDLE_DIR, search_bundle
from feedstation.publish.site.syndication import feed_files, index_files
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

MANIFEST = ".feedstation-site.json"
_BUNDLE_KEYS = ("pagefind/pagefind.js", "pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css")


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
    previous, previous_inputs = _read_manifest(out_dir)
    inputs = fingerprint_inputs(entries, sources, settings)
    if inputs == previous_inputs and previous and all((out_dir / path).is_file() for path in previous):
        # Same inputs give the same bytes: skip rendering, not just writing (no-change rebuild).
        log.debug("site: inputs unchanged, %d outputs kept", len(previous))
        return SiteReport(pages=len(previous) + 1, written=0, unchanged=0, removed=0)

    # Phase one: the whole site as data, so indexes, neighbours and feeds see every item.
    ctx = build_context(entries, settings)
    static = load_static(settings.theme_dir)

    # Phase two: render each output and hand it straight to the one writer (atomic,
    # path-guarded, skips unchanged bytes, refuses a second write to a path). Memory holds
    # the context and one page, not the site: 20k items make ≈1.5 GB of pages and feeds.
    writer = OutputWriter(out_dir)
    owned = _write_each(writer, _site_outputs(ctx, static, sources, now=now))
    rendered = time.perf_counter()
    removed = 0
    # Stale pages go before Pagefind runs, so a deleted item leaves the search index too.
    for path in sorted(p for p in previous - owned if not p.startswith(BUNDLE_DIR)):
        removed += writer.remove(path)

    old_bundle = {p for p in previous if p.startswith(BUNDLE_DIR)}
    items_changed = removed > 0 or any(p.startswith("item/") for p in writer.written)
    # Pagefind rewrites its whole index on every run: run it only when an item page changed
    # or the bundle is missing, so a no-change rebuild writes nothing.
    if not ctx.items:
        pass  # Pagefind exits with an error on a site with no pages to index
    elif items_changed or not _bundle_intact(out_dir, old_bundle):
        owned |= _write_each(writer, search_bundle(out_dir))
    else:
        owned |= old_bundle
    for path in sorted(old_bundle - owned):
        removed += writer.remove(path)

    manifest = json.dumps({"version": 1, "inputs": inputs, "files": sorted(owned)}, ensure_ascii=False,
                          indent=0).encode("utf-8")
    writer.write(MANIFEST, manifest + b"\n")
    log.debug("site: rendered and wrote %d outputs (%d changed) in %.2fs, search and pruning took %.2fs", len(owned),
              len(writer.written), rendered - started, time.perf_counter() - rendered)
    return SiteReport(pages=len(owned) + 1, written=len(writer.written), unchanged=writer.unchanged, removed=removed,
                      written_paths=tuple(sorted(writer.written)))


def _site_outputs(ctx: SiteContext, static: dict[str, bytes], sources: Sequence[Source], *,
                  now: datetime) -> Iterator[tuple[str, bytes]]:
    """Every output of the site except the search bundle, as (path, bytes), made as it is asked for."""
    yield from html_pages(ctx, static)
    yield from ((f"static/{name}", data) for name, data in static.items())
    yield from feed_files(ctx, now=now)
    yield from index_files(ctx, sources, now=now).items()


def _write_each(writer: OutputWriter, outputs: Iterable[tuple[str, bytes]]) -> set[str]:
    """Write outputs as they come, one at a time; returns their paths.

    One thread: measured faster than 8 writer threads on a 2-core machine, where the
    threads mostly fought over the GIL with rendering (see bench/site_build.py).
    """
    paths: set[str] = set()
    for path, data in outputs:
        writer.write(path, data)
        paths.add(path)
    return paths


def _read_manifest(out_dir: Path) -> tuple[set[str], str | None]:
    """Files the previous build owned and its input fingerprint; damaged or missing means "none"."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        inputs = data.get("inputs")
        return {p for p in data["files"] if isinstance(p, str)}, inputs if isinstance(inputs, str) else None
    except FileNotFoundError:
        return set(), None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): stale pages from the previous build will stay", out_dir / MANIFEST, exc)
        return set(), None


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
    rows = sorted((e.tree, e.identity, repr(e)) for e in entries)  # order-independent, like the build
    for row in rows:
        digest.update(repr(row).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _code_and_theme_folders(settings: SiteSettings) -> list[Path]:
    package = Path(__file__).resolve().parents[2]  # src/feedstation
    folders = [package / "publish", package / "templates", package / "static"]
    if settings.theme_dir:
        folders.append(Path(settings.theme_dir))
    return [f for f in folders if f.is_dir()]


def _bundle_intact(out_dir: Path, old_bundle: set[str]) -> bool:
    needed = old_bundle | set(_BUNDLE_KEYS)
    return bool(old_bundle) and all((out_dir / path).is_file() for path in needed)
