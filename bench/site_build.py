"""Benchmark: feedstation's site build vs `hexo generate` on the same items; prints ratios, not pass/fail.

    python bench/site_build.py --items 2000
    NODE_OPTIONS=--max-old-space-size=8192 python bench/site_build.py            # 20,000 items
    python bench/site_build.py --items 20000 --no-hexo                           # feedstation only
    python bench/site_build.py --items 20000 --hexo-items 2000                   # Hexo at a smaller N
    python bench/site_build.py --items 20000 --no-hexo --against ../site-base    # vs another checkout's code

`--against` builds the same items with the code of another checkout (e.g. a `git worktree
add --detach` of the baseline commit), each step of the two interleaved, and prints the
ratios of the two: on a shared machine the load drifts, so only a side-by-side run is a
measurement. CPU seconds (user + system of the child and its Pagefind runs) are printed
beside the wall time: they vary less than the wall time when other work shares the cores.

Each measured step runs in its own child process; its peak RSS is read from
`os.wait4`'s rusage (the RUSAGE_CHILDREN figure of exactly that child and what it
waited for, e.g. the Pagefind runs, one per monthly search shard: the largest of them,
not their sum), and its wall time around the whole process. The Python process's own
peak is printed beside it, so Pagefind's share is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
TREE = (20, 10, 5)  # categories × sites × channels
HEXO_PACKAGES = {"hexo": "^7.3.0", "hexo-renderer-marked": "^6.3.0", "hexo-renderer-ejs": "^2.0.0",
                 "hexo-generator-index": "^4.0.0", "hexo-generator-archive": "^2.0.0",
                 "hexo-generator-category": "^2.0.0", "hexo-generator-tag": "^2.0.0"}
WORDS_ZH = "新闻 科技 研究 发布 用户 数据 模型 城市 经济 教育 政策 市场 平台 开源 社区 电影 音乐 游戏 旅行 健康".split()
WORDS_EN = "the quick static site feed reader builds pages from many sources with search and dark mode".split()


def make_entries(count: int, extra: int = 0, src: Path = ROOT / "src"):
    """`count` deterministic entries (3–8 KB of HTML each) over the 20×10×5 tree, plus `extra` newer ones."""
    sys.path.insert(0, str(src))
    from feedstation.models import StoredEntry

    cats, sites, chans = TREE
    entries = []
    for i in range(count + extra):
        rng = random.Random(i)
        leaf = i % (cats * sites * chans)
        cat, site, chan = leaf // (sites * chans), leaf // chans % sites, leaf % chans
        paragraphs, size, target = [], 0, rng.randint(3000, 8000)
        while size < target:
            words = rng.choices(WORDS_ZH, k=40) if rng.random() < 0.6 else rng.choices(WORDS_EN, k=30)
            text = ("" if words[0] in WORDS_ZH else " ").join(words)
            paragraphs.append(f"<p>{text}，<a href=\"https://example.org/{i}/{size}\">链接</a></p>")
            size += len(paragraphs[-1].encode())
        if i % 3 == 0:
            paragraphs.insert(1, f'<p><img src="https://img.example.org/{i}.jpg"></p>')
        html = "".join(paragraphs)
        when = NOW - timedelta(minutes=37 * (count - i))  # newer with i; extra ones are newest
        entries.append(StoredEntry(
            id=i + 1, feed_id=leaf + 1, category=f"分类{cat:02d}", site=f"站点{cat:02d}-{site}", channel=f"频道{chan} {leaf}",
            identity=f"bench:{i}", title=f"第 {i} 条：{rng.choice(WORDS_ZH)}{rng.choice(WORDS_ZH)} {rng.choice(WORDS_EN)}",
            link=f"https://example.org/post/{i}", author=None, published=when, updated=None, first_seen=when,
            last_seen=when, summary=html[:600], content=html,
            image=f"https://img.example.org/{i}.jpg" if i % 3 == 0 else None, content_hash=str(i)))
    return entries


def child_main(args) -> None:
    """Runs inside a measured child: one site build, or the Hexo export."""
    entries = make_entries(args.items, args.extra, Path(args.src) if args.src else ROOT / "src")
    out = Path(args.out)
    if args.child == "site":
        from feedstation.models import SiteSettings, Source
        from feedstation.publish.site import build_site

        sources = sorted({Source(e.category, e.site, e.channel, f"rsshub:/bench/{e.feed_id}") for e in entries},
                         key=lambda s: s.tree)
        settings = SiteSettings(title="bench", url="https://bench.example.com", page_size=50, feed_items=50)
        started = time.perf_counter()
        report = build_site(entries, sources, out, settings, now=NOW)
        import resource

        print(json.dumps({"seconds": time.perf_counter() - started, "pages": report.pages, "written": report.written,
                          "python_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    else:
        from feedstation.publish.hexo import export_hexo

        export_hexo(entries, out)


def measure(command: list[str], *, cwd: Path | None = None, env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one child process; its CPU seconds go to `LAST_CPU`."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        LAST_CPU[0] = usage.ru_utime + usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        text = stdout.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{command[:3]} failed with exit {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, text  # Linux reports KiB


LAST_CPU = [0.0]


def site_step(work: Path, items: int, extra: int = 0, src: Path = ROOT / "src") -> tuple[float, float, dict]:
    """One build in a child (the code in `src`); its info carries the child's CPU seconds as "cpu"."""
    command = [sys.executable, __file__, "--child", "site", "--items", str(items), "--extra", str(extra),
               "--out", str(work / "site"), "--src", str(src)]
    wall, rss, text = measure(command)
    info = json.loads(text.strip().splitlines()[-1])
    info["cpu"] = LAST_CPU[0]
    return wall, rss, info


def compare(work: Path, items: int, other: Path) -> None:
    """The three steps with this checkout's code and `other`'s, interleaved step by step; prints the ratios."""
    checkouts = {"this": ROOT, "other": other.resolve()}
    steps = (("full build", 0), ("no-change build", 0), ("one new item", 1))
    rows: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    for label, extra in steps:
        for name, checkout in checkouts.items():
            wall, rss, info = site_step(work / name, items, extra, checkout / "src")
            rows.setdefault(label, {})[name] = (wall, info["cpu"], rss, info["seconds"])
            print(f"{name:5} {label:16} {wall:8.2f} s wall {info['cpu']:8.2f} s CPU  peak RSS {rss:7.1f} MiB  "
                  f"({info['written']} written)", flush=True)
    sizes = {name: dict(output_sizes(work / name / "site"))["total"] for name in checkouts}
    print(f"this = {ROOT}, other = {checkouts['other']}")
    for label, _extra in steps:
        this, that = rows[label]["this"], rows[label]["other"]
        print(f"{label:16} this/other: wall {this[0] / that[0]:.3f}  CPU {this[1] / that[1]:.3f}  "
              f"in-process {this[3] / that[3]:.3f}  peak RSS {this[2] / that[2]:.3f}")
    print(f"output size      this/other: {sizes['this'] / sizes['other']:.3f} "
          f"({sizes['this'] / 2**20:.0f} vs {sizes['other'] / 2**20:.0f} MiB)")


def output_sizes(site: Path) -> list[tuple[str, int]]:
    """Bytes on disk of the site's parts: site-wide feeds, section feeds, search bundle, everything."""
    sizes = {"site-wide feeds": 0, "section feeds": 0, "search index": 0, "total": 0}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size, rel = path.stat().st_size, path.relative_to(site).as_posix()
        sizes["total"] += size
        if rel in ("atom.xml", "rss.xml", "feed.json"):
            sizes["site-wide feeds"] += size
        elif path.name in ("atom.xml", "rss.xml", "feed.json"):
            sizes["section feeds"] += size
        elif rel.startswith("pagefind/"):
            sizes["search index"] += size
    return list(sizes.items())


def prepare_hexo(cache: Path, work: Path, items: int) -> Path | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("hexo: node/npm not found, skipping the comparison")
        return None
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "package.json").write_text(json.dumps({"name": "bench-hexo", "private": True, "dependencies": HEXO_PACKAGES}))
    if not (cache / "node_modules" / "hexo").is_dir():
        print(f"hexo: npm install into {cache} …", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache, check=True)
    blog = work / "hexo"
    theme = blog / "themes" / "minimal" / "layout"
    theme.mkdir(parents=True)
    (blog / "package.json").write_text(json.dumps({"name": "bench-blog", "private": True, "hexo": {"version": "7.3.0"},
                                                   "dependencies": HEXO_PACKAGES}))
    os.symlink(cache / "node_modules", blog / "node_modules")
    (blog / "_config.yml").write_text(
        "title: bench\nurl: https://bench.example.com\npermalink: :year/:month/:day/:title/\n"
        "source_dir: source\npublic_dir: public\ntheme: minimal\nper_page: 100\n"
        "index_generator:\n  per_page: 100\narchive_generator:\n  per_page: 100\n  yearly: true\n  monthly: true\n"
        "category_generator:\n  per_page: 100\ntag_generator:\n  per_page: 100\n", encoding="utf-8")
    (theme / "layout.ejs").write_text("<!doctype html><html><head><title><%= config.title %></title></head>"
                                      "<body><%- body %></body></html>\n")
    listing = ("<% page.posts.each(function(post){ %><article><a href=\"<%- url_for(post.path) %>\"><%= post.title %></a>"
               "<%- post.excerpt %></article><% }) %><%- paginator() %>\n")
    for name in ("index", "archive", "category", "tag"):
        (theme / f"{name}.ejs").write_text(listing)
    (theme / "post.ejs").write_text("<article><h1><%= page.title %></h1><%- page.content %></article>\n")
    command = [sys.executable, __file__, "--child", "hexo", "--items", str(items), "--out", str(blog / "source" / "_posts")]
    measure(command)
    return blog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--no-hexo", action="store_true", help="only benchmark feedstation")
    parser.add_argument("--hexo-items", type=int, help="run Hexo on this many items instead (default: --items); "
                        "ratios are printed only when the counts match")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "feedstation-bench-hexo",
                        help="where npm installs Hexo once")
    parser.add_argument("--child", choices=("site", "hexo"), help=argparse.SUPPRESS)
    parser.add_argument("--extra", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also build with another checkout's code, interleaved, and print this/other ratios")
    args = parser.parse_args()
    if args.child:
        return child_main(args)
    if args.against:
        with tempfile.TemporaryDirectory(prefix="feedstation-bench-") as tmp:
            print(f"items: {args.items} over a {'×'.join(map(str, TREE))} tree", flush=True)
            compare(Path(tmp), args.items, args.against)
        return

    with tempfile.TemporaryDirectory(prefix="feedstation-bench-") as tmp:
        work = Path(tmp)
        print(f"items: {args.items} over a {'×'.join(map(str, TREE))} tree", flush=True)
        full, full_rss, info = site_step(work, args.items)
        print(f"feedstation full build:      {full:8.2f} s  ({info['cpu']:.2f} s CPU)  peak RSS {full_rss:8.1f} MiB  "
              f"(Python alone {info['python_rss']:.1f} MiB; {info['pages']} files)")
        print("  output: " + ", ".join(f"{label} {size / 2**20:.1f} MiB" for label, size in output_sizes(work / "site")))
        again, again_rss, info2 = site_step(work, args.items)
        print(f"feedstation no-change build: {again:8.2f} s  peak RSS {again_rss:8.1f} MiB  ({info2['written']} written)")
        one, one_rss, info3 = site_step(work, args.items, extra=1)
        print(f"feedstation one new item:    {one:8.2f} s  peak RSS {one_rss:8.1f} MiB  "
              f"(Python alone {info3['python_rss']:.1f} MiB; {info3['written']} written)")
        print(f"  (in-process build_site: full {info['seconds']:.2f} s, no-change {info2['seconds']:.2f} s, "
              f"one new {info3['seconds']:.2f} s; the rest is Python start-up and generating the items)")
        print(f"no-change rebuild / full build: {again / full:.1%} (target ≤ 3%; in-process {info2['seconds'] / info['seconds']:.1%})")

        hexo_items = args.hexo_items or args.items
        blog = None if args.no_hexo else prepare_hexo(args.cache, work, hexo_items)
        if blog is not None:
            hexo_bin = str(blog / "node_modules" / "hexo" / "bin" / "hexo")
            env = {**os.environ}
            env.setdefault("NODE_OPTIONS", "--max-old-space-size=8192")
            hexo, hexo_rss, _ = measure(["node", hexo_bin, "generate", "--silent"], cwd=blog, env=env)
            pages = sum(1 for _ in (blog / "public").rglob("*.html"))
            print(f"hexo generate (full):        {hexo:8.2f} s  peak RSS {hexo_rss:8.1f} MiB  ({pages} html files, "
                  f"{hexo_items} items)")
            if hexo_items != args.items:
                return  # different sizes: a ratio would mislead
            print(f"hexo time / feedstation time: {hexo / full:.1f}×  (target ≥ 20×)")
            print(f"feedstation RSS / hexo RSS:   {full_rss / hexo_rss:.3f}  (target ≤ 0.10)")


if __name__ == "__main__":
    main()
