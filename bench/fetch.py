"""Fetch benchmark: N small RSS feeds with L ms latency from a loopback server; prints wall time vs the ideal.

Run:  PYTHONPATH=src python bench/fetch.py [--feeds 1000] [--latency-ms 100] [--concurrency 64]

Two measurements in one run against the same server: the fetcher alone, and the whole
fetch stage as `feedstation fetch` runs it (fetch → parse/normalise in a process pool →
one SQLite transaction per feed), which also prints items stored per second.

The ideal wall time is ceil(N / C) × L: C requests in flight at all times, each taking
exactly L. The ratio wall/ideal shows the overhead of the client (1.0 is perfect). The
server runs in a separate process so its event loop does not compete with the client's.

All feeds share one host (127.0.0.1), so per_host is set equal to concurrency;
otherwise the per-host cap (default 6), not the global one, would be what is measured.
allow_private_addresses is on because the server is on loopback.

To extend with parse + store, call `run_fetch_bench` and time the later stages on its
`results` (kept on the returned value).

Before/after in one run: `--baseline /path/to/other/checkout/src` measures the whole stage of that
code and of this checkout alternately, each round in a fresh child process (`--rounds`, default 3),
and prints the medians side by side with their ratio. `--stage-only` measures only the whole stage.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import time
from dataclasses import dataclass, field

from feedstation.fetch import Fetcher
from feedstation.models import FeedState, Fetched, FetchSettings, FetchStatus, Source


def render_feed(feed: int, items: int = 20) -> bytes:
    """A small RSS 2.0 document (~2–3 KB) with `items` items."""
    entries = "".join(
        f"<item><title>Feed {feed} item {i}</title><link>https://example.org/{feed}/{i}</link>"
        f"<guid>https://example.org/{feed}/{i}</guid><pubDate>Thu, 06 Jan 2022 10:32:27 GMT</pubDate>"
        f"<description>Item {i} of feed {feed}.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>https://example.org/{feed}</link>{entries}</channel></rss>"
    ).encode()


def _serve(feeds: int, latency_ms: float, port_out: multiprocessing.connection.Connection) -> None:
    """Server process: answer /feed/<n>.xml after sleeping `latency_ms`."""
    from aiohttp import web

    bodies = [render_feed(n) for n in range(feeds)]

    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(latency_ms / 1000)
        n = int(request.match_info["n"])
        return web.Response(body=bodies[n], content_type="application/rss+xml")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n:\\d+}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port_out.send(runner.addresses[0][1])
        await asyncio.Event().wait()  # until the parent terminates us

    asyncio.run(main())


@dataclass
class FetchBenchResult:
    feeds: int
    latency_ms: float
    concurrency: int
    wall_s: float
    ideal_s: float
    ok: int
    results: list[Fetched] = field(repr=False, default_factory=list)

    @property
    def ratio(self) -> float:
        return self.wall_s / self.ideal_s

    @property
    def requests_per_s(self) -> float:
        return self.feeds / self.wall_s


async def _fetch_all(settings: FetchSettings, urls: list[str]) -> list[Fetched]:
    async with Fetcher(settings) as fetcher:
        sources = [Source("bench", "loopback", f"feed {i}", url) for i, url in enumerate(urls)]
        return list(await asyncio.gather(*(fetcher.fetch(s, FeedState()) for s in sources)))


def start_server(feeds: int, latency_ms: float) -> tuple[multiprocessing.Process, int]:
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(feeds, latency_ms, child_end), daemon=True)
    server.start()
    if not parent_end.poll(30):
        server.terminate()
        raise RuntimeError("benchmark server did not start within 30 s")
    return server, parent_end.recv()


@dataclass
class PipelineBenchResult:
    wall_s: float
    ideal_s: float
    items: int
    failed: int

    @property
    def ratio(self) -> float:
        return self.wall_s / self.ideal_s

    @property
    def items_per_s(self) -> float:
        return self.items / self.wall_s


def run_pipeline_bench(feeds: int = 1000, latency_ms: float = 100, concurrency: int = 64) -> PipelineBenchResult:
    """The whole fetch stage (`pipeline.fetch_all`) into a fresh SQLite file."""
    import json
    import tempfile
    from pathlib import Path

    from feedstation import pipeline
    from feedstation.config import load_config
    from feedstation.store import Store

    server, port = start_server(feeds, latency_ms)
    try:
        with tempfile.TemporaryDirectory() as folder:
            tree = {"bench": {}}
            for n in range(feeds):
                tree["bench"].setdefault(f"site {n // 20}", {})[f"feed {n}"] = f"http://127.0.0.1:{port}/feed/{n}.xml"
            config = Path(folder) / "feedstation.yaml"
            config.write_text(
                f"fetch: {{allow_private_addresses: true, retries: 0, concurrency: {concurrency}, per_host: {concurrency}}}\n"
                f"sources: {json.dumps(tree)}\n", encoding="utf-8")
            cfg = load_config(config)
            started = time.perf_counter()
            with Store.open(cfg.storage) as store:
                run = pipeline.fetch_all(cfg, store)
                items = store.entry_count()
            wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.join(10)
    ideal = math.ceil(feeds / concurrency) * latency_ms / 1000
    return PipelineBenchResult(wall, ideal, items, run.failed)


def run_fetch_bench(feeds: int = 1000, latency_ms: float = 100, concurrency: int = 64) -> FetchBenchResult:
    """Start the server process, fetch every feed once with one Fetcher, and return the numbers."""
    server, port = start_server(feeds, latency_ms)
    try:
        urls = [f"http://127.0.0.1:{port}/feed/{n}.xml" for n in range(feeds)]
        settings = FetchSettings(
            concurrency=concurrency, per_host=concurrency, allow_private_addresses=True, retries=0
        )
        started = time.perf_counter()
        results = asyncio.run(_fetch_all(settings, urls))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.join(10)
    ideal = math.ceil(feeds / concurrency) * latency_ms / 1000
    ok = sum(r.status is FetchStatus.OK for r in results)
    return FetchBenchResult(feeds, latency_ms, concurrency, wall, ideal, ok, results)


def stage_in_child(src: str, feeds: int, latency_ms: float, concurrency: int) -> dict:
    """One whole-stage measurement of the code under `src`, in a fresh interpreter (so imports and
    caches of one version never help the other)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, __file__, "--stage-json", "--feeds", str(feeds), "--latency-ms",
                          str(latency_ms), "--concurrency", str(concurrency)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(baseline_src: str, rounds: int, feeds: int, latency_ms: float, concurrency: int) -> None:
    import statistics
    from pathlib import Path

    from bytecode import compile_tree

    here = str(Path(__file__).resolve().parents[1] / "src")
    compile_tree(baseline_src)  # (this checkout's: in main)
    walls: dict[str, list[float]] = {"before": [], "after": []}
    ideal = math.ceil(feeds / concurrency) * latency_ms / 1000
    for n in range(rounds):
        for label, src in (("before", baseline_src), ("after", here)):
            r = stage_in_child(src, feeds, latency_ms, concurrency)
            walls[label].append(r["wall_s"])
            print(f"round {n + 1} {label:6} wall {r['wall_s']:7.3f} s  ratio {r['wall_s'] / ideal:6.3f}  "
                  f"main-process CPU {r['cpu_s']:6.3f} s  failed {r['failed']}", flush=True)
    before, after = statistics.median(walls["before"]), statistics.median(walls["after"])
    print(f"feeds={feeds} latency={latency_ms:g}ms concurrency={concurrency} ideal {ideal:.3f} s; "
          f"medians of {rounds}:")
    print(f"before    {before:8.3f} s   ratio {before / ideal:6.3f}   ({baseline_src})")
    print(f"after     {after:8.3f} s   ratio {after / ideal:6.3f}   ({here})")
    print(f"after/before {after / before:6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--baseline", metavar="SRC", help="another checkout's src folder: before/after in one run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stage-only", action="store_true", help="only the whole fetch stage")
    parser.add_argument("--stage-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.stage_json:  # the parse workers, spawned in the timed stage, import the package
        from pathlib import Path

        from bytecode import compile_tree

        compile_tree(Path(__file__).resolve().parents[1] / "src")
    if args.baseline:
        compare(args.baseline, args.rounds, args.feeds, args.latency_ms, args.concurrency)
        return
    if args.stage_json:
        import json

        cpu = time.process_time()
        p = run_pipeline_bench(args.feeds, args.latency_ms, args.concurrency)
        print(json.dumps({"wall_s": p.wall_s, "ideal_s": p.ideal_s, "items": p.items, "failed": p.failed,
                          "cpu_s": time.process_time() - cpu}))
        return
    if args.stage_only:
        p = run_pipeline_bench(args.feeds, args.latency_ms, args.concurrency)
        print(f"whole fetch stage: wall {p.wall_s:.3f} s  ratio {p.ratio:.3f}  failed {p.failed}  items {p.items}")
        return
    r = run_fetch_bench(args.feeds, args.latency_ms, args.concurrency)
    print(f"feeds={r.feeds} latency={r.latency_ms:g}ms concurrency={r.concurrency} ok={r.ok}/{r.feeds}")
    print(f"wall      {r.wall_s:8.3f} s")
    print(f"ideal     {r.ideal_s:8.3f} s   (ceil(N/C) x L)")
    print(f"ratio     {r.ratio:8.3f}     (wall / ideal; 1.0 is perfect)")
    print(f"requests  {r.requests_per_s:8.1f} /s")
    if r.ok != r.feeds:
        errors = {x.error for x in r.results if x.status is not FetchStatus.OK}
        print(f"errors: {sorted(e or '?' for e in errors)[:5]}")
    p = run_pipeline_bench(args.feeds, args.latency_ms, args.concurrency)
    print("whole fetch stage (fetch → parse/normalise → SQLite):")
    print(f"wall      {p.wall_s:8.3f} s   failed feeds: {p.failed}")
    print(f"ratio     {p.ratio:8.3f}     (wall / ideal; target <= 1.2)")
    print(f"items     {p.items:8d}       stored, {p.items_per_s:.0f} items/s")


if __name__ == "__main__":
    main()
