"""Benchmark parse + normalise on a 50-item feed of ~4 KB Chinese HTML items; prints rates and ratios.

Run: PYTHONPATH=src python bench/parse.py [--rounds N]
Compares the two XML paths — the feedparser adapter (its sanitiser off) and the lxml fast path
(parse/fast_xml.py, which gives the same ParsedFeed) — alone and followed by normalise (nh3),
with the floor the design brief measured: lxml reading the same fields plus nh3 cleaning the
bodies. Rates use this process's CPU time (best of three runs), so other work on a shared
machine disturbs them less than it would wall time.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from email.utils import format_datetime

import nh3
from lxml import etree

from feedstation.normalize import normalize_entries
from feedstation.parse import fast_xml, parse_feed
from feedstation.parse.xml_feed import parse_xml_feed

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
PARAGRAPH = "北京今天迎来了今年的第一场雪，气象台发布道路结冰预警，提醒市民注意出行安全。专家表示，此次降雪有利于缓解旱情。"


def make_feed(items: int = 50, item_bytes: int = 4096) -> bytes:
    parts = []
    for i in range(items):
        body = []
        while len("".join(body).encode()) < item_bytes:
            n = len(body)
            body.append(f'<p style="color:#333">{PARAGRAPH}<a href="/q/{i}/{n}" onclick="t()">链接</a></p>')
            if n % 3 == 0:
                body.append(f'<img src="//pic{n % 4}.zhimg.com/v2-{i}-{n}_r.jpg" data-rawwidth="600">')
        date = format_datetime(datetime(2024, 1, 1, 12, i % 60, tzinfo=timezone.utc), usegmt=True)
        parts.append(
            f"<item><title><![CDATA[第 {i} 个问题：如何看待今年的第一场雪？]]></title>"
            f"<description><![CDATA[{''.join(body)}]]></description><pubDate>{date}</pubDate>"
            f'<guid isPermaLink="false">https://www.zhihu.com/question/{i}</guid>'
            f"<link>https://www.zhihu.com/question/{i}</link></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>知乎热榜</title>'
        "<link>https://www.zhihu.com/billboard</link><description>bench</description>" + "".join(parts) + "</channel></rss>"
    ).encode("utf-8")


BASE_URL = "https://rsshub.app/zhihu/hotlist"


def feedparser_only(body: bytes) -> int:
    return len(parse_xml_feed(body, "rss").entries)


def fast_only(body: bytes) -> int:
    parsed = fast_xml.parse(body, "rss")
    assert parsed is not None, "the fast path fell back on the benchmark feed"
    return len(parsed.entries)


def feedparser_and_normalize(body: bytes) -> int:
    return len(normalize_entries(parse_xml_feed(body, "rss"), base_url=BASE_URL, now=NOW))


def feedstation_path(body: bytes) -> int:
    """What the pipeline runs: parse_feed (fast path, feedparser as fallback) + normalize_entries."""
    return len(normalize_entries(parse_feed(body), base_url=BASE_URL, now=NOW))


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def lxml_nh3_floor(body: bytes) -> int:
    """The floor: lxml reads the fields, nh3 cleans with its defaults. No URL resolution, no hashing."""
    root = etree.fromstring(body, _PARSER)
    count = 0
    for item in root.iter("item"):
        fields = {child.tag: child.text or "" for child in item}
        nh3.clean(fields.get("description", ""))
        count += 1
    return count


def rate(fn, body: bytes, rounds: int) -> float:
    fn(body)  # warm-up: imports, caches
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        items = sum(fn(body) for _ in range(rounds))
        best = min(best, time.process_time() - start)
    return items / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    body = make_feed()
    assert fast_xml.parse(body, "rss") == parse_xml_feed(body, "rss"), "the two paths disagree"
    print(f"feed: {len(body) / 1024:.0f} KiB, 50 items, {args.rounds} rounds (best of 3), CPU time on one core")
    floor = rate(lxml_nh3_floor, body, args.rounds)
    rows = [
        ("lxml + nh3 (the floor)", floor),
        ("parse: feedparser adapter (sanitiser off)", rate(feedparser_only, body, args.rounds)),
        ("parse: lxml fast path", rate(fast_only, body, args.rounds)),
        ("feedparser adapter + normalize_entries", rate(feedparser_and_normalize, body, args.rounds)),
        ("parse_feed + normalize_entries (feedstation)", rate(feedstation_path, body, args.rounds)),
    ]
    for name, items_per_s in rows:
        print(f"{name:<48} {items_per_s:>9,.0f} items/s   {floor / items_per_s:5.1f}x the floor")


if __name__ == "__main__":
    main()
