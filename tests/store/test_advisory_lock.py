"""The run lock on PostgreSQL is the database's: it keeps apart runs that share no folder, and names its holder."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from feedstation.errors import LockedError
from feedstation.store.advisory_lock import DatabaseRunLock

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def test_a_second_run_on_the_same_database_is_refused_with_the_holders_name(postgres_server):
    url = postgres_server.new_database()
    with DatabaseRunLock(url, "the database"):
        with pytest.raises(LockedError, match=rf"another feedstation process is using the database: feedstation .*pid {os.getpid()}"):
            with DatabaseRunLock(url, "the database"):
                pass
    with DatabaseRunLock(url, "the database"):  # released on exit
        pass


def test_a_killed_holders_lock_is_freed_by_the_server(postgres_server):
    url = postgres_server.new_database()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom feedstation.store.advisory_lock import DatabaseRunLock\n"
         "with DatabaseRunLock(sys.argv[1], 'db'):\n    print('held', flush=True)\n    time.sleep(60)\n", url],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.path.abspath(SRC)})
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError):
            with DatabaseRunLock(url, "db"):
                pass
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 20
    while True:  # the server notices the dropped connection within moments
        try:
            with DatabaseRunLock(url, "db"):
                break
        except LockedError:
            assert time.monotonic() < deadline, "the killed holder's lock was never freed"
            time.sleep(0.1)


def test_two_config_folders_on_one_postgresql_database_are_kept_apart(tmp_path, postgres_server):
    from click.testing import CliRunner

    from feedstation.cli import main

    url = postgres_server.new_database().replace("feedstation@", "feedstation:s3cret@")  # trust auth ignores it
    config = tmp_path / "elsewhere" / "feedstation.yaml"
    config.parent.mkdir()
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title><item><title>a</title><guid>a</guid></item></channel></rss>")
    config.write_text(f"storage: {url}\noutput: {{site: null}}\nsources: {{类别: {{站点: {{频道: {feed}}}}}}}\n", encoding="utf-8")
    with DatabaseRunLock(url, "the database"):
        result = CliRunner().invoke(main, ["fetch", "--config", str(config)])
    assert result.exit_code == 3, result.output
    assert f"pid {os.getpid()}" in result.output and "s3cret" not in result.output
    assert CliRunner().invoke(main, ["fetch", "--config", str(config)]).exit_code == 0
