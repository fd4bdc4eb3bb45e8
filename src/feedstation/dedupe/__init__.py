"""One story once (issue 17): which stored items are copies of the same story."""

from feedstation.dedupe.canonical_link import canonical_link
from feedstation.dedupe.groups import WINDOW, DuplicateGroups, duplicate_groups, one_per_story

__all__ = ["WINDOW", "DuplicateGroups", "canonical_link", "duplicate_groups", "one_per_story"]
