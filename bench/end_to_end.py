"""End to end vs osmosfeed (issue 19, goal 6): fetch + site for N feeds, two runs each, side by side in one run.

Run:  PYTHONPATH=src python bench/end_to_end.py [--feeds 200] [--items 20] [--latency-ms 100] [--rounds 3]
          [--baseline /other/checkout/src]

One loopback server (bench/feed_server.py). Each round, on fresh folders:
- `feedstation run` (fetch → store → the full multi-page site under `output.site`), through a console
  script like pip's, twice: the first run stores everything and writes the site, the second finds
  every feed unchanged (304) and the site up to date;
- osmosfeed (npm `@osmoscraft/osmosfeed`, installed in ~/.cache/feedstation-bench/osmosfeed on first use,
  not a project dependency), twice in its own folder: it downloads every feed (it sends no validators)
  and, on the first run, every new item's page (its "enrich" step; the server answers those too),
  then writes its one-page site and its cache.
The site-build part of feedstation's time belongs to bench/site_build.py; this prints the whole ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytecode import compile_tree  # noqa: E402
from feed_server import FeedServer  # noqa: E402
from no_change import CONCURRENCY, CONSOLE_SCRIPT, HERE_SRC, timed  # noqa: E402

OSMOSFEED_DIR = Path.home() / ".cache" / "feedstation-bench" / "osmosfeed"
OSMOSFEED_VERSION = "1.15.1"


def osmosfeed_main() -> Path:
    main = OSMOSFEED_DIR / "node_modules" / "@osmoscraft" / "osmosfeed" / "main.js"
    if not main.exists():
        OSMOSFEED_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(OSMOSFEED_DIR),
                        f"@osmoscraft/osmosfeed@{OSMOSFEED_VERSION}"], check=True)
    return main


def feedstation_runs(src: str, server: FeedServer, folder: Path) -> dict:
    folder.mkdir(parents=True)
    script = folder / "feedstation"
    script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    tree = {"bench": {}}
    for n in range(server.feeds):
        tree["bench"].setdefault(f"site {n // 20}", {})[f"feed {n}"] = server.feed_url(n)
    config = folder / "feedstation.yaml"
    config.write_text(f"fetch: {{allow_private_addresses: true, retries: 0, concurrency: {CONCURRENCY}, "
                      f"per_host: {CONCURRENCY}}}\noutput: {{site: public}}\nsources: {json.dumps(tree)}\n",
                      encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=src, COLUMNS="160")
    cmd = [sys.executable, str(script), "run", "--config", str(config), "--force"]
    first, _, _ = timed(cmd, env)
    second, _, _ = timed(cmd, env)
    pages = sum(1 for p in (folder / "public").rglob("*.html"))
    return {"first": first, "second": second, "pages": pages}


def osmosfeed_runs(main: Path, server: FeedServer, folder: Path) -> dict:
    folder.mkdir(parents=True)
    lines = ["sources:"] + [f"  - href: {server.feed_url(n)}" for n in range(server.feeds)]
    (folder / "osmosfeed.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ)

    def run() -> float:
        wall, _, _ = timed(["node", str(main)], env, cwd=folder)
        return wall

    first, second = run(), run()
    pages = sum(1 for p in (folder / "public").rglob("*.html"))
    return {"first": first, "second": second, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="SRC", help="another checkout's src folder (the 'before')")
    args = parser.parse_args()
    node_main = osmosfeed_main()
    tools = [("feedstation", HERE_SRC)] + ([("before", args.baseline)] if args.baseline else [])
    for _name, src in tools:
        compile_tree(src)
    results: dict[str, list[dict]] = {}
    with FeedServer(args.feeds, args.items, args.latency_ms) as server, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            for label, src in tools:
                r = feedstation_runs(src, server, Path(tmp) / f"{label}-{n}")
                results.setdefault(label, []).append(r)
                print(f"round {n + 1} {label:11} first {r['first']:6.2f} s  second {r['second']:6.2f} s  "
                      f"{r['pages']} pages", flush=True)
            r = osmosfeed_runs(node_main, server, Path(tmp) / f"osmosfeed-{n}")
            results.setdefault("osmosfeed", []).append(r)
            print(f"round {n + 1} {'osmosfeed':11} first {r['first']:6.2f} s  second {r['second']:6.2f} s  "
                  f"{r['pages']} pages", flush=True)
    print(f"\n{args.feeds} feeds x {args.items} items at {args.latency_ms:g} ms; medians of {args.rounds}:")
    peer = results["osmosfeed"]
    peer_first = statistics.median(r["first"] for r in peer)
    peer_second = statistics.median(r["second"] for r in peer)
    for label, rows in results.items():
        first = statistics.median(r["first"] for r in rows)
        second = statistics.median(r["second"] for r in rows)
        print(f"{label:11} first run {first:6.2f} s ({first / peer_first:5.2f}x osmosfeed)   "
              f"second run {second:6.2f} s ({second / peer_second:5.2f}x osmosfeed)   {rows[0]['pages']} pages")


if __name__ == "__main__":
    main()
