"""SiteData read from the store: the cards of the shown entries, story groups from the stored pairs, and
bodies only of the entries whose pages the build renders."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

from feedstation.dedupe.groups import group_stories
from feedstation.filters.rules import FilterSet
from feedstation.models import Card, SkippedEntry, StoredEntry
from feedstation.store import Store


class StoreData:
    """The site's entries as the store holds them after `refresh_cards` (see publish/site/data.py)."""

    def __init__(self, store: Store, filters: FilterSet, on_skip: Callable[[SkippedEntry], None]):
        self._store = store
        self._filters = filters
        self._on_skip = on_skip
        self._link_keys: dict[int, str | None] = {}
        self.skipped: list[SkippedEntry] = []  # rows cards() could not read (also handed to on_skip)

    def _skip(self, row: SkippedEntry) -> None:
        self.skipped.append(row)
        self._on_skip(row)

    def cards(self) -> Iterator[Card]:
        for shown in self._store.cards.shown(self._skip):
            self._link_keys[shown.card.id] = shown.link_key
            yield shown.card

    def marker(self) -> str:
        """Changes whenever a card is made or dropped, or a feed comes or goes (store/card_rows.py)."""
        return self._store.cards.marker()

    def counts_writes(self) -> bool:
        """The marker moves with every write a page depends on (SQLite), hand edits included."""
        return self._store.cards.counts_writes()

    def story_groups(self, cards: Sequence[Card]) -> Sequence[tuple[int, ...]]:
        """Groups by canonical link and by the stored pairs among `cards` (pairs with a hidden end are left out)."""
        stored = self._store.cards.pairs()
        paired = {entry_id for pair in stored for entry_id in pair}
        index = {card.id: position for position, card in enumerate(cards) if card.id in paired}
        link_keys = self._link_keys
        keys = [_CardStory(card.published, card.identity, card.feed_id, link_keys.get(card.id)) for card in cards]
        pairs = [(index[later], index[earlier]) for later, earlier in stored if later in index and earlier in index]
        return group_stories(keys, pairs).groups

    def bodies(self, cards: Sequence[Card]) -> list[StoredEntry | None]:
        """The entries with their bodies, rewritten as their cards were (a shown entry's rules only rewrite)."""
        found = {entry.id: entry for entry in self._store.cards.entries([card.id for card in cards], self._on_skip)}
        bodies: list[StoredEntry | None] = []
        for card in cards:
            entry = found.get(card.id)
            if entry is not None:
                rules = self._filters.for_tree(entry.tree)
                if rules:
                    entry = rules.rewrite(entry).entry
            bodies.append(entry)
        return bodies


class _CardStory(NamedTuple):
    """What grouping needs of a card (dedupe.groups.Grouped): a tuple, made for every shown card of each build
    at a fifth of a frozen dataclass's cost."""

    published: datetime
    identity: str
    feed_id: int
    link_key: str | None
