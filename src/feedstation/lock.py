"""Single-run locks on the database and output folders (flock: a killed run's lock is freed by the kernel)."""

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
    """An exclusive, non-blocking lock held for the life of one run.

    The lock file records who holds it (pid, command, start time) so a refused second run
    can name the process. flock locks die with their process, so a lock file left by a
    `kill -9`ed run is simply taken over (and logged) by the next run.
    """

    def __init__(self, path: Path, what: str):
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockedError(
                f"another feedstation process is using {self.what}: {holder}. "
                "Wait for it to finish (or stop it) and run again."
            ) from None
        previous = _read_holder(fd)
        if previous != "unknown process":
            log.info("taking over a stale lock on %s left by %s", self.what, previous)
        os.ftruncate(fd, 0)
        record = {
            "pid": os.getpid(),
            "command": " ".join(["feedstation", *sys.argv[1:]]),
            "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        raw = os.pread(fd, 4096, 0)
        record = json.loads(raw.decode() or "{}")
        return f"pid {record['pid']} (`{record['command']}`, started {record['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown process"
