"""No-change run benchmark (issue 19, goal 5): the second run of N feeds finds every one unchanged (304).

Run:  PYTHONPATH=src python bench/no_change.py [--feeds 500] [--items 20] [--latency-ms 200]
          [--baseline /other/checkout/src] [--rounds 3]

One loopback server (bench/feed_server.py: ETag + 304) and, side by side in one run, each round:
- `feedstation fetch` of this checkout (and of `--baseline`, the "before"), started the way a user
  starts it: through a console script like the one pip writes, in a fresh process, so startup
  imports, the parse pool and the printed table are all in the time;
- lemon24/reader (`update_feeds(workers=64, scheduled=False)`), installed from PyPI in a bench-only
  environment (~/.cache/feedstation-bench/reader-venv, made on first use; not a project dependency).
  `scheduled=False`: reader 3.26's default updates only feeds whose update interval (1 h) has passed,
  so its second run would ask for nothing;
- the floor: a bare aiohttp script (the same client library, 64 in flight) that only sends the N
  conditional GETs and counts the 304s: Python's startup, aiohttp's import and the requests, nothing
  else. What any Python tool on aiohttp needs at least on this machine at this moment.
Each tool runs twice on its own database: the first run stores the feeds (200s), the second is the
timed no-change run. Ideal = ceil(N / 64) x latency: 64 requests in flight, each taking the latency.
The server counts the feed requests and 304s of each timed run: a run that did not ask for every feed
with its validators (N requests, N 304s) stops the benchmark.
During feedstation's first run the PSS of its process tree (main process, forkserver, parse workers)
is sampled every 20 ms from /proc; the peak of the sum is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import compile_tree  # noqa: E402
from feed_server import FeedServer  # noqa: E402

CONCURRENCY = 64
HERE_SRC = str(Path(__file__).resolve().parents[1] / "src")
BENCH_CACHE = Path.home() / ".cache" / "feedstation-bench"
READER_VENV = BENCH_CACHE / "reader-venv"
READER_VERSION = "3.26"  # the newest that supports Python 3.11; its vendored feedparser needs sgmllib3k

# What pip writes for `feedstation = "feedstation.cli:main"`: the parse workers re-import this file.
CONSOLE_SCRIPT = """import re
import sys
from feedstation.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""

READER_SCRIPT = """import sys
from reader import make_reader
db, urls, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
reader = make_reader(db)
for url in open(urls).read().split():
    reader.add_feed(url, exist_ok=True)
reader.update_feeds(workers=workers, scheduled=False)
print(sum(1 for _ in reader.get_entries()))
"""

# The floor: conditional GETs with the ETags of the first run, nothing else (json and asyncio are
# imported by any asyncio tool; aiohttp is the client feedstation uses).
FLOOR_SCRIPT = """import asyncio, json, sys
import aiohttp
state, urls, workers = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
try:
    etags = json.load(open(state))
except FileNotFoundError:
    etags = {}
async def main():
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as session:
        async def one(url):
            headers = {"If-None-Match": etags[url]} if url in etags else {}
            async with session.get(url, headers=headers) as answer:
                await answer.read()
                return url, answer.status, answer.headers.get("ETag")
        return await asyncio.gather(*(one(url) for url in urls))
results = asyncio.run(main())
json.dump({url: etag for url, _status, etag in results if etag}, open(state, "w"))
print(sum(1 for _url, status, _etag in results if status == 304))
"""


def reader_python() -> Path:
    python = READER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(READER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"reader=={READER_VERSION}", "sgmllib3k"], check=True)
    return python


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


class PssSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.peak_parts, self._done = pid, 0, {}, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            parts = {p: pss_kib(p) for p in descendants(self.pid)}
            if sum(parts.values()) > self.peak_kib:
                self.peak_kib, self.peak_parts = sum(parts.values()), parts

    def stop(self) -> None:
        self._done.set()
        self.join()


def timed(cmd: list[str], env: dict, sample_pss: bool = False,
          cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess, PssSampler | None]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PssSampler(proc.pid) if sample_pss else None
    if sampler:
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if sampler:
        sampler.stop()
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}): {err[-2000:]}")
    return wall, result, sampler


def feedstation_runs(src: str, server: FeedServer, folder: Path) -> dict:
    """First run (stores everything) and the timed second run (all 304) of `feedstation fetch`."""
    folder.mkdir(parents=True)
    script = folder / "feedstation"
    script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    tree = {"bench": {}}
    for n in range(server.feeds):
        tree["bench"].setdefault(f"site {n // 20}", {})[f"feed {n}"] = server.feed_url(n)
    config = folder / "feedstation.yaml"
    config.write_text(f"fetch: {{allow_private_addresses: true, retries: 0, concurrency: {CONCURRENCY}, "
                      f"per_host: {CONCURRENCY}}}\nsources: {json.dumps(tree)}\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=src, COLUMNS="160")
    cmd = [sys.executable, str(script), "fetch", "--config", str(config), "--force"]
    first, _, sampler = timed(cmd, env, sample_pss=True)
    second, out, _ = counted(server, "feedstation", lambda: timed(cmd, env))
    if f"{server.feeds} unchanged (304)" not in out.stdout:
        raise RuntimeError(f"feedstation's second run was not all-304: {out.stdout[-500:]}")
    return {"first": first, "second": second, "pss_mib": sampler.peak_kib / 1024,
            "pss_processes": len(sampler.peak_parts)}


def counted(server: FeedServer, label: str, run):
    """`run()`, checking with the server that it asked for every feed once and got a 304 each time."""
    before = server.stats()
    result = run()
    after = server.stats()
    asked, unchanged = (after[k] - before[k] for k in ("requests", "not_modified"))
    if asked != server.feeds or unchanged != server.feeds:
        raise RuntimeError(f"{label}'s no-change run made {asked} feed requests ({unchanged} answered 304), "
                           f"not {server.feeds}: it is not the same work")
    return result


def floor_runs(server: FeedServer, folder: Path) -> dict:
    folder.mkdir(parents=True)
    script, urls = folder / "floor.py", folder / "urls.txt"
    script.write_text(FLOOR_SCRIPT, encoding="utf-8")
    urls.write_text("\n".join(server.feed_url(n) for n in range(server.feeds)), encoding="utf-8")
    cmd = [sys.executable, str(script), str(folder / "etags.json"), str(urls), str(CONCURRENCY)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    first, _, _ = timed(cmd, env)
    second, out, _ = counted(server, "the floor", lambda: timed(cmd, env))
    if int(out.stdout.split()[-1]) != server.feeds:
        raise RuntimeError(f"the floor script saw {out.stdout.strip()} 304s")
    return {"first": first, "second": second}


def reader_runs(python: Path, server: FeedServer, folder: Path) -> dict:
    folder.mkdir(parents=True)
    script, urls = folder / "update.py", folder / "urls.txt"
    script.write_text(READER_SCRIPT, encoding="utf-8")
    urls.write_text("\n".join(server.feed_url(n) for n in range(server.feeds)), encoding="utf-8")
    cmd = [str(python), str(script), str(folder / "reader.sqlite"), str(urls), str(CONCURRENCY)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    first, out1, _ = timed(cmd, env)
    second, _, _ = counted(server, "reader", lambda: timed(cmd, env))
    if int(out1.stdout.split()[-1]) != server.feeds * server.items:
        raise RuntimeError(f"reader stored {out1.stdout.strip()} entries")
    return {"first": first, "second": second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--baseline", metavar="SRC", help="another checkout's src folder (the 'before')")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-reader", action="store_true", help="skip lemon24/reader")
    args = parser.parse_args()
    ideal = math.ceil(args.feeds / CONCURRENCY) * args.latency_ms / 1000
    tools = [("feedstation", HERE_SRC)] + ([("before", args.baseline)] if args.baseline else [])
    for _name, src in tools:
        compile_tree(src)
    python = None if args.no_reader else reader_python()
    results: dict[str, list[dict]] = {}
    with FeedServer(args.feeds, args.items, args.latency_ms) as server, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            for label, src in tools:
                r = feedstation_runs(src, server, Path(tmp) / f"{label}-{n}")
                results.setdefault(label, []).append(r)
                print(f"round {n + 1} {label:11} first {r['first']:6.2f} s  no-change {r['second']:6.2f} s "
                      f"({r['second'] / ideal:5.2f}x ideal)  peak PSS {r['pss_mib']:6.1f} MiB over "
                      f"{r['pss_processes']} processes", flush=True)
            r = floor_runs(server, Path(tmp) / f"floor-{n}")
            results.setdefault("floor", []).append(r)
            print(f"round {n + 1} {'floor':11} first {r['first']:6.2f} s  no-change {r['second']:6.2f} s "
                  f"({r['second'] / ideal:5.2f}x ideal)  bare aiohttp: startup + the requests", flush=True)
            if python is not None:
                r = reader_runs(python, server, Path(tmp) / f"reader-{n}")
                results.setdefault("reader", []).append(r)
                print(f"round {n + 1} {'reader':11} first {r['first']:6.2f} s  no-change {r['second']:6.2f} s "
                      f"({r['second'] / ideal:5.2f}x ideal)", flush=True)
    print(f"\n{args.feeds} feeds x {args.items} items at {args.latency_ms:g} ms, concurrency {CONCURRENCY}; "
          f"ideal {ideal:.2f} s; medians of {args.rounds}:")
    mine = statistics.median(r["second"] for r in results["feedstation"])
    for label, rows in results.items():
        first = statistics.median(r["first"] for r in rows)
        second = statistics.median(r["second"] for r in rows)
        pss = f"  peak PSS {statistics.median(r['pss_mib'] for r in rows):6.1f} MiB" if "pss_mib" in rows[0] else ""
        print(f"{label:11} first run {first:6.2f} s   no-change run {second:6.2f} s = {second / ideal:5.2f}x ideal, "
              f"feedstation takes {mine / second:5.2f}x this{pss}")


if __name__ == "__main__":
    main()
