"""Store write benchmark: per-feed cost of one transaction per feed vs group commit (`Store.record_batch`).

Run:  PYTHONPATH=src python bench/store_write.py [--feeds 1000] [--items 20] [--batch 16]

The fetch stage's store calls run on the event-loop thread, so their CPU time is time the fetches
wait. Same process, same parsed feeds (bench/fetch.py's 20-item RSS), fresh SQLite files: first
store (all new), a re-store with nothing changed, and a 304 for every feed, each written one feed
per transaction (`record_success` / `record_not_modified`) and in batches (`record_batch`). Prints
CPU ms per feed (process time, steadier than wall time on a busy machine) and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch import render_feed  # noqa: E402

from feedstation.models import Fetched, FetchStatus, Source  # noqa: E402
from feedstation.parse_pool import parse_and_normalize  # noqa: E402
from feedstation.store import Store  # noqa: E402
from feedstation.store.writes import NotModifiedWrite, SuccessWrite  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    sources = [Source("bench", f"site {n // 20}", f"feed {n}", f"http://127.0.0.1/feed/{n}.xml")
               for n in range(args.feeds)]
    parsed = [parse_and_normalize(render_feed(n, args.items), s.url, "application/rss+xml", now, None)
              for n, s in enumerate(sources)]
    ok = [Fetched(source=s, status=FetchStatus.OK, http_status=200, etag='"v1"') for s in sources]
    unchanged = [Fetched(source=s, status=FetchStatus.NOT_MODIFIED, http_status=304) for s in sources]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("one per transaction", "group commit"):
            with Store.open(Path(tmp) / f"{mode}.db") as store:
                ids = store.sync_feeds(sources)
                feed_ids = [ids[s.tree] for s in sources]
                for phase in ("new", "unchanged", "304"):
                    if phase == "304":
                        writes = [NotModifiedWrite(f, unchanged[n], now) for n, f in enumerate(feed_ids)]
                    else:
                        writes = [SuccessWrite(f, ok[n], *parsed[n], now) for n, f in enumerate(feed_ids)]
                    started = time.process_time()
                    if mode == "group commit":
                        for i in range(0, len(writes), args.batch):
                            store.record_batch(writes[i:i + args.batch])
                    else:
                        for w in writes:
                            if isinstance(w, SuccessWrite):
                                store.record_success(w.feed_id, w.fetched, w.meta, w.entries, w.now)
                            else:
                                store.record_not_modified(w.feed_id, w.fetched, w.now)
                    results.setdefault(phase, {})[mode] = (time.process_time() - started) * 1000 / args.feeds
    print(f"{args.feeds} feeds x {args.items} items, batches of {args.batch}: CPU ms per feed")
    for phase, row in results.items():
        one, group = row["one per transaction"], row["group commit"]
        print(f"{phase:10} one per transaction {one:6.3f}   group commit {group:6.3f}   ratio {group / one:5.2f}")


if __name__ == "__main__":
    main()
