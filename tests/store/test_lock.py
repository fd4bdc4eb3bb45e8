"""The run locks: a second run is refused naming the holder; a killed run's lock is taken over; nothing is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from feedstation.errors import LockedError
from feedstation.lock import FolderLock, RunLock

HOLDER = """
import sys, time
from pathlib import Path
from feedstation.lock import FolderLock, RunLock
lock = RunLock(Path(sys.argv[1]), "the database x.db") if sys.argv[2] == "run" else FolderLock(Path(sys.argv[1]), "the site folder public")
with lock:
    print("locked", flush=True)
    time.sleep(60)
"""


def start_holder(lock: Path, kind: str = "run") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock), kind], stdout=subprocess.PIPE, env=env)
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


def test_a_run_lock_file_is_removed_when_the_run_ends_and_the_next_run_can_take_it(tmp_path):
    lock = tmp_path / "x.db.lock"
    with RunLock(lock, "the database x.db"):
        assert lock.exists()
    assert not lock.exists()
    with RunLock(lock, "the database x.db"):  # a fresh file, locked again
        with pytest.raises(LockedError):
            with RunLock(lock, "the database x.db"):
                pass
    assert list(tmp_path.iterdir()) == []


def test_a_folder_lock_refuses_a_second_build_naming_the_holder_and_writes_no_file(tmp_path):
    folder = tmp_path / "public"
    holder = start_holder(folder, "folder")
    try:
        assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []  # no lock file, in or beside
        with pytest.raises(LockedError) as caught:
            with FolderLock(folder, "the site folder public"):
                pass
        message = str(caught.value)
        assert message.startswith(f"another feedstation process is using the site folder public: pid {holder.pid} (")
    finally:
        holder.kill()
        holder.wait()
    with FolderLock(folder, "the site folder public"):  # the kernel freed the killed holder's lock
        pass
    assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []
