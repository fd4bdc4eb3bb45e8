"""Distributed fetch benchmark: feeds over several loopback "hosts" with latency, fetched by 1, 2 and 4 workers.

Run:  PYTHONPATH=src python bench/distributed.py [--feeds 480 --hosts 32] [--latency-ms 200] [--workers 1,2,4]
      (the issue's full size: --feeds 10000 --hosts 50; needs redis-server and PostgreSQL, as the tests do)

One server process answers /f<n> on H loopback addresses (127.0.1.1, 127.0.1.2, …: distinct hosts to the
fetcher) after sleeping L ms. For each worker count W, a fresh PostgreSQL database and W real
`feedstation worker --concurrency C` processes; once all W have registered, one forced round
(`pipeline.fetch_all` with `fetch.executor: celery`) is timed: enqueue, fetch → parse → store on the
workers, every report back.

Ideal wall time: a host's batch needs ceil(F/H / per_host) × L (per_host requests in flight to it),
and W × C batches run at once, so ideal = ceil(H / (W × C)) × ceil(F/H / per_host) × L.
Speed-up = wall(1 worker) / wall(W workers); per worker = speed-up / W (1.0 is perfect scaling).

Then the single-process SQLite path (`executor: local`, concurrency 64) on the same feeds, this tree
against --baseline-ref (default `main`; `git archive`d into a temporary folder), alternating, best of 3:
the distributed code must not slow it down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/ holds the Redis and PostgreSQL server helpers


def host_address(n: int) -> str:
    return f"127.0.1.{n + 1}" if n < 254 else f"127.0.{2 + n // 254}.{n % 254 + 1}"


def render_feed(feed: int, items: int) -> bytes:
    entries = "".join(f"<item><title>Feed {feed} item {i}</title><link>https://example.org/{feed}/{i}</link>"
                      f"<guid>https://example.org/{feed}/{i}</guid><pubDate>Thu, 06 Jan 2022 10:32:27 GMT</pubDate>"
                      f"<description>Item {i} of feed {feed}.</description></item>" for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"<link>https://example.org/{feed}</link>{entries}</channel></rss>").encode()


def _serve(feeds: int, hosts: int, items: int, latency_ms: float, port_out) -> None:
    from aiohttp import web

    bodies = [render_feed(n, items) for n in range(feeds)]

    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(latency_ms / 1000)
        return web.Response(body=bodies[int(request.match_info["n"])], content_type="application/rss+xml")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/f{n:\\d+}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        first = web.TCPSite(runner, host_address(0), 0, backlog=4096)
        await first.start()
        port = runner.addresses[0][1]
        for n in range(1, hosts):
            await web.TCPSite(runner, host_address(n), port, backlog=4096).start()
        port_out.send(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def start_server(feeds: int, hosts: int, items: int, latency_ms: float) -> tuple[multiprocessing.Process, int]:
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(feeds, hosts, items, latency_ms, child_end), daemon=True)
    server.start()
    if not parent_end.poll(60):
        server.terminate()
        raise RuntimeError("benchmark server did not start within 60 s")
    return server, parent_end.recv()


def feed_tree(feeds: int, hosts: int, port: int) -> dict:
    tree: dict = {"bench": {}}
    for n in range(feeds):
        host = n % hosts
        tree["bench"].setdefault(f"host {host}", {})[f"feed {n}"] = f"http://{host_address(host)}:{port}/f{n}"
    return tree


def write_config(folder: Path, fetch: dict, storage: str, tree: dict) -> Path:
    path = folder / "feedstation.yaml"
    path.write_text(f"fetch: {json.dumps(fetch)}\nstorage: {json.dumps(storage)}\noutput: {{site: null}}\n"
                    f"sources: {json.dumps(tree)}\n", encoding="utf-8")
    return path


def distributed_round(config_path: Path, workers: int, concurrency: int, folder: Path) -> tuple[float, int, int]:
    """(wall seconds of one forced round, feeds reported, feeds failed) with `workers` worker processes."""
    import redis

    from feedstation import pipeline
    from feedstation.config import load_config
    from feedstation.distributed.registry import live_workers
    from feedstation.store import Store

    config = load_config(config_path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    processes = [subprocess.Popen([sys.executable, "-m", "feedstation", "worker", "--config", str(config_path),
                                   "--concurrency", str(concurrency), "--name", f"bench{n}"],
                                  stdout=open(folder / f"worker{n}.log", "wb"), stderr=subprocess.STDOUT, env=env)
                 for n in range(workers)]
    try:
        client = redis.Redis.from_url(config.fetch.broker)
        deadline = time.monotonic() + 180
        while len(live_workers(client)) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"workers did not start; see {folder}/worker*.log")
            time.sleep(0.1)
        with Store.open(config.storage) as store:
            started = time.perf_counter()
            run = pipeline.fetch_all(config, store, force=True)
            wall = time.perf_counter() - started
        return wall, len(run.reports), run.failed
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(60)


_LOCAL_RUN = """
import json, sys, time
from feedstation import pipeline
from feedstation.config import load_config
from feedstation.store import Store
config = load_config(sys.argv[1])
with Store.open(config.storage) as store:
    started = time.perf_counter()
    run = pipeline.fetch_all(config, store, force=True)
    print(json.dumps({"wall": time.perf_counter() - started, "failed": run.failed, "reports": len(run.reports)}))
"""


def local_round(src: Path, config_path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _LOCAL_RUN, str(config_path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline_tree(ref: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=480)
    parser.add_argument("--hosts", type=int, default=32)
    parser.add_argument("--items", type=int, default=5, help="items per feed")
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--per-host", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=4, help="batches per worker process at once")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--baseline-ref", default="main")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    from tests.postgres_server import PostgresServer
    from tests.redis_server import RedisServer

    server, port = start_server(args.feeds, args.hosts, args.items, args.latency_ms)
    redis_server, postgres = RedisServer().start(), PostgresServer().start()
    tree = feed_tree(args.feeds, args.hosts, port)
    per_batch = math.ceil(math.ceil(args.feeds / args.hosts) / args.per_host) * args.latency_ms / 1000
    print(f"distributed fetch: {args.feeds} feeds × {args.items} items over {args.hosts} hosts, "
          f"{args.latency_ms:g} ms latency, per_host {args.per_host}, {args.concurrency} batches per worker")
    print(f"{'workers':>7}  {'wall s':>8}  {'ideal s':>8}  {'wall/ideal':>10}  {'speed-up':>8}  {'per worker':>10}  failed")
    try:
        walls: dict[int, float] = {}
        for workers in counts:
            redis_server.flush()
            with tempfile.TemporaryDirectory() as folder:
                fetch = {"executor": "celery", "broker": redis_server.url(), "per_host": args.per_host,
                         "concurrency": 64, "allow_private_addresses": True, "retries": 0}
                config = write_config(Path(folder), fetch, postgres.new_database(), tree)
                wall, reports, failed = distributed_round(config, workers, args.concurrency, Path(folder))
            walls[workers] = wall
            ideal = math.ceil(args.hosts / (workers * args.concurrency)) * per_batch
            speed_up = walls[counts[0]] / wall * counts[0]
            print(f"{workers:>7}  {wall:8.2f}  {ideal:8.2f}  {wall / ideal:10.2f}  {speed_up:8.2f}  "
                  f"{speed_up / workers:10.2f}  {failed}" + ("" if reports == args.feeds else f"  ({reports} reports!)"))
        with tempfile.TemporaryDirectory() as folder:
            fetch = {"per_host": args.per_host, "concurrency": 64, "allow_private_addresses": True, "retries": 0}
            config = write_config(Path(folder), fetch, str(Path(folder) / "feeds.db"), tree)
            baseline = baseline_tree(args.baseline_ref, Path(folder) / "baseline")
            here, there = [], []
            for _ in range(3):
                here.append(local_round(REPO / "src", config))
                there.append(local_round(baseline, config))
        ideal = math.ceil(args.feeds / min(64, args.hosts * args.per_host)) * args.latency_ms / 1000
        best_here, best_there = min(r["wall"] for r in here), min(r["wall"] for r in there)
        print(f"single process, SQLite (executor local, concurrency 64): this tree {best_here:.2f} s, "
              f"{args.baseline_ref} {best_there:.2f} s (ratio {best_here / best_there:.2f}); ideal {ideal:.2f} s; "
              f"failed {here[-1]['failed']} / {there[-1]['failed']}")
    finally:
        server.terminate()
        redis_server.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
