"""kill -9 at any moment, a second run on the same DB, a stale lock, and a feed that keeps failing."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aiohttp import web
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError, ProgrammingError

from feedstation import pipeline
from feedstation.cli import main
from feedstation.config import load_config
from feedstation.store import Store
from tests.hostile.support import (
    db_rows, feedstation_cmd, good_feed, rss, run_subprocess, subprocess_env, write_config,
)
from tests.database_reads import is_postgresql, table_names
from tests.loopback import LoopbackServer

FEEDS, ITEMS = 40, 20
KILL_AFTER_MS = (150, 400, 800, 1200, 1800, 2500, 3500, 4200, 5000, 6000)
SAFETY_NET = 240  # seconds; never an assertion about speed


def versioned_feed(n: int, version: int) -> bytes:
    return rss(f"feed {n}", [
        {"title": f"f{n} item {i} v{version}", "link": f"https://example.com/{n}/{i}", "guid": f"f{n}-{i}",
         "description": f"<p>feed {n} item {i} version {version}</p>", "pubDate": f"Mon, 0{1 + i % 8} Jun 2026 10:00:00 GMT"}
        for i in range(ITEMS)
    ])


def serve_slow_feeds(server: LoopbackServer, latency: float, version: dict | None = None) -> dict:
    """FEEDS feeds of ITEMS items; `version["v"]` (read per request) goes into every title and body."""
    version = version if version is not None else {"v": 0}
    tree: dict = {}
    for n in range(FEEDS):
        delay = latency * (1 + n % 4) / 2  # 0.5×…2× the latency, so feeds finish at different times

        def make(n: int, delay: float):
            async def handler(request: web.Request) -> web.Response:
                await asyncio.sleep(delay)
                return web.Response(body=versioned_feed(n, version["v"]), headers={"Content-Type": "application/rss+xml"})

            return handler

        server.route(f"/f{n}", make(n, delay))
        tree.setdefault(f"分类{n % 3}", {}).setdefault(f"站点{n % 7}", {})[f"频道{n}"] = server.url(f"/f{n}")
    return tree


def start_run(config: Path, *args: str) -> subprocess.Popen:
    # Own session: the process group is ours to clean up (pool workers included) by its id.
    return subprocess.Popen(feedstation_cmd("run", "--config", str(config), *args), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=subprocess_env(), start_new_session=True)


def reap_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=SAFETY_NET)


def store_exists(db: Path | str) -> bool:
    """Whether a killed run left anything to check: a SQLite file, or (always) the PostgreSQL database."""
    return is_postgresql(db) or Path(db).exists()


def check_db_after_crash(db: Path | str) -> list[int]:
    if not is_postgresql(db):  # SQLite's own check of the file (PostgreSQL's WAL replay is the server's)
        assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
    if "feeds" not in table_names(db):
        return []  # killed while the first run was creating the schema: rolled back whole, an empty store
    counts = [n for (n,) in db_rows(
        db, "SELECT COUNT(e.id) FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id GROUP BY f.id")]
    assert set(counts) <= {0, ITEMS}, counts  # one transaction per feed: all of a feed's items or none
    assert db_rows(db, "SELECT feed_id, identity FROM entries GROUP BY feed_id, identity HAVING COUNT(*) > 1") == []
    # An update is one transaction too: a feed's items all carry the same version.
    versions: dict[int, set[str]] = {}
    for feed_id, title in db_rows(db, "SELECT feed_id, title FROM entries"):
        versions.setdefault(feed_id, set()).add(title.rsplit(" ", 1)[-1])
    assert all(len(v) == 1 for v in versions.values()), versions
    return counts


def check_outputs_whole(folder: Path) -> None:
    for path in (folder / "posts").rglob("*.md") if (folder / "posts").exists() else []:
        if path.name.startswith(".fs-"):
            continue
        assert path.read_text(encoding="utf-8").endswith("</div>\n" + " " * 12), f"cut Hexo post {path}"
    for path in (folder / "public").rglob("*.html") if (folder / "public").exists() else []:
        if path.name.startswith(".fs-") or "pagefind" in path.parts:
            continue
        assert re.search(r"</html>\n?\Z", path.read_text(encoding="utf-8")), f"cut site page {path}"


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".fs-*.tmp")]


def test_kill_9_at_any_moment_leaves_a_consistent_db_whole_files_and_a_run_that_completes_after(
        tmp_path, store_target):
    version = {"v": 0}
    with LoopbackServer() as server:
        tree = serve_slow_feeds(server, latency=0.3, version=version)
        db = store_target
        config = write_config(tmp_path, tree, fetch={"per_host": 6, "timeout": 30}, storage=db)
        checked = 0
        for ms in KILL_AFTER_MS:
            # Every feed changes before each run, so every run updates all rows and rewrites every
            # post and page: the kill lands in store transactions or in file writes, never in a no-op.
            version["v"] += 1
            proc = start_run(config, "--force")
            try:
                try:
                    proc.wait(timeout=ms / 1000)  # the kill point; a run that already ended is fine too
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)  # the run's own process only, like `kill -9 <pid>`
                proc.wait(timeout=SAFETY_NET)
                if store_exists(db):
                    check_db_after_crash(db)
                    checked += 1
                check_outputs_whole(tmp_path)
            finally:
                reap_group(proc)  # pool workers orphaned by the kill (see the pooled-run test below)

        # The next normal run starts after a kill: it must take the lock, sweep temp files, finish.
        version["v"] += 1
        final = run_subprocess("run", "--config", str(config), "--force", timeout=SAFETY_NET)
        assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    counts = check_db_after_crash(db)
    assert counts == [ITEMS] * FEEDS
    assert {t.rsplit(" ", 1)[-1] for (t,) in db_rows(db, "SELECT title FROM entries")} == {f"v{version['v']}"}
    assert temp_files(tmp_path) == []
    check_outputs_whole(tmp_path)
    hexo_posts = list((tmp_path / "posts").rglob("*.md"))
    assert len(hexo_posts) == FEEDS * ITEMS
    assert all(p.read_text("utf-8").count(f" v{version['v']}'") == 1 for p in hexo_posts)
    assert len(list((tmp_path / "public" / "item").rglob("*.html"))) == FEEDS * ITEMS
    assert checked, "no kill left a database to check"


def wait_for_lock_holder(lock: Path, proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + SAFETY_NET  # a safety net, not a timing assertion
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the first run ended before it could be observed holding the lock"
        try:
            record = json.loads(lock.read_text() or "{}")
        except (OSError, ValueError):
            record = {}
        if record.get("pid") == proc.pid:
            return record
        time.sleep(0.05)
    raise AssertionError("the first run never took the lock")


def test_second_concurrent_run_is_refused_naming_the_running_pid_and_a_killed_runs_lock_is_taken_over(tmp_path):
    # SQLite only: it watches the lock file beside the database. PostgreSQL's run lock is an advisory
    # lock in the database, refused and freed the same way in tests/store/test_advisory_lock.py.
    with LoopbackServer() as server:
        async def slow(request: web.Request) -> web.Response:
            await asyncio.sleep(60)
            return web.Response(body=good_feed(1))

        server.route("/slow", slow)
        server.serve("/good", good_feed(2))
        config = write_config(tmp_path, {"慢": {"慢站": {"慢频道": server.url("/slow"), "好频道": server.url("/good")}}},
                              fetch={"timeout": 120, "retries": 0})
        first = start_run(config)
        try:
            wait_for_lock_holder(tmp_path / "fs.db.lock", first)
            second = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
            fetch = CliRunner().invoke(main, ["fetch", "--config", str(config)], env={"COLUMNS": "250"})
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=SAFETY_NET)
        finally:
            reap_group(first)
        assert second.exit_code == 3, second.output
        assert f"pid {first.pid}" in second.output and "Traceback" not in second.output
        assert fetch.exit_code == 3 and f"pid {first.pid}" in fetch.output

        server.serve("/slow", good_feed(1, "was-slow"))
        after = CliRunner().invoke(main, ["run", "--config", str(config)], env={"COLUMNS": "250"})
    assert after.exit_code == 0, after.output
    cfg = load_config(config)
    with Store.open(cfg.storage) as store:
        assert {h.channel: h.entry_count for h in store.health()} == {"慢频道": 1, "好频道": 2}


def stored_entries(db: Path) -> int:
    """Entries in a database another process may still be creating (file there, tables not yet)."""
    try:
        return db_rows(db, "SELECT COUNT(*) FROM entries")[0][0] if store_exists(db) else 0
    except (OperationalError, ProgrammingError):
        return 0


def test_kill_9_of_a_pooled_run_frees_the_lock_for_the_next_run(tmp_path):
    # ≥ 24 due feeds: parsing runs in a process pool forked from the run. Its workers must not
    # keep the killed run's lock (an flock is shared with forked children) or the DB busy.
    # SQLite only: the flock on the lock file is what forked workers could inherit; PostgreSQL's
    # advisory lock belongs to the killed run's connection, which the server drops with it.
    with LoopbackServer() as server:
        tree = serve_slow_feeds(server, latency=0.2)
        config = write_config(tmp_path, tree, fetch={"timeout": 30})
        proc = start_run(config)
        try:
            wait_for_lock_holder(tmp_path / "fs.db.lock", proc)
            # Wait until some feed is stored: the pool exists by then (parsing has begun).
            deadline = time.monotonic() + SAFETY_NET
            while time.monotonic() < deadline and proc.poll() is None:
                if stored_entries(tmp_path / "fs.db"):
                    break
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=SAFETY_NET)
            after = run_subprocess("run", "--config", str(config), timeout=SAFETY_NET)
        finally:
            reap_group(proc)
    assert after.returncode == 0, after.stdout[-2000:] + after.stderr[-2000:]
    assert check_db_after_crash(tmp_path / "fs.db") == [ITEMS] * FEEDS


def test_feed_that_keeps_failing_shows_as_error_with_count_and_backs_off_while_others_are_unaffected(
        tmp_path, store_target):
    with LoopbackServer() as server:
        server.serve("/broken", status=500, body=b"internal error")
        server.serve("/good", good_feed(3))
        config = write_config(tmp_path, {"源": {"站": {"坏": server.url("/broken"), "好": server.url("/good")}}},
                              fetch={"retries": 0}, storage=store_target)
        cfg = load_config(config)
        start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=3)
        attempts = []
        with Store.open(cfg.storage) as store:
            for n in range(3):
                now = start + timedelta(days=n)  # past any back-off: each run is due
                run = pipeline.fetch_all(cfg, store, now=lambda now=now: now, force=(n == 2))
                assert {r.source.channel for r in run.reports} == {"坏", "好"}
                attempts.append({h.channel: h for h in store.health()})
        assert len(server.requests_to("/broken")) == 3
        status = CliRunner().invoke(main, ["status", "--config", str(config)], env={"COLUMNS": "250"})
    assert status.exit_code == 0, status.output
    line = next(line for line in status.output.splitlines() if "坏" in line)
    assert "error" in line and "HTTP 500 Internal Server Error" in line and "(3×)" in line, line
    good_line = next(line for line in status.output.splitlines() if "› 好" in line)
    assert "ok" in good_line and "×" not in good_line
    assert "2 feeds: 1 ok, 1 failing, 0 never fetched; 3 items stored" in status.output

    broken = [a["坏"] for a in attempts]
    assert [b.consecutive_failures for b in broken] == [1, 2, 3]
    assert all(b.failing_since == start for b in broken)
    delays = [b.next_attempt_at - (start + timedelta(days=n)) for n, b in enumerate(broken)]
    assert delays[0] < delays[1] < delays[2], delays
    assert all(a["好"].status == "ok" and a["好"].entry_count == 3 and a["好"].consecutive_failures == 0
               for a in attempts)
