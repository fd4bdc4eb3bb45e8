"""The site build: compute every output (path → bytes) first, then write the changed ones and prune stale ones."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedstation.errors import OutputError
from feedstation.models import SiteSettings, Source, StoredEntry
from feedstation.publish.site.context import build_context
from feedstation.publish.site.pages import load_static, render_html
from feedstation.publish.site.search import BUNDLE_DIR, build_search_bundle
from feedstation.publish.site.syndication import render_feeds, render_index_files
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

MANIFEST = ".feedstation-site.json"
WRITE_THREADS = 8
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

    # Phase one: the whole site as data, then every output in memory. Indexes see every item.
    ctx = build_context(entries, settings)
    static = load_static(settings.theme_dir)
    outputs: dict[str, bytes] = {}
    _merge(outputs, render_html(ctx, static))
    _merge(outputs, {f"static/{name}": data for name, data in static.items()})
    _merge(outputs, render_feeds(ctx, now=now))
    _merge(outputs, render_index_files(ctx, sources, now=now))
    rendered = time.perf_counter()

    # Phase two: write through the one writer (atomic, path-guarded, skips unchanged bytes).
    writer = OutputWriter(out_dir)
    _write_all(writer, outputs)
    owned = set(outputs)
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
        bundle = build_search_bundle(out_dir)
        _write_all(writer, bundle)
        owned |= set(bundle)
    else:
        owned |= old_bundle
    for path in sorted(old_bundle - owned):
        removed += writer.remove(path)

    manifest = json.dumps({"version": 1, "inputs": inputs, "files": sorted(owned)}, ensure_ascii=False,
                          indent=0).encode("utf-8")
    writer.write(MANIFEST, manifest + b"\n")
    log.debug("site: rendered %d outputs in %.2fs, wrote %d in %.2fs", len(outputs), rendered - started,
              len(writer.written), time.perf_counter() - rendered)
    return SiteReport(pages=len(owned) + 1, written=len(writer.written), unchanged=writer.unchanged, removed=removed,
                      written_paths=tuple(sorted(writer.written)))


def _write_all(writer: OutputWriter, outputs: dict[str, bytes]) -> None:
    """Write through the one writer from a few threads: each write is mostly waiting on the file system.

    Paths are distinct (the dict guarantees it), so the writer's per-path bookkeeping
    never races; folders are created with exist_ok.
    """
    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
        for _ in pool.map(lambda path: writer.write(path, outputs[path]), sorted(outputs)):
            pass


def _merge(outputs: dict[str, bytes], more: dict[str, bytes]) -> None:
    clash = outputs.keys() & more.keys()
    if clash:
        raise OutputError(f"two site outputs claim the same path: {sorted(clash)[:3]}")
    outputs.update(more)


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
