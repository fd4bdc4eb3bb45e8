"""The labelled duplicate set in bench/data/dedupe_stories_*.jsonl, as entries and pairs, and its scoring.

Each line is one copy of a story as a feed gave it (`site` is the feed): `story` names the story and
`event` what it is about. Every pair of copies of one story is a true duplicate; every other pair is
a false one, and a pair of different stories about the same event or series (`event`: the same launch
reported twice, "知乎热榜 2026-11-30" and "… 12-01", "Weekly #123" and "#124") is a *hard* negative.
Used by bench/dedupe.py and tests/dedupe/test_quality.py.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FILES = ("dedupe_stories_zh.jsonl", "dedupe_stories_en.jsonl")
# Written after the thresholds were chosen on FILES and never used to tune them: a check on overfitting.
HELD_OUT = ("dedupe_stories_heldout.jsonl",)


@dataclass(frozen=True)
class Copy:
    story: str
    event: str
    site: str
    language: str


@dataclass(frozen=True)
class Score:
    true_pairs: int
    hard_negatives: int
    negatives: int  # all false pairs, the hard ones included
    true_positives: int
    false_positives: int
    hard_false_positives: int
    missed: tuple[tuple[int, int], ...]
    wrong: tuple[tuple[int, int], ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0


def load(files: tuple[str, ...] = FILES) -> tuple[list, list[Copy]]:
    """(StoredEntry per line, its labels), in file order; each site is its own feed."""
    from feedstation.models import StoredEntry

    entries, copies, feed_ids = [], [], {}
    for name in files:
        language = name.rsplit("_", 1)[1].split(".")[0]
        for number, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            when = datetime.fromisoformat(row["at"]).replace(tzinfo=timezone.utc)
            feed = feed_ids.setdefault(row["site"], len(feed_ids) + 1)
            entries.append(StoredEntry(
                id=len(entries) + 1, feed_id=feed, category="labelled", site=row["site"], channel="feed",
                identity=f"{name}:{number}", title=row["title"], link=row["link"], author=None, published=when,
                updated=None, first_seen=when, last_seen=when, summary=row["text"], content=row["text"], image=None,
                content_hash=f"{name}:{number}"))
            copies.append(Copy(story=row["story"], event=row["event"], site=row["site"], language=language))
    return entries, copies


def score(copies: Sequence[Copy], same: Callable[[int, int], bool]) -> Score:
    """Every pair of the set, judged by `same(i, j)` against its label."""
    true_pairs = hard = negatives = tp = fp = hard_fp = 0
    missed, wrong = [], []
    for i, j in itertools.combinations(range(len(copies)), 2):
        a, b = copies[i], copies[j]
        label = a.story == b.story
        is_hard = not label and a.event == b.event
        said = same(i, j)
        true_pairs += label
        negatives += not label
        hard += is_hard
        if label and said:
            tp += 1
        elif label:
            missed.append((i, j))
        elif said:
            fp += 1
            hard_fp += is_hard
            wrong.append((i, j))
    return Score(true_pairs=true_pairs, hard_negatives=hard, negatives=negatives, true_positives=tp,
                 false_positives=fp, hard_false_positives=hard_fp, missed=tuple(missed), wrong=tuple(wrong))


def score_groups(copies: Sequence[Copy], group_of: dict[int, int]) -> Score:
    """Pairs judged "the same" when grouping put both in one group."""
    return score(copies, lambda i, j: i in group_of and group_of.get(i) == group_of.get(j))
