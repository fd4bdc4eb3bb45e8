"""Hexo export benchmark: 20,000 entries in a 20×10×5 tree; prints full and no-change export time against the write floor.

Run:  PYTHONPATH=src python bench/hexo_export.py [--entries 20000] [--rounds 3]

- full: `export_hexo` into an empty folder (render, name, write atomically, manifest).
- no change: the same export again over its own output (should write nothing).
- floor: the same bytes to the same paths in a fresh folder with plain open()/write().
Targets: full ≤ 2× floor, no change ≤ 10% of full. The best of --rounds is reported, and
each timed phase starts after os.sync(). Also timed: OutputWriter alone writing the same
files (the share of the full export that is the writer's, not the export's).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from feedstation.models import StoredEntry
from feedstation.publish.hexo import MANIFEST_NAME, export_hexo
from feedstation.publish.writer import OutputWriter

WORDS = "哈萨克斯坦 总统 政府 安全 部队 报道 城市 警察 示威 局势 news update release feature 开源 项目 发布 版本".split()


def make_entries(count: int, seed: int = 7) -> list[StoredEntry]:
    """Deterministic entries: 20 categories × 10 sites × 5 channels, 3–8 KB of HTML each."""
    rng = random.Random(seed)
    channels = [(f"分类{c:02d}", f"站点{s:02d}", f"频道{h}") for c in range(20) for s in range(10) for h in range(5)]
    start = datetime(2022, 1, 1, tzinfo=timezone.utc)
    entries = []
    for n in range(count):
        category, site, channel = channels[n % len(channels)]
        paragraphs, size, target = [], 0, rng.randint(3000, 8000)
        while size < target:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40)))
            para = f'<p>{text} {{{n}}}</p><img src="https://img.example.com/{n}/{size}.jpg" loading="lazy">'
            paragraphs.append(para)
            size += len(para.encode("utf-8"))
        published = start + timedelta(minutes=n)
        entries.append(StoredEntry(
            id=n, feed_id=n % len(channels), category=category, site=site, channel=channel,
            identity=f"https://example.com/{n}", title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} 第{n}条",
            link=f"https://example.com/{n}", author=None, published=published, updated=None,
            first_seen=published, last_seen=published, summary="", content="".join(paragraphs),
            image=None if n % 3 else f"https://img.example.com/{n}.jpg", content_hash=str(n),
        ))
    return entries


def write_floor(files: list[tuple[str, bytes]], root: Path) -> None:
    made: set[Path] = set()
    for relpath, data in files:
        path = root / relpath
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "wb") as handle:
            handle.write(data)


def write_with_writer(files: list[tuple[str, bytes]], root: Path) -> None:
    writer = OutputWriter(root)
    for relpath, data in files:
        writer.write(relpath, data)


def timed(fn) -> float:
    # Flush the previous phase's dirty pages first, or kernel writeback throttling bills
    # them to whichever phase runs next (seen as 10× swings on a shared disk).
    os.sync()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None,
                        help="file system to write on (default: the system temp folder; /dev/shm takes the disk out)")
    args = parser.parse_args()

    entries = make_entries(args.entries)
    full, again, floor, writer_only = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="fs-hexo-bench-", dir=args.dir) as tmp:
        for round_ in range(args.rounds):
            out = Path(tmp, f"export-{round_}")
            full.append(timed(lambda: export_hexo(entries, out)))
            report = None

            def rerun():
                nonlocal report
                report = export_hexo(entries, out)

            again.append(timed(rerun))
            assert report.written == 0 and report.removed == 0, report
            files = [(p.relative_to(out).as_posix(), p.read_bytes()) for p in out.rglob("*.md")]
            files.append((MANIFEST_NAME, (out / MANIFEST_NAME).read_bytes()))
            floor_dir = Path(tmp, f"floor-{round_}")
            floor.append(timed(lambda: write_floor(files, floor_dir)))
            writer_dir = Path(tmp, f"writer-{round_}")
            writer_only.append(timed(lambda: write_with_writer(files, writer_dir)))
            for folder in (out, floor_dir, writer_dir):
                shutil.rmtree(folder)

    megabytes = sum(len(data) for _, data in files) / 1e6
    best_full, best_again, best_floor = min(full), min(again), min(floor)
    print(f"{args.entries} entries, {len(files) - 1} posts, {megabytes:.1f} MB, best of {args.rounds}")
    best_writer = min(writer_only)
    print(f"floor (plain open/write):  {best_floor:7.3f} s")
    print(f"OutputWriter alone:        {best_writer:7.3f} s   {best_writer / best_floor:5.2f}× floor")
    print(f"full export:               {best_full:7.3f} s   {best_full / best_floor:5.2f}× floor   (target ≤ 2×)")
    print(f"no-change re-export:       {best_again:7.3f} s   {best_again / best_full:5.1%} of full  (target ≤ 10%)")


if __name__ == "__main__":
    main()
