"""Benchmark: what `feedstation build` costs as history grows (issue 19), through the real store and CLI.

    python bench/site_history.py --sizes 1000 5000 20000 45000
    python bench/site_history.py --sizes 20000 45000 --against ../site-base     # vs another checkout, step by step

For each history size N it makes a SQLite database of N stored items (the 20×10×5 tree and the 3–8 KB
Chinese/English bodies of bench/site_build.py, one every 37 minutes) and runs, each in a child process
running `feedstation build --config …` (imports, config, store, cards, pages, Pagefind: what a user waits for):

- full build: an empty output folder;
- no-change rebuild: again, nothing changed;
- health only: one feed's 304 stored (by the same code's store: what a run whose feeds had nothing new
  leaves), then a build (only the status page can change);
- one new item: one newer item stored in one feed (by the same code's store), then a build.

It prints wall time, CPU seconds (the child and everything it waited for, Pagefind included), and peak RSS
of the Python process and of the largest Pagefind run, then the ratios one new item / full build, and
with --against the ratios of this checkout to the other, measured side by side (on a shared machine the
load drifts, so only steps run next to each other compare). Each checkout builds from its own copy of
the database, so each runs its own migrations.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from site_build import NOW, TREE, make_entries  # noqa: E402  (the same items as the in-memory benchmark)
from bytecode import compile_tree  # noqa: E402


def write_config(folder: Path, db: Path) -> Path:
    """A config with the 1,000 channels of the bench tree (their URLs are never fetched here)."""
    cats, sites, chans = TREE
    lines = ["site: {title: bench, url: 'https://bench.example.com', page_size: 50, feed_items: 50}",
             f"storage: {json.dumps(str(db))}", f"output: {{site: {json.dumps(str(folder / 'site'))}}}", "sources:"]
    for cat in range(cats):
        lines.append(f"  分类{cat:02d}:")
        for site in range(sites):
            lines.append(f"    站点{cat:02d}-{site}:")
            for chan in range(chans):
                leaf = (cat * sites + site) * chans + chan
                lines.append(f"      频道{chan} {leaf}: https://feeds.example.com/{leaf}.xml")
    path = folder / "feedstation.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def child_fill(db: Path, config: Path, count: int, extra: int) -> None:
    """Store the first `count` items of the bench stream, or with `extra`, only its `extra` newest ones."""
    from feedstation.config import load_config
    from feedstation.models import Entry, FeedMeta, Fetched, FetchStatus
    from feedstation.store import Store

    cfg = load_config(config)
    by_tree = {source.tree: source for source in cfg.sources()}
    stored = make_entries(count - extra, extra) if extra else make_entries(count)
    fresh = stored[-extra:] if extra else stored
    per_feed: dict = {}
    for e in fresh:
        per_feed.setdefault(e.tree, []).append(Entry(
            identity=e.identity, title=e.title, link=e.link, author=e.author, published=e.published, updated=None,
            summary=e.summary, content=e.content, image=e.image, content_hash=e.content_hash))
    with Store.open(db) as store:
        ids = store.sync_feeds(cfg.sources())
        for tree, entries in per_feed.items():
            store.record_success(ids[tree], Fetched(source=by_tree[tree], status=FetchStatus.OK), FeedMeta(),
                                 entries, NOW + timedelta(minutes=extra))


def child_not_modified(db: Path, config: Path) -> None:
    """Store one feed's 304, an hour after the newest item (its health moves, no entry does)."""
    from feedstation.config import load_config
    from feedstation.models import Fetched, FetchStatus
    from feedstation.store import Store

    source = load_config(config).sources()[0]
    with Store.open(db) as store:
        feed_id = store.sync_feeds(load_config(config).sources())[source.tree]
        store.record_not_modified(feed_id, Fetched(source=source, status=FetchStatus.NOT_MODIFIED, http_status=304),
                                  NOW + timedelta(hours=1))


