"""The run lock: a second run is refused naming the holder; a killed run's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from feedstation.errors import LockedError
from feedstation.lock import RunLock

HOLDER = """
import sys, time
from pathlib import Path
from feedstation.lock import RunLock
with RunLock(Path(sys.argv[1]), "the database x.db"):
    print("locked", flush=True)
    time.sleep(60)
"""


def start_holder(lock: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout.readline().strip() == b"locked"
    return proc


def test_second_run_is_refused_with_the_holders_pid(tmp_path):
    lock = tmp_path / "x.db.lock"
    holder = start_holder(lock)
    try:
        with pytest.raises(LockedError) as caught:
            with RunLock(lock, "the database x.db"):
                pass
        message = str(caught.value)
        assert message.startswith(f"another feedstation process is using the database x.db: pid {holder.pid} (")
        assert message.endswith("Wait for it to finish (or stop it) and run again.")
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    lock = tmp_path / "x.db.lock"
    holder = start_holder(lock)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock.read_text()  # the dead run's record is still in the file
    with RunLock(lock, "the database x.db"):
        assert f'"pid": {os.getpid()}' in lock.read_text()
