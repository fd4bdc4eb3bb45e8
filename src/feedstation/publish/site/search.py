"""Full-text search: Pagefind (the binary bundled by the `pagefind[bin]` wheel) indexes the item pages, in shards.

One Pagefind run over 20k pages peaked at ≈2.1 GB and had to redo the whole index
whenever any item page changed. Each shard is a separate Pagefind bundle under
`pagefind/<name>/` built from a month's item pages, at most SHARD_PAGES of them (see
`plan_shards`), so a run holds one shard's worth and a new item re-indexes only the shard
whose indexed text changed (a neighbour's page whose "newer" link changed is not
re-indexed: that link is not indexed). The search page merges the shards with
Pagefind's multisite support (`mergeIndex`); the list of shards lives in a generated
`pagefind/shards.js`, so the search page itself does not change when one is added.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from feedstation.errors import OutputError
from feedstation.publish.site import paths
from feedstation.publish.site.context import Item

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind/"
SHARDS_FILE = "pagefind/shards.js"
# The UI the search page loads; one copy at the top of pagefind/, so its URL never changes.
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
# Pagefind also emits other UIs (modular, component, highlight); the site uses none of
# them, so shards do not carry 400 KB of unused scripts each.
_UNUSED_PREFIXES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
ITEM_GLOB = "item/**/*.html"
SHARD_PAGES = 1000  # item pages per search shard at most (see plan_shards)
TAIL_PAGES = 100  # … and per shard of the newest month's unfilled one  # only item pages are searchable; lists would just repeat their excerpts
_FLAGS = ("--glob", ITEM_GLOB, "--silent")
SCRATCH_PREFIX = "feedstation-pagefind-"  # + the build's process id + "-" + a random part


def pagefind_executable() -> Path:
    """The Pagefind binary shipped in the `pagefind_bin` wheel."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise OutputError("search needs Pagefind: pip install 'pagefind[bin]'") from exc
    try:
        return pagefind_bin.get_executable()
    except FileNotFoundError as exc:
        raise OutputError(f"the pagefind_bin wheel has no binary for this platform: {exc}") from exc


def plan_shards(items: Sequence[Item], size: int = SHARD_PAGES, tail: int = TAIL_PAGES) -> dict[str, list[str]]:
    """Shard name → its items' page paths (sorted), newest shard first.

    An item is indexed in the month it was published (site time zone). A month's items, oldest first, are
    cut into shards of `size`: `2024-05` holds its first `size`, `2024-05.2` the next, and so on; once full,
    a shard's pages never change (a new item comes after them). Only the newest month's last, unfilled shard
    takes new items, so it is cut further into shards of `tail` (`2024-05.2-1`, `2024-05.2-2`, …): a new
    item re-indexes at most `tail` pages, and the `size` pages are indexed as one shard once they are all
    there (and again when a new month starts, for the old month's last shard). Pagefind needs about 2.5 ms
    of CPU per page here, so a month of a busy site re-indexed on every run would cost seconds (issue 19);
    the browser merges every shard, so fewer, larger ones keep a search quick.
    """
    months: dict[tuple[int, int], list[Item]] = {}
    for item in items:
        months.setdefault(item.month, []).append(item)
    newest = max(months, default=None)
    shards: dict[tuple[int, int, int, int], list[str]] = {}
    for (year, month), listed in months.items():
        listed.sort(key=lambda item: (item.entry.published, item.key))
        for number, start in enumerate(range(0, len(listed), size), start=1):
            chunk = listed[start:start + size]
            if (year, month) == newest and len(chunk) < size:
                for part, first in enumerate(range(0, len(chunk), tail), start=1):
                    shards[(year, month, number, part)] = sorted(item.path for item in chunk[first:first + tail])
            else:
                shards[(year, month, number, 0)] = sorted(item.path for item in chunk)
    return {_shard_name(*key): shards[key] for key in sorted(shards, reverse=True)}


