"""Each fixture feed, parsed and normalised, equals the expected JSON beside it.

Regenerate after a deliberate change with FEEDSTATION_UPDATE_GOLDEN=1, then review the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from feedstation.normalize import normalize_entries
from feedstation.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FIXTURES = sorted(p for p in FEEDS.iterdir() if p.is_file() and not p.name.endswith(".expected.json"))
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
FEED_URL = "https://feeds.example.net/x/feed.xml"


def snapshot(path: Path) -> dict:
    feed = parse_feed(path.read_bytes(), url=FEED_URL)
    entries = normalize_entries(feed, base_url=FEED_URL, now=NOW)
    return {
        "feed": {"format": feed.format, "title": feed.title, "link": feed.link, "ttl_minutes": feed.ttl_minutes, "warning": feed.warning},
        # enclosures (issue 13) only where an entry has any, so the older expected files stay as they were
        "entries": [{k: v for k, v in asdict(e).items() if k != "enclosures" or v} for e in entries],
    }


def test_every_required_fixture_exists():
    names = {p.name for p in FIXTURES}
    required = {"zhihu-hotlist.rss", "rss1.rdf", "atom.xml", "jsonfeed.json", "gbk.rss", "big5.rss",
                "utf16.xml", "bom-mismatch.xml", "no-dates.rss", "relative-urls.rss"}  # fmt: skip
    assert required <= names


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_matches_expected_json(path):
    actual = json.loads(json.dumps(snapshot(path), default=lambda d: d.isoformat(), ensure_ascii=False))
    expected_path = path.with_name(path.name + ".expected.json")
    if os.environ.get("FEEDSTATION_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"run with FEEDSTATION_UPDATE_GOLDEN=1 to create {expected_path.name}"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
