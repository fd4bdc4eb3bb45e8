"""Hexo + Volantis memory per post: `hexo generate` peak RSS and time at two sizes, from real npm installs.

Run:  PYTHONPATH=src:. python bench/hexo_volantis_memory.py [--posts 200 400] [--theme volantis6 volantis5]

Posts are bench/hexo_export.py's deterministic entries (3–8 KB of Chinese HTML each, 20×10×5 tree),
exported by feedstation with the options the README recommends for the theme. Each size is generated
once in a fresh site under /usr/bin/time -v (peak RSS of hexo and its children). The per-post figure
is the slope between the two sizes, so Hexo's fixed start-up cost is not counted per post.
Toolsets: tests/npm/hexo7-volantis6 and tests/npm/hexo5-volantis5 (installed by tests/setup.sh).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hexo_export import make_entries  # noqa: E402

from feedstation.publish.hexo import HexoOptions, export_hexo  # noqa: E402
from tests.publish.hexo_sites import hexo_command, hexo_env, make_site  # noqa: E402

THEMES = {
    "volantis6": ("hexo7-volantis6", "7", HexoOptions(extra_front_matter=(("title_display", True),))),
    "volantis5": ("hexo5-volantis5", "5", HexoOptions()),
}
CONFIG = "title: bench\nurl: http://example.com\npermalink: :year/:month/:day/:title/\ntimezone: UTC\ntheme: volantis\n"


def measure(theme: str, posts: int) -> tuple[float, float]:
    """(seconds, peak MiB) of one `hexo generate` over `posts` exported posts."""
    toolset, major, options = THEMES[theme]
    with tempfile.TemporaryDirectory(prefix="fs-hexo-mem-") as tmp:
        site = make_site(Path(tmp) / "site", toolset, major, CONFIG)
        export_hexo(make_entries(posts), site / "source" / "_posts", options=options)
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", *hexo_command(site)], cwd=site, env=hexo_env(site, "UTC"),
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"hexo generate failed for {theme} at {posts} posts:\n{done.stderr[-3000:]}")
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
        return seconds, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs=2, default=[200, 400])
    parser.add_argument("--theme", nargs="+", default=list(THEMES), choices=list(THEMES))
    args = parser.parse_args()
    small, large = args.posts
    for theme in args.theme:
        (t1, m1), (t2, m2) = measure(theme, small), measure(theme, large)
        per_post = (m2 - m1) / (large - small)
        print(f"{theme}: {small} posts {t1:.1f} s {m1:.0f} MiB · {large} posts {t2:.1f} s {m2:.0f} MiB · "
              f"{per_post:.2f} MiB and {(t2 - t1) / (large - small) * 1000:.0f} ms per extra post", flush=True)


if __name__ == "__main__":
    main()
