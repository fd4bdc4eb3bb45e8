"""The one writer every publisher uses: atomic, path-guarded, skips unchanged bytes."""

from __future__ import annotations

import errno
import itertools
import os
from pathlib import Path, PurePosixPath

from feedstation.errors import OutputError

TEMP_PREFIX, TEMP_SUFFIX = ".fs-", ".tmp"
# One counter per process: with the pid it makes temp names unique without mkstemp's
# random-name retry loop; O_EXCL still refuses a name that somehow exists.
_TEMP_COUNTER = itertools.count()
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class OutputWriter:
    """Writes files below `root` and nowhere else.

    - A path is relative, POSIX-style, with no `..`, absolute or empty segment; after
      resolving symlinks it must still be inside the root (a symlink planted in the
      output folder cannot redirect a write).
    - Every write goes to a temp file in the same folder and is `os.replace`d into place,
      so a reader (or a crash) sees the whole old file or the whole new one.
    - A file whose bytes did not change is not touched (mtime kept: no git churn).
    - Two writes to one path in one build are a bug and raise.

    A site writes tens of thousands of files into a few hundred folders, so each folder
    is resolved, checked and created once per writer, not once per file.
    """

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.written: list[str] = []
        self.unchanged = 0
        self._seen: set[str] = set()
        self._folders: dict[str, Path] = {}  # relative folder → resolved, checked path
        self._made: set[str] = set()  # relative folders known to exist
        # … of which those this writer made: they held nothing else, so a file in one is not compared first
        # (a full build writes ~100,000 new files; each compare was a failed open, ~15-20 µs).
        self._new: set[str] = set()
        self.swept = _sweep_temp_files(self.root)

    def path_for(self, relpath: str) -> Path:
        folder, _slash, name = relpath.rpartition("/")
        return self._folder(folder, relpath) / name

    def _folder(self, folder: str, relpath: str) -> Path:
        """The checked folder of `relpath`; the file name is checked on every call, the folder once."""
        name = relpath[len(folder) + 1:] if folder else relpath
        resolved = self._folders.get(folder)
        if resolved is not None and name not in ("", ".", "..") and "\\" not in name and "/" not in name:
            return resolved
        parts = PurePosixPath(relpath).parts
        if not parts or relpath.startswith("/") or "\\" in relpath:
            raise OutputError(f"refused to write {relpath!r}: output paths must be relative to {self.root}")
        if any(part in ("", ".", "..") for part in relpath.split("/")):
            raise OutputError(f"refused to write {relpath!r}: '.' and '..' segments are not allowed")
        # Resolve the folder (which may not exist yet) to catch symlinks pointing outside.
        resolved = self.root.joinpath(*parts[:-1]).resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise OutputError(f"refused to write {relpath!r}: it resolves outside {self.root}")
        self._folders[folder] = resolved
        return resolved

    def write(self, relpath: str, data: bytes) -> bool:
        """Write `data` to `relpath` unless the file already holds exactly those bytes.

        Returns True when the file was (re)written.
        """
        if relpath in self._seen:
            raise OutputError(f"two outputs were written to {relpath!r} in one build")
        self._seen.add(relpath)
        folder, _slash, name = relpath.rpartition("/")
        parent = self._folder(folder, relpath)
        target = os.path.join(parent, name)
        if folder not in self._new and _same_bytes(target, data):
            self.unchanged += 1
            return False
        try:
            if folder not in self._made:
                existed = os.path.isdir(parent)
                os.makedirs(parent, exist_ok=True)
                self._made.add(folder)
                if not existed:
                    self._new.add(folder)
            _replace_atomically(parent, target, data)
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
        if _prune_empty_dirs(target.parent, self.root):
            self._made.clear()  # a pruned folder must be made again before its next write
            self._new.clear()
        return True


def _replace_atomically(folder: Path, target: str, data: bytes) -> None:
    """Write `data` to a fresh temp file in `folder`, then rename it over `target`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_BINARY
    while True:
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{next(_TEMP_COUNTER)}{TEMP_SUFFIX}")
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask decides, as for any file the user creates
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


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


def _same_bytes(target: str, data: bytes) -> bool:
    try:
        fd = os.open(target, os.O_RDONLY | _O_CLOEXEC | _O_BINARY)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_size != len(data):
            return False
        with open(fd, "rb", closefd=False) as handle:
            return handle.read() == data
    except OSError:
        return False
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _prune_empty_dirs(folder: Path, root: Path) -> bool:
    """Remove `folder` and its parents up to `root` while they are empty; True if any went."""
    pruned = False
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return pruned
        pruned = True
        folder = folder.parent
    return pruned


def _output_error(exc: OSError, target: Path | str) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"disk full while writing {target}; the previous version of the file is left intact")
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")
