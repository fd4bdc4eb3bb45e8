"""Single-run locks: a lock file beside the database, and a lock on each output folder itself (flock)."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from feedstation.errors import LockedError

log = logging.getLogger(__name__)


class RunLock:
    """An exclusive, non-blocking lock file held for the life of one run, removed when the run ends.

    The file records who holds it (pid, command, start time) so a refused second run can
    name the process. flock locks die with their process, so a file left by a `kill -9`ed
    run is simply taken over (and logged) by the next run. A clean exit deletes the file
    (issue 12.7: nothing is left beside the user's folders). Deleting a lock file is only
    safe with the inode check in `__enter__`: a run that opened the old file just before it
    was deleted would otherwise hold a lock nobody else can see.
    """

    def __init__(self, path: Path, what: str):
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise _locked(self.what, holder) from None
            if _same_file(fd, self.path):
                break
            os.close(fd)  # the previous holder deleted this file as we opened it: take the new one
        previous = _read_holder(fd)
        if previous != "unknown process":
            log.info("taking over a stale lock on %s left by %s", self.what, previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder_record()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            try:
                os.unlink(self.path)  # while still locked: see the class docstring
            except FileNotFoundError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class FolderLock:
    """An exclusive, non-blocking flock on an output folder itself: no lock file anywhere.

    The site folder is deployed as it is and a Hexo folder belongs to the user, so a lock
    file may go neither inside them nor beside them (issue 12.7). Locking the folder's own
    inode keeps two builds off one folder whatever config or database each comes from.
    The holder is named from /proc/locks where the system has it.
    """

    def __init__(self, folder: Path, what: str):
        self.folder = Path(folder)
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> "FolderLock":
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _flock_holder(os.fstat(fd).st_ino)
            os.close(fd)
            raise _locked(self.what, holder) from None
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _locked(what: str, holder: str) -> LockedError:
    return LockedError(f"another feedstation process is using {what}: {holder}. "
                       "Wait for it to finish (or stop it) and run again.")


def _holder_record() -> dict:
    return {
        "pid": os.getpid(),
        "command": " ".join(["feedstation", *sys.argv[1:]]),
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _read_holder(fd: int) -> str:
    try:
        raw = os.pread(fd, 4096, 0)
        record = json.loads(raw.decode() or "{}")
        return f"pid {record['pid']} (`{record['command']}`, started {record['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown process"


def _flock_holder(inode: int) -> str:
    """`pid N (`command`)` of the process holding an flock on `inode`, from Linux's /proc/locks."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return "unknown process"
    for line in lines:
        # "1: FLOCK  ADVISORY  WRITE 4242 00:2e:1234567 0 EOF"; waiters are marked "->".
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK" or "->" in fields:
            continue
        if fields[5].rsplit(":", 1)[-1] == str(inode):
            return f"pid {fields[4]} (`{_command_of(fields[4])}`)"
    return "unknown process"


def _command_of(pid: str) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(a.decode("utf-8", "replace") for a in argv if a) or "?"
