"""Full-text search: runs Pagefind (the binary bundled by the `pagefind[bin]` wheel) over the item pages."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from feedstation.errors import OutputError

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind/"
ITEM_GLOB = "item/**/*.html"  # only item pages are searchable; lists would just repeat their excerpts


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


def search_bundle(site_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Index the item pages already written in `site_dir`; yield the bundle as (`pagefind/…` path, bytes).

    Pagefind writes into a temporary folder, not the site: the caller pushes the files
    through the OutputWriter, so unchanged index chunks keep their bytes and mtimes and
    stale ones are removed by the site manifest like any other output. Files are read
    one at a time as the caller asks, so the bundle (≈100 MB at 20k items) is never
    held in memory; the folder goes when the generator is exhausted or closed.
    """
    # Scratch space in RAM when there is some: every file is read back at once, so
    # writing it to disk first would double the disk work.
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="feedstation-pagefind-", dir=scratch) as tmp:
        command = [str(pagefind_executable()), "--site", str(site_dir), "--glob", ITEM_GLOB,
                   "--output-path", tmp, "--silent"]
        log.debug("running %s", command)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"could not run Pagefind ({command[0]}): {exc}") from exc
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()[-2000:]
            raise OutputError(f"Pagefind failed indexing {site_dir} (exit {done.returncode}): {detail}")
        root = Path(tmp)
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield BUNDLE_DIR + path.relative_to(root).as_posix(), path.read_bytes()
