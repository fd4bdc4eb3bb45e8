"""Benchmark: one story once (issue 17) — quality on the labelled set, method comparison, cost at 100k items.

    python bench/dedupe.py                       # quality + cost at 100k items (300 a day) + full site build baseline
    python bench/dedupe.py --items 20000         # smaller
    python bench/dedupe.py --per-day 1000        # a denser stream (cost grows with items × items per window)
    python bench/dedupe.py --no-site             # skip the full site build baseline

Quality: every pair of bench/data/dedupe_stories_*.jsonl (see bench/labelled_pairs.py) judged by
(1) feedstation's grouping (canonical links + rapidfuzz on titles and leads), (2) the same rules with
rapidfuzz on titles only, (3) the same rules with MinHash/LSH (datasketch, character 2-gram shingles of
the same normalised titles) at several Jaccard thresholds. Prints precision and recall; no pass/fail
(tests/dedupe/test_quality.py holds the thresholds).

Cost: a synthetic stream of `--items` entries over 200 feeds, `--per-day` a day, 5% of them republished
by another feed with a small title edit. Times `duplicate_groups` and the site's context with dedupe on
and off in this process, MinHash/LSH candidate search on the same titles, and a full `build_site`
(dedupe off, then on) of the same entries in child processes: the ratio is the cost against a full build
measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import labelled_pairs  # noqa: E402

from feedstation.dedupe import WINDOW, canonical_link, duplicate_groups  # noqa: E402
from feedstation.dedupe.near_duplicates import numbers_agree, story_text  # noqa: E402
from feedstation.models import SiteSettings, Source, StoredEntry  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
FEEDS = 200


# --- quality -------------------------------------------------------------------------------------------

def minhash_groups(entries, threshold: float, num_perm: int = 128):
    """The same rules as feedstation's grouping (canonical links, window, other feeds, numbers, questions),
    with MinHash/LSH on character 2-grams of the normalised title as the near-duplicate test."""
    from datasketch import MinHash, MinHashLSH

    texts = [story_text(e.title, e.summary or e.content) for e in entries]
    parent = list(range(len(entries)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    links = {}
    for i, e in enumerate(entries):
        link = canonical_link(e.link)
        if link:
            union(links.setdefault(link, i), i)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for i, t in enumerate(texts):
        shingles = {t.title[k:k + 2].encode() for k in range(max(1, len(t.title) - 1))}
        m = MinHash(num_perm=num_perm)
        m.update_batch(list(shingles))
        hashes.append(m)
        lsh.insert(i, m)
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            a, b = entries[i], entries[j]
            if j == i or a.feed_id == b.feed_id or abs(a.published - b.published) > WINDOW:
                continue
            ta, tb = texts[i], texts[j]
            if ta.question == tb.question and numbers_agree(ta.numbers, tb.numbers) and m.jaccard(hashes[j]) >= threshold:
                union(i, j)
    return {i: find(i) for i in range(len(entries)) if any(find(j) == find(i) for j in range(len(entries)) if j != i)}


def jaccard_groups(entries, title_same: float, lead_same: float, lead_different: float = 0.2):
    """feedstation's rules (links, window, other feeds, numbers, questions, title path and lead path) with
    character 2-gram Jaccard in place of rapidfuzz's ratios: the exact value MinHash/LSH estimates, so this
    is the best MinHash can do with these rules."""
    texts = [story_text(e.title, e.summary or e.content) for e in entries]
    grams = [({t.title[k:k + 2] for k in range(max(1, len(t.title) - 1))},
              {t.lead[k:k + 2] for k in range(max(1, len(t.lead) - 1))} if t.lead else None) for t in texts]

    def jac(a, b):
        return len(a & b) / len(a | b) if a and b else 0.0

    def same(i, j):
        a, b = entries[i], entries[j]
        if canonical_link(a.link) and canonical_link(a.link) == canonical_link(b.link):
            return True
        ta, tb = texts[i], texts[j]
        if a.feed_id == b.feed_id or abs(a.published - b.published) > WINDOW or ta.question != tb.question \
                or not numbers_agree(ta.numbers, tb.numbers):
            return False
        title = jac(grams[i][0], grams[j][0])
        lead = jac(grams[i][1], grams[j][1]) if grams[i][1] and grams[j][1] else None
        if title >= title_same:
            return lead is None or lead >= lead_different
        return lead is not None and lead >= lead_same and title >= 0.1

    parent = list(range(len(entries)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(entries)):
        for j in range(i):
            if same(i, j):
                parent[find(i)] = find(j)
    roots = [find(i) for i in range(len(entries))]
    return {i: r for i, r in enumerate(roots) if roots.count(r) > 1}


def titles_only_groups(entries):
    """feedstation's grouping with the leads blanked: what the title comparison finds alone."""
    blank = [replace(e, summary="", content="") for e in entries]
    return duplicate_groups(blank).group_of