def _shard_name(year: int, month: int, number: int, part: int) -> str:
    name = f"{year:04d}-{month:02d}" + (f".{number}" if number > 1 else "")
    return name + (f"-{part}" if part else "")


def shard_fingerprint(page_paths: Iterable[str], search_rows: Mapping[str, str], code: str) -> str:
    """A hash of what one Pagefind run indexes: its pages' rows (what of each page is indexed, see
    page_keys.PageKeys.search_rows), what every page is made with (`code`: settings, templates, this code),
    Pagefind's version and our flags."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((_pagefind_version(), _FLAGS, code)).encode())
    for path in page_paths:
        digest.update(f"{path}\0{search_rows[path]}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def shard_dir(name: str) -> str:
    return f"{BUNDLE_DIR}{name}/"


def shards_script(base: str, names: Iterable[str]) -> bytes:
    """`pagefind/shards.js`: the bundle URL of every shard, newest first; search.js merges them."""
    urls = [paths.href(base, shard_dir(name)) for name in names]
    return f"window.feedstationSearchShards = {json.dumps(urls)};\n".encode("ascii")


class ShardRuns:
    """Pagefind runs for the shards to index, each started as soon as all of its item pages are on disk —
    while the rest of the site is still rendering — at most `jobs` at a time (one run keeps about one core
    busy). Rendering is one Python thread, so on two cores indexing beside it roughly halves a full build's
    wall time over indexing after it.

    Each run reads a scratch tree of symlinks to just its shard's pages, so URLs stay `/item/…` as on the
    site, and writes into a scratch folder, not the site: `finished()` (while rendering) and `results()` (after
    it) yield the bundles' files for the caller to push through the OutputWriter (unchanged chunks keep their
    bytes and mtimes; stale ones are removed by the site manifest like any other output). The UI files
    (UI_FILES) come once, at the top of `pagefind/`. `close()` stops what still runs and removes the scratch
    space.
    """

    def __init__(self, site_dir: Path, shards: Mapping[str, Sequence[str]], *, jobs: int = 1):
        self._site_dir = Path(site_dir).resolve()
        self._jobs = max(1, jobs)
        scratch = scratch_folder()
        # Named with this process's id, so a later build can free what a killed one left there (RAM, in /dev/shm).
        _remove_orphaned_scratch(scratch)
        self._tmp = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=scratch)
        self._pages = dict(shards)
        self._missing = {name: set(paths) for name, paths in shards.items()}
        self._shard_of = {path: name for name, paths in shards.items() for path in paths}
        self._ready = [name for name, missing in self._missing.items() if not missing]
        self._queued = set(self._ready)  # ready, running or finished: started once only
        self._running: list[tuple[str, Path, subprocess.Popen]] = []
        self._finished: list[tuple[str, Path, subprocess.Popen]] = []  # done; their files not yet read
        self._done: list[str] = []  # done, and their files read
        self._ui_done = False  # the UI files (the same from every run) were yielded once

    def page_on_disk(self, path: str) -> None:
        """An item page is written (or was kept): a shard whose pages are all there starts when a job is free."""
        name = self._shard_of.get(path)
        if name is not None:
            missing = self._missing[name]
            missing.discard(path)
            if not missing and name not in self._queued:
                self._ready.append(name)
                self._queued.add(name)
        self._start_ready()

    @property
    def started(self) -> list[str]:
        """The shards whose Pagefind run has started (running or finished), in the order they started."""
        return [*self._done, *(name for name, _work, _process in (*self._finished, *self._running))]

    def finished(self) -> Iterator[tuple[str, bytes]]:
        """The files of the shards finished so far, without waiting for the others: the caller writes them
        while the rest renders, so a full build does not hold every finished bundle in scratch memory until
        the end (at 45,000 items that was up to 146 MB of /dev/shm; now about 10 MB)."""
        self._start_ready()
        while self._finished:
            yield from self._bundle_files(*self._finished.pop(0))

    def results(self) -> Iterator[tuple[str, bytes]]:
        """Wait for every shard (starting those still waiting: every page is on disk by now) and yield their
        files as (path in the site, bytes), one shard at a time."""
        self._ready += [name for name in self._pages if name not in self._queued]
        self._queued.update(self._pages)
        while self._ready or self._running or self._finished:
            self._start_ready()
            if not self._finished:
                name, work, process = self._running.pop(0)  # shards are of similar size: first in, first done
                self._finished.append((name, work, process))
            yield from self._bundle_files(*self._finished.pop(0))

    def _bundle_files(self, name: str, work: Path, process: subprocess.Popen) -> Iterator[tuple[str, bytes]]:
        """One shard's files, once its run ended (an OutputError if it failed); its scratch space is then freed."""
        self._done.append(name)
        _wait_pagefind(process, work, name, self._site_dir)
        bundle = work / "bundle"
        for path in sorted(bundle.rglob("*")):
            if not path.is_file():
                continue
            relpath = path.relative_to(bundle).as_posix()
            if not relpath.startswith(_UNUSED_PREFIXES):
                yield shard_dir(name) + relpath, path.read_bytes()
            elif relpath in UI_FILES and not self._ui_done:
                yield BUNDLE_DIR + relpath, path.read_bytes()
        self._ui_done = True
        shutil.rmtree(work, ignore_errors=True)

    def close(self) -> None:
        for _name, _work, process in (*self._running, *self._finished):  # an error: stop the rest
            if process.poll() is None:
                process.kill()
                process.wait()
        self._tmp.cleanup()

    def _start_ready(self) -> None:
        still = []
        for run in self._running:  # move finished runs out, freeing their job
            (self._finished if run[2].poll() is not None else still).append(run)
        self._running = still
        while self._ready and len(self._running) < self._jobs:
            name = self._ready.pop(0)
            work = Path(self._tmp.name) / name
            self._running.append((name, work, _start_pagefind(self._site_dir, work, name, self._pages[name])))


