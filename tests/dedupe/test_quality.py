"""The labelled set (bench/data/dedupe_stories_*.jsonl) through the real grouping: precision ≥ 0.97, recall ≥ 0.85.

A quality bound on a fixed data set (bench/dedupe.py prints the same numbers), not a timing.
"""

import importlib.util
import sys
from pathlib import Path

from feedstation.dedupe import duplicate_groups

_SPEC = importlib.util.spec_from_file_location("labelled_pairs", Path(__file__).parents[2] / "bench" / "labelled_pairs.py")
labelled_pairs = sys.modules.setdefault("labelled_pairs", importlib.util.module_from_spec(_SPEC))
_SPEC.loader.exec_module(labelled_pairs)


def test_the_labelled_set_has_enough_pairs_of_each_kind_in_both_languages():
    _entries, copies = labelled_pairs.load()
    for language in ("zh", "en"):
        subset = [c for c in copies if c.language == language]
        score = labelled_pairs.score(subset, lambda i, j: False)
        assert score.true_pairs >= 25, language
        assert score.hard_negatives >= 60, language
    score = labelled_pairs.score(copies, lambda i, j: False)
    assert score.true_pairs + score.hard_negatives >= 200


def test_grouping_finds_the_labelled_duplicates_with_the_required_precision_and_recall():
    entries, copies = labelled_pairs.load()
    groups = duplicate_groups(entries)
    score = labelled_pairs.score_groups(copies, groups.group_of)
    wrong = [(entries[i].title, entries[j].title) for i, j in score.wrong]
    missed = [(entries[i].title, entries[j].title) for i, j in score.missed]
    assert score.precision >= 0.97, wrong
    assert score.recall >= 0.85, missed
