"""The one writer every publisher uses: atomic, path-guarded, skips unchanged bytes."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path, PurePosixPath

from feedstation.errors import OutputError


class OutputWriter:
    """Writes files below `root` and nowhere else.

    - A path is relative, POSIX-style, with no `..`, absolute or empty segment; after
      resolving symlinks it must still be inside the root (a symlink planted in the
      output folder cannot redirect a write).
    - Every write goes to a temp file in the same folder and is `os.replace`d into place,
      so a reader (or a crash) sees the whole old file or the whole new one.
    - A file whose bytes did not change is not touched (mtime kept: no git churn).
    - Two writes to one path in one build are a bug and raise.
    """

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.written: list[str] = []
        self.unchanged = 0
        self._seen: set[str] = set()
        self.swept = _sweep_temp_files(self.root)

    def path_for(self, relpath: str) -> Path:
        parts = PurePosixPath(relpath).parts
        if not parts or relpath.startswith("/") or "\\" in relpath:
            raise OutputError(f"refused to write {relpath!r}: output paths must be relative to {self.root}")
        if any(part in ("", ".", "..") for part in parts):
            raise OutputError(f"refused to write {relpath!r}: '.' and '..' segments are not allowed")
        target = self.root.joinpath(*parts)
        # Resolve the parent (which may not exist yet) to catch symlinks pointing outside.
        parent = target.parent.resolve()
        if parent != self.root and self.root not in parent.parents:
            raise OutputError(f"refused to write {relpath!r}: it resolves outside {self.root}")
        return parent / target.name

    def write(self, relpath: str, data: bytes) -> bool:
        """Write `data` to `relpath` unless the file already holds exactly those bytes.

        Returns True when the file was (re)written.
        """
        if relpath in self._seen:
            raise OutputError(f"two outputs were written to {relpath!r} in one build")
        self._seen.add(relpath)
        target = self.path_for(relpath)
        if _same_bytes(target, data):
            self.unchanged += 1
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                _unlink_quietly(tmp)
                raise
        except OSError as exc:
            raise _output_error(exc, target) from exc
        self.written.append(relpath)
        return True

    def remove(self, relpath: str) -> bool:
        """Remove a file this writer's owner wrote earlier; True if it existed."""
        target = self.path_for(relpath)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise _output_error(exc, target) from exc
        _prune_empty_dirs(target.parent, self.root)
        return True


TEMP_PREFIX, TEMP_SUFFIX = ".fs-", ".tmp"


def _sweep_temp_files(root: Path) -> int:
    """Delete temp files a killed writer left behind, so they are never deployed. Returns how many."""
    removed = 0
    if not root.is_dir():
        return removed
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                _unlink_quietly(os.path.join(folder, name))
                removed += 1
    return removed


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _output_error(exc: OSError, target: Path) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {target}; the previous version of the file is left intact")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")