def child_build(config: Path) -> None:
    from feedstation.cli import main

    try:
        main(["build", "--config", str(config)], standalone_mode=False)
    finally:
        print(json.dumps({"python_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and all its descendants every 20 ms; `peak` is the largest sum (MiB).

    A child's own ru_maxrss is no use for Pagefind: a forked child's high-water mark includes the Python
    pages it shared before exec.
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(self.pid)) / 1024)
            self.done.wait(0.02)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    """VmRSS of a process in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def run_child(src: Path, *args: str) -> dict:
    """One child with `src` first on sys.path; wall and CPU seconds around it, and what it printed last."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=out, stderr=subprocess.DEVNULL,
                                env=env)
        memory = TreeMemory(proc.pid)
        memory.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        memory.done.set()
        memory.join()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args[:2]} with {src} failed:\n{text[-3000:]}")
    info = json.loads(text.strip().splitlines()[-1]) if text.strip().startswith("{") or "\n{" in text else {}
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "tree_rss": memory.peak, **info}


def steps(folder: Path, src: Path, size: int, template_db: Path) -> dict[str, dict]:
    """The four builds of one history size with one checkout's code, in its own folder and database copy."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "bench.db"
    shutil.copy(template_db, db)
    config = write_config(folder, db)
    results = {"full build": run_child(src, "build", str(config))}
    results["no-change rebuild"] = run_child(src, "build", str(config))
    run_child(src, "not-modified", str(db), str(config))
    results["health only"] = run_child(src, "build", str(config))
    run_child(src, "fill", str(db), str(config), str(size + 1), "1")
    results["one new item"] = run_child(src, "build", str(config))
    return results


def line(name: str, label: str, r: dict) -> str:
    return (f"{name:5} {label:18} {r['wall']:8.2f} s wall {r['cpu']:8.2f} s CPU   peak RSS: Python "
            f"{r.get('python_rss', 0):6.1f} MiB, with Pagefind running beside it {r['tree_rss']:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 45000])
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", help="also run another checkout's code, interleaved")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            return child_build(Path(rest[0]))
        if kind == "not-modified":
            return child_not_modified(Path(rest[0]), Path(rest[1]))
        return child_fill(Path(rest[0]), Path(rest[1]), int(rest[2]), int(rest[3]))

    checkouts = {"this": ROOT / "src"}
    if args.against:
        checkouts["other"] = args.against.resolve() / "src"
    for src in checkouts.values():
        compile_tree(src)
    with tempfile.TemporaryDirectory(prefix="feedstation-history-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            template = work / f"template-{size}.db"
            seed_folder = work / "seed"
            seed_folder.mkdir(exist_ok=True)
            # Filled by the oldest checkout's store, so each side migrates the same rows up to its own schema.
            filler = checkouts.get("other", checkouts["this"])
            run_child(filler, "fill", str(template), str(write_config(seed_folder, template)), str(size), "0")
            print(f"{size:,} stored items:", flush=True)
            results: dict[str, dict[str, dict]] = {}
            for name, src in checkouts.items():
                results[name] = steps(work / name, src, size, template)
                for label, r in results[name].items():
                    print(line(name, label, r), flush=True)
            this = results["this"]
            print(f"  one new item / full build: wall {this['one new item']['wall'] / this['full build']['wall']:.1%}, "
                  f"CPU {this['one new item']['cpu'] / this['full build']['cpu']:.1%}")
            if "other" in results:
                for label in this:
                    a, b = this[label], results["other"][label]
                    print(f"  {label:18} this/other: wall {a['wall'] / b['wall']:.3f}  CPU {a['cpu'] / b['cpu']:.3f}  "
                          f"peak RSS Python {a.get('python_rss', 0) / max(b.get('python_rss', 1), 1):.3f}, "
                          f"with Pagefind {a['tree_rss'] / max(b['tree_rss'], 1):.3f}")
            shutil.rmtree(work / "this", ignore_errors=True)
            shutil.rmtree(work / "other", ignore_errors=True)
            template.unlink()


if __name__ == "__main__":
    main()