def quality() -> None:
    entries, copies = labelled_pairs.load()
    base = labelled_pairs.score(copies, lambda i, j: False)
    print(f"labelled set: {len(entries)} items, {base.true_pairs} true duplicate pairs, {base.hard_negatives} hard "
          f"negatives (same event or series), {base.negatives} false pairs in all")
    rows = []
    started = time.perf_counter()
    chosen = duplicate_groups(entries).group_of
    rows.append(("feedstation: links + rapidfuzz titles & leads", chosen, time.perf_counter() - started))
    started = time.perf_counter()
    rows.append(("rapidfuzz, titles only", titles_only_groups(entries), time.perf_counter() - started))
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8):
        started = time.perf_counter()
        rows.append((f"MinHash/LSH titles only, Jaccard ≥ {threshold}", minhash_groups(entries, threshold),
                     time.perf_counter() - started))
    best = None
    for title_same in (0.4, 0.5, 0.6, 0.7):
        for lead_same in (0.4, 0.5, 0.6, 0.7):
            for lead_different in (0.1, 0.2, 0.3):
                group_of = jaccard_groups(entries, title_same, lead_same, lead_different)
                s = labelled_pairs.score_groups(copies, group_of)
                key = (s.precision >= 0.97, s.recall if s.precision >= 0.97 else s.precision, s.recall)
                if best is None or key > best[0]:
                    best = (key, f"2-gram Jaccard titles & leads {title_same}/{lead_same}/{lead_different}", group_of)
    rows.append((best[1] + " (best of 48: recall at precision ≥ 0.97, else precision)", best[2], 0.0))
    print(f"{'method':62} {'precision':>9} {'recall':>7} {'false +':>8} {'hard +':>7} {'missed':>7}")
    for name, group_of, _seconds in rows:
        s = labelled_pairs.score_groups(copies, group_of)
        print(f"{name:62} {s.precision:9.3f} {s.recall:7.3f} {s.false_positives:8d} {s.hard_false_positives:7d} "
              f"{len(s.missed):7d}")
    for language in ("zh", "en"):
        keep = [i for i, c in enumerate(copies) if c.language == language]
        sub = [copies[i] for i in keep]
        index = {old: new for new, old in enumerate(keep)}
        s = labelled_pairs.score_groups(sub, {index[i]: g for i, g in chosen.items() if i in index})
        print(f"  feedstation, {language}: precision {s.precision:.3f}, recall {s.recall:.3f} "
              f"({s.true_pairs} true pairs, {s.hard_negatives} hard negatives)")
    held, held_copies = labelled_pairs.load(labelled_pairs.HELD_OUT)
    s = labelled_pairs.score_groups(held_copies, duplicate_groups(held).group_of)
    print(f"  feedstation, held-out set ({len(held)} items written after tuning, zh and en): precision "
          f"{s.precision:.3f}, recall {s.recall:.3f} ({s.true_pairs} true pairs, {s.hard_negatives} hard negatives)")
    for i, j in s.wrong:
        print(f"  held-out wrongly grouped: {held[i].title!r} / {held[j].title!r}")
    for i, j in s.missed:
        print(f"  held-out missed: {held[i].title!r} / {held[j].title!r}")
    s = labelled_pairs.score_groups(copies, chosen)
    for i, j in s.wrong:
        print(f"  wrongly grouped: {entries[i].title!r} / {entries[j].title!r}")
    for i, j in s.missed:
        print(f"  missed: {entries[i].title!r} / {entries[j].title!r}")


# --- cost ----------------------------------------------------------------------------------------------

def stream(count: int, per_day: float) -> list[StoredEntry]:
    """`count` entries over FEEDS feeds, `per_day` a day, newest at NOW; 60% Chinese titles, 40% English;
    bodies of 2–4 KB; every 20th item is a copy of an earlier one from another feed with a small edit."""
    rng = random.Random(17)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
    hanzi = [chr(0x4E00 + rng.randrange(3500)) for _ in range(3500)]
    entries: list[StoredEntry] = []
    for i in range(count):
        when = NOW - timedelta(days=(count - i) / per_day)
        feed = i % FEEDS
        if i % 20 == 19 and entries:
            source = entries[-rng.randint(1, min(len(entries), int(per_day)))]
            title = source.title + (" - 转载" if rng.random() < 0.5 else "!")
            body, link = source.content, source.link + "?utm_source=rss"
        else:
            if rng.random() < 0.6:
                title = "".join(rng.choices(hanzi, k=rng.randint(12, 26)))
                words = "".join(rng.choices(hanzi, k=900))
            else:
                title = " ".join(rng.choices(vocab, k=rng.randint(6, 12))).capitalize()
                words = " ".join(rng.choices(vocab, k=450))
            body, link = f"<p>{words}</p>", f"https://feed{feed}.example.org/{i}"
        category, site = feed // 20, feed // 5
        entries.append(StoredEntry(
            id=i + 1, feed_id=feed + 1, category=f"分类{category:02d}", site=f"站点{site:02d}", channel=f"频道{feed}",
            identity=f"bench:{i}", title=title, link=link, author=None, published=when, updated=None, first_seen=when,
            last_seen=when, summary=body[:600], content=body, image=None, content_hash=str(i)))
    return entries


def child_site(args) -> None:
    from feedstation.publish.site import build_site

    started = time.process_time()
    entries = stream(args.items, args.per_day)
    stream_cpu = time.process_time() - started
    sources = sorted({Source(e.category, e.site, e.channel, f"rsshub:/bench/{e.feed_id}") for e in entries},
                     key=lambda s: s.tree)
    settings = SiteSettings(title="bench", url="https://bench.example.com", dedupe=args.child_site == "on")
    started = time.perf_counter()
    report = build_site(entries, sources, Path(args.out), settings, now=NOW)
    print(json.dumps({"seconds": time.perf_counter() - started, "pages": report.pages, "stream_cpu": stream_cpu}))


def site_build_seconds(items: int, per_day: float, dedupe: str, work: Path) -> tuple[float, float]:
    """(wall seconds of the build, CPU seconds of the whole child: the build, its Pagefind runs and making the entries)."""
    out = work / f"site-{dedupe}"
    command = [sys.executable, __file__, "--child-site", dedupe, "--items", str(items), "--per-day", str(per_day),
               "--out", str(out)]
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(command, stdout=stdout)
        _pid, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"site build child failed: {command}")
        stdout.seek(0)
        report = json.loads(stdout.read().decode().strip().splitlines()[-1])
    return report["seconds"], usage.ru_utime + usage.ru_stime - report["stream_cpu"]


def cost(args) -> None:
    from feedstation.publish.site.context import build_context

    entries = stream(args.items, args.per_day)
    window_items = args.per_day * WINDOW.total_seconds() / 86400
    print(f"\ncost: {len(entries):,} items, {args.per_day:g} a day (≈{window_items:,.0f} items per {WINDOW.days}-day window)")
    # CPU seconds as well as wall time: on a shared machine the wall time says more about the neighbours.
    started, cpu = time.perf_counter(), time.process_time()
    groups = duplicate_groups(entries)
    grouping, grouping_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  duplicate_groups: {grouping:.2f} s wall, {grouping_cpu:.2f} s CPU, {len(groups.groups):,} groups "
          f"({sum(len(g) for g in groups.groups):,} items; {len(entries) // 20:,} copies were planted)")
    timings = {}
    for setting in (False, True):
        settings = SiteSettings(title="bench", url="https://bench.example.com", dedupe=setting)
        cpu = time.process_time()
        build_context(entries, settings)
        timings[setting] = time.process_time() - cpu
    print(f"  site context (CPU): {timings[False]:.2f} s dedupe off, {timings[True]:.2f} s on "
          f"(+{timings[True] - timings[False]:.2f} s)")
    if args.minhash:
        from datasketch import MinHash, MinHashLSH

        sample = entries[: min(len(entries), 20000)]
        started = time.perf_counter()
        lsh = MinHashLSH(threshold=0.6, num_perm=128)
        for i, e in enumerate(sample):
            t = story_text(e.title, "").title
            m = MinHash(num_perm=128)
            m.update_batch([t[k:k + 2].encode() for k in range(max(1, len(t) - 1))])
            lsh.insert(i, m)
            lsh.query(m)
        seconds = time.perf_counter() - started
        print(f"  MinHash/LSH on titles alone (datasketch, 128 permutations): {seconds:.2f} s for {len(sample):,} "
              f"items ≈ {seconds * len(entries) / len(sample):.1f} s for {len(entries):,}")
    if args.no_site:
        return
    with tempfile.TemporaryDirectory() as work:
        off, off_cpu = site_build_seconds(args.items, args.per_day, "off", Path(work))
        on, on_cpu = site_build_seconds(args.items, args.per_day, "on", Path(work) / "2")
    print(f"  full site build of the same entries (child processes, Pagefind included): dedupe off {off:.1f} s wall, "
          f"{off_cpu:.1f} s CPU; on {on:.1f} s wall, {on_cpu:.1f} s CPU")
    print(f"  dedupe / full build (CPU): grouping {grouping_cpu / off_cpu:.1%}, context difference "
          f"{(timings[True] - timings[False]) / off_cpu:.1%}, whole-build difference {(on_cpu - off_cpu) / off_cpu:+.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--per-day", type=float, default=300.0)
    parser.add_argument("--no-site", action="store_true", help="skip the full site build baseline")
    parser.add_argument("--minhash", action="store_true", help="also time MinHash/LSH candidate search")
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--child-site", choices=("on", "off"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child_site:
        child_site(args)
        return
    quality()
    if not args.quality_only:
        cost(args)


if __name__ == "__main__":
    main()
