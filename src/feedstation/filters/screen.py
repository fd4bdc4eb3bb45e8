"""Filters at publish time: the stored entries a publisher may show, and the hidden marks that changed.

Rules are judged again on every publish from the stored rows, so a changed filter takes effect on the
next build without a re-fetch, and a removed one brings its items back. The store's `hidden_by` column
records the outcome (for `status`, other readers of the database, and to write only what changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from feedstation.filters.rules import FilterSet
from feedstation.models import StoredEntry


class Screen:
    """One publish's pass over the stored entries; `changes` holds entry id → new hidden_by (None: shown)."""

    def __init__(self, filters: FilterSet):
        self.filters = filters
        self.changes: dict[int, str | None] = {}
        self.hidden = 0
        self.rewritten = 0

    def shown(self, entries: Iterable[StoredEntry]) -> Iterator[StoredEntry]:
        """The entries no rule hides, rewritten where a rewrite rule applies."""
        if not self.filters:
            for entry in entries:
                if entry.hidden_by is not None:
                    self.changes[entry.id] = None
                yield entry
            return
        for_tree = self.filters.for_tree
        for entry in entries:
            rules = for_tree(entry.tree)
            if not rules:
                if entry.hidden_by is not None:
                    self.changes[entry.id] = None
                yield entry
                continue
            verdict = rules.decide(entry)
            if verdict.hidden_by != entry.hidden_by:
                self.changes[entry.id] = verdict.hidden_by
            if verdict.hidden_by is not None:
                self.hidden += 1
                continue
            if verdict.rewritten_by:
                self.rewritten += 1
            yield verdict.entry
