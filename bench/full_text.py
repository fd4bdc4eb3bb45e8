"""Compare article extractors on the saved pages (tests/fixtures/articles): quality and cost per page.

Run: PYTHONPATH=src python bench/full_text.py [--rounds N]
(needs readability-lxml, the `bench` extra: `pip install readability-lxml`, after feedstation's own install)

Each page is a known article (its `.txt`) inside navigation, ads, share bars, related lists, comments
and a footer. Quality is token F1 between the extracted text and the known text (tokens: English
words lower-cased, and each Chinese character, since Chinese has no spaces), per language, with
the worst page. Cost is this process's CPU time per page, best of `--rounds` passes after a warm-up
pass, so other work on a shared machine disturbs it less than wall time would. The last line is
feedstation's whole step per page (full_text/article.py: trafilatura, nh3, og:image), as a ratio to
the bare extractors measured in the same run.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import lxml.html
import readability
import trafilatura

from feedstation.full_text.article import extract_article

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "articles"
URL = "https://news.example.com/2026/11/article.html"
_TOKEN = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]")


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def f1(got: str, want: str) -> tuple[float, float, float]:
    g, w = tokens(got), tokens(want)
    common = sum((g & w).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def text_of(html: str | None) -> str:
    return lxml.html.fromstring(html).text_content() if html and html.strip() else ""


def trafilatura_default(page: str) -> str:
    return text_of(trafilatura.extract(page, url=URL, output_format="html", include_comments=False,
                                       include_images=True, include_tables=True))


def trafilatura_precision(page: str) -> str:
    return text_of(trafilatura.extract(page, url=URL, output_format="html", include_comments=False,
                                       include_images=True, include_tables=True, favor_precision=True))


def readability_lxml(page: str) -> str:
    return text_of(readability.Document(page, url=URL).summary(html_partial=True))


def feedstation_step(page: str) -> str:
    return text_of(extract_article(page, URL).content)


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "trafilatura (defaults)": trafilatura_default,
    "trafilatura (favor_precision)": trafilatura_precision,
    "readability-lxml": readability_lxml,
    "feedstation step (trafilatura+nh3+og:image)": feedstation_step,
}


def cpu_ms_per_page(extract: Callable[[str], str], pages: list[str], rounds: int) -> float:
    for page in pages:  # warm-up: imports, lazy tables, caches
        extract(page)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for page in pages:
            extract(page)
        best = min(best, time.process_time() - start)
    return best / len(pages) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted(PAGES.glob("*.html"))
    pages = [f.read_text(encoding="utf-8") for f in files]
    known = [f.with_suffix(".txt").read_text(encoding="utf-8") for f in files]
    langs = [f.name.split("-", 1)[0] for f in files]
    print(f"{len(files)} saved pages ({langs.count('en')} English, {langs.count('zh')} Chinese)\n")
    print(f"{'extractor':46} {'lang':4} {'precision':>9} {'recall':>7} {'F1':>6} {'worst F1':>9}")
    costs = {}
    for name, extract in EXTRACTORS.items():
        scores = [f1(extract(page), want) for page, want in zip(pages, known)]
        for lang in ("en", "zh"):
            mine = [s for s, l in zip(scores, langs) if l == lang]
            p, r, f = (sum(s[i] for s in mine) / len(mine) for i in range(3))
            print(f"{name:46} {lang:4} {p:9.3f} {r:7.3f} {f:6.3f} {min(s[2] for s in mine):9.3f}")
        costs[name] = cpu_ms_per_page(extract, pages, args.rounds)
    print(f"\n{'extractor':46} {'CPU ms/page':>11} {'× readability-lxml':>19}")
    base = costs["readability-lxml"]
    for name, cost in costs.items():
        print(f"{name:46} {cost:11.2f} {cost / base:19.2f}")


if __name__ == "__main__":
    main()
