"""The publish step that keeps a card per entry: only entries whose body, full text or filter rules changed
since their card was made are read (with their bodies), judged by the filters, derived, and compared with
the items of their time window for copies of the same story (issue 19: a run costs what changed).

A card's `basis` is a digest of what it was made from: the entry's content hash (which the store changes
with any change of title, link, dates, body or image), its full-text row's version, the filter rules of
its feed and CARD_VERSION. The first publish after an upgrade, or after a filter change, therefore makes
the affected cards again once; later publishes make only the new and changed ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from feedstation.cards.derive import card_row
from feedstation.dedupe.groups import WINDOW, StoryItem, near_pairs, story_item
from feedstation.dedupe.near_duplicates import StoryText
from feedstation.filters.rules import FilterSet
from feedstation.models import SkippedEntry, StoredEntry
from feedstation.store import Store
from feedstation.store.card_rows import CardState, PoolItem

log = logging.getLogger(__name__)

CARD_VERSION = 1  # bump when card_row's output changes, so every card is made again once
SEGMENT = 2000  # cards made, compared and written per transaction (oldest first)


@dataclass(frozen=True)
class CardRefresh:
    """What one refresh did: cards made (again), of which hidden by a filter."""

    made: int
    hidden: int


def refresh_cards(store: Store, filters: FilterSet, on_skip: Callable[[SkippedEntry], None]) -> CardRefresh:
    """Make the cards of every entry whose card is missing or was made from other inputs.

    Entries are read, judged and written in segments of SEGMENT, oldest first, each in one transaction
    with its story pairs: a run killed midway leaves every written card whole and the rest still stale,
    so the next run makes them. An entry that cannot be read is handed to `on_skip` and gets no card.
    """
    table = store.cards
    made_from = ((state, card_basis(state, filters)) for state in table.states())
    stale = [(state, basis) for state, basis in made_from if state.suspect or state.basis != basis]
    if not stale:
        return CardRefresh(made=0, hidden=0)
    made = hidden = 0
    bases = {state.entry_id: (basis, state.hidden_by) for state, basis in stale}
    read = table.entries([state.entry_id for state, _basis in stale], on_skip)
    unreadable = set(bases) - {entry.id for entry in read}
    if unreadable:  # reported through on_skip; a card made before the row broke must not show it still
        table.forget(sorted(unreadable))
    read.sort(key=lambda entry: (entry.published, entry.id))
    for start in range(0, len(read), SEGMENT):
        segment = read[start:start + SEGMENT]
        rows, marks, shown = [], {}, []
        for entry in segment:
            basis, stored_mark = bases[entry.id]
            rules = filters.for_tree(entry.tree)
            verdict = rules.decide(entry) if rules else None
            published = verdict.entry if verdict is not None else entry
            hidden_by = verdict.hidden_by if verdict is not None else None
            rows.append(card_row(published, basis=basis, hidden_by=hidden_by))
            shown.append(published)
            if hidden_by != stored_mark:
                marks[entry.id] = hidden_by
            hidden += hidden_by is not None
        table.write(rows, marks, [entry.id for entry in segment], _story_pairs(table, shown))
        made += len(rows)
    log.info("cards: %d made (%d hidden by filters)", made, hidden)
    return CardRefresh(made=made, hidden=hidden)


def card_basis(state: CardState, filters: FilterSet) -> str:
    """What an entry's card is made from, as a digest: a card whose basis differs must be made again."""
    rules = filters.for_tree(state.tree)
    parts = f"{CARD_VERSION}\0{state.content_hash}\0{state.full_text}\0{rules.fingerprint if rules else ''}"
    return hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _story_pairs(table, segment: Sequence[StoredEntry]) -> set[tuple[int, int]]:
    """(later, earlier) entry ids of the pairs that tell the same story and have an end in `segment`, found
    against every carded entry within the dedupe window of the segment's entries."""
    if not segment:
        return set()
    first = min(entry.published for entry in segment)
    last = max(entry.published for entry in segment)
    fresh = {entry.id: story_item(entry) for entry in segment}
    pool = {item.entry_id: _pool_story(item) for item in table.pool(_moved(first, -WINDOW), _moved(last, WINDOW))
            if item.entry_id not in fresh}
    ids = [*fresh, *pool]
    items: list[StoryItem] = [*fresh.values(), *pool.values()]
    found = near_pairs(items, WINDOW, focus=set(range(len(fresh))))
    return {(ids[later], ids[earlier]) for later, earlier in found}


def _moved(moment: datetime, by: timedelta) -> datetime:
    """`moment + by`, stopped at the calendar's ends (an entry may be dated in year 1 or 9999: issue 11)."""
    try:
        return moment + by
    except OverflowError:
        return datetime.min.replace(tzinfo=timezone.utc) if by < timedelta(0) else datetime.max.replace(tzinfo=timezone.utc)


def _pool_story(item: PoolItem) -> StoryItem:
    text = StoryText(title=item.story_title, numbers=frozenset(item.story_numbers.split()), lead=item.story_lead,
                     question=item.story_question)
    return StoryItem(published=item.published, identity=item.identity, feed_id=item.feed_id,
                     link_key=item.link_key, text=text)
