"""Public test corpora fetched from the package registries at test time and cached outside the checkout.

No business logic: this module only downloads, unpacks and locates corpora for the tests.
The feedparser corpus (~2,300 feed files nobody here wrote) ships in feedparser's sdist on PyPI; the
version downloaded is the one installed, so the corpus always matches the parser under test.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tarfile
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path


def cache_root() -> Path:
    """`$FEEDSTATION_TEST_CACHE`, else `$XDG_CACHE_HOME/feedstation-tests`, else `~/.cache/feedstation-tests`."""
    if explicit := os.environ.get("FEEDSTATION_TEST_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "feedstation-tests"


class CacheLock:
    """An flock on `<folder>.lock` so two pytest processes never fill one cache folder at once."""

    def __init__(self, folder: Path):
        folder.parent.mkdir(parents=True, exist_ok=True)
        self._path = folder.with_name(folder.name + ".lock")

    def __enter__(self):
        self._file = open(self._path, "w")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


@cache
def feedparser_corpus() -> Path:
    """The `tests/` folder of the installed feedparser's sdist (illformed/, encoding/, wellformed/...)."""
    release = version("feedparser")
    target = cache_root() / f"feedparser-{release}"
    corpus = target / "tests"
    with CacheLock(target):
        if (target / ".complete").exists():
            return corpus
        with tempfile.TemporaryDirectory() as download:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                 f"feedparser=={release}", "--dest", download],
                capture_output=True, text=True, timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(f"could not download feedparser=={release}'s sdist for its test corpus:\n"
                                   f"{done.stderr[-2000:]}")
            (archive,) = Path(download).glob("feedparser-*.tar.gz")
            prefix = f"feedparser-{release}/tests/"
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if m.name.startswith(prefix) and (m.isfile() or m.isdir())]
                for member in members:
                    member.name = member.name[len(f"feedparser-{release}/"):]
                tar.extractall(target, members=members, filter="data")
        (target / ".complete").write_text(release)
    return corpus


def feedparser_corpus_files() -> list[Path]:
    """Every feed file of the corpus (the three folders of test documents), sorted."""
    corpus = feedparser_corpus()
    return sorted(p for folder in ("illformed", "encoding", "wellformed") for p in (corpus / folder).rglob("*")
                  if p.is_file())