def scratch_folder() -> Path:
    """Where Pagefind runs write: RAM (/dev/shm) when there is some, since every file is read back at once and
    writing it to disk first would double the disk work (a 1,200-page shard: 1.3 s in /dev/shm, 2 s and more
    on disk); else the temp folder."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return Path("/dev/shm")
    return Path(tempfile.gettempdir())


def _remove_orphaned_scratch(folder: Path) -> None:
    """Remove the scratch folders of builds whose process is gone (killed: its cleanup never ran)."""
    for found in folder.glob(SCRATCH_PREFIX + "*-*"):
        pid = found.name[len(SCRATCH_PREFIX):].partition("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(found, ignore_errors=True)
        except OSError:
            pass  # alive, another user's: not ours to remove


def _start_pagefind(site_dir: Path, work: Path, name: str, page_paths: Sequence[str]) -> subprocess.Popen:
    pages = work / "site"
    for relpath in page_paths:
        link = pages / relpath
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(site_dir / relpath, link)
    command = [str(pagefind_executable()), "--site", str(pages), "--output-path", str(work / "bundle"), *_FLAGS]
    log.debug("search: indexing shard %s (%d pages)", name, len(page_paths))
    try:
        with open(work / "pagefind.log", "wb") as output:  # a file, not a pipe: nothing can block on it
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise OutputError(f"could not run Pagefind ({command[0]}): {exc}") from exc


def _wait_pagefind(process: subprocess.Popen, work: Path, name: str, site_dir: Path) -> None:
    try:
        code = process.wait(timeout=3600)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.wait()
        raise OutputError(f"Pagefind took over an hour indexing search shard {name} of {site_dir}") from exc
    if code != 0:
        detail = (work / "pagefind.log").read_text(encoding="utf-8", errors="replace").strip()[-2000:]
        raise OutputError(f"Pagefind failed indexing search shard {name} of {site_dir} (exit {code}): {detail}")


@functools.cache
def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"  # pagefind_executable() says what to install
