"""Where a site build reads its entries: a card for every shown entry, bodies only for the pages it renders.

The build holds cards (no bodies) for the whole site and asks for bodies in small batches, so its
memory grows with the number of entries and not with their text (issue 19). `EntriesData` serves
entries already in memory (tests, benchmarks); `feedstation.cards.StoreData` serves them from the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from feedstation.cards import card_of
from feedstation.dedupe import duplicate_groups
from feedstation.models import Card, SkippedEntry, StoredEntry


class SiteData(Protocol):
    """The entries of one site build. `skipped`: the stored rows `cards()` could not read (the build keeps them
    in its manifest, so a build that reads nothing still reports them)."""

    skipped: Sequence[SkippedEntry]

    def cards(self) -> Iterable[Card]:
        """A card for every entry the site shows (any order)."""

    def story_groups(self, cards: Sequence[Card]) -> Sequence[tuple[int, ...]]:
        """Copies of one story among `cards`, as indexes into it: each group earliest copy first."""

    def bodies(self, cards: Sequence[Card]) -> list[StoredEntry | None]:
        """The entries of `cards` with their bodies, in the same order (None for one that can no longer be read)."""

    def marker(self) -> str | None:
        """A value that changes whenever the cards may have (read without reading them), or None when only
        reading the cards can tell."""

    def counts_writes(self) -> bool:
        """The marker moves with every write an output depends on (an entry's date edited by hand included),
        not only when a card is made: a build may then trust it to leave every keyed output as it is."""


class EntriesData:
    """Entries given in memory; a later entry with the tree and identity of an earlier one is ignored."""

    def __init__(self, entries: Iterable[StoredEntry]):
        self.skipped: Sequence[SkippedEntry] = ()  # entries in memory are all readable
        self._by_key: dict[tuple[tuple[str, str, str], str], StoredEntry] = {}
        for entry in entries:
            self._by_key.setdefault((entry.tree, entry.identity), entry)

    def cards(self) -> list[Card]:
        return [card_of(entry) for entry in self._by_key.values()]

    def story_groups(self, cards: Sequence[Card]) -> Sequence[tuple[int, ...]]:
        return duplicate_groups(self.bodies(cards)).groups

    def bodies(self, cards: Sequence[Card]) -> list[StoredEntry | None]:
        return [self._by_key.get((card.tree, card.identity)) for card in cards]

    def marker(self) -> None:
        return None  # entries handed in: only their cards can tell what changed

    def counts_writes(self) -> bool:
        return False


def site_data(source: SiteData | Iterable[StoredEntry]) -> SiteData:
    """`source` as SiteData: entries in memory are wrapped in EntriesData."""
    return source if hasattr(source, "bodies") else EntriesData(source)
