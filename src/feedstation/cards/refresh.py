"""The publish step that keeps a card per entry: only entries whose body, full text or filter rules changed
since their card was made are read (with their bodies), judged by the filters, derived, and compared with
the items of their time window for copies of the same story (issue 19: a run costs what changed).

A card records what it was made from: the entry's content hash (which the store changes with any change
of title, link, dates, body or image), its full-text row's version, and the fingerprint of its feed's
filter rules with CARD_VERSION; the database compares them with the entry's now (store/card_rows.py), so
finding the stale cards reads no body. The first publish after an upgrade, or after a filter change,
therefore makes the affected cards again once; later publishes make only the new and changed ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from feedstation.cards.derive import card_row
from feedstation.dedupe.groups import WINDOW, StoryItem, near_pairs, story_item
from feedstation.dedupe.near_duplicates import StoryText
from feedstation.filters.rules import FilterSet
from feedstation.models import SkippedEntry
from feedstation.store import Store
from feedstation.store.card_rows import PoolItem

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
    rules_of = _rules_of(store, filters)
    every_rule = _every_rule(rules_of)
    check = table.since_last_check(every_rule)
    if check.unchanged:  # nothing a card is made from was written since the last check (SQLite's write count)
        return CardRefresh(made=0, hidden=0)
    # Where every write since was to a logged entry, only those are compared (store/change_count.py).
    stale = table.stale(rules_of, logged_up_to=check.logged_up_to)
    made = hidden = own = unreadable_rows = 0
    for start in range(0, len(stale), SEGMENT):  # oldest first; bodies of one segment in memory at a time
        segment = {card.entry_id: card for card in stale[start:start + SEGMENT]}
        read = table.entries(list(segment), on_skip)
        unreadable = set(segment) - {entry.id for entry in read}
        if unreadable:  # reported through on_skip; a card made before the row broke must not show it still
            own += table.forget(sorted(unreadable))
            unreadable_rows += len(unreadable)
        read.sort(key=lambda entry: (entry.published, entry.id))
        rows, marks, stories = [], {}, {}
        for entry in read:
            card = segment[entry.id]
            rules = filters.for_tree(entry.tree)
            verdict = rules.decide(entry) if rules else None
            published = verdict.entry if verdict is not None else entry
            hidden_by = verdict.hidden_by if verdict is not None else None
            made_from = {"for_hash": card.for_hash, "for_full_text": card.for_full_text, "for_rules": card.for_rules}
            stories[entry.id] = story = story_item(published)
            rows.append(card_row(published, story, made_from=made_from, hidden_by=hidden_by))
            if hidden_by != card.hidden_by:
                marks[entry.id] = hidden_by
            hidden += hidden_by is not None
        own += table.write(rows, marks, [entry.id for entry in read], _story_pairs(table, stories))
        made += len(rows)
    if not unreadable_rows:  # else each publish looks again, so each reports them (they have no card)
        table.record_check(every_rule, check, own=own)
    log.info("cards: %d made (%d hidden by filters)", made, hidden)
    return CardRefresh(made=made, hidden=hidden)


def checked_since(store: Store, filters: FilterSet) -> bool:
    """Nothing a card is made from was written since the last card check, which saw these filters."""
    return store.cards.since_last_check(_every_rule(_rules_of(store, filters))).unchanged


def _rules_of(store: Store, filters: FilterSet) -> dict[str, list[int]]:
    """Each rules fingerprint → the ids of the active feeds it is now."""
    rules_of: dict[str, list[int]] = {}
    for tree, feed_id in store.cards.active_feeds().items():
        rules_of.setdefault(rules_fingerprint(filters, tree), []).append(feed_id)
    return rules_of


def _every_rule(rules_of: dict[str, list[int]]) -> str:
    """One fingerprint of every feed's rules."""
    return hashlib.blake2b(repr(sorted((key, sorted(ids)) for key, ids in rules_of.items())).encode(),
                           digest_size=16).hexdigest()


def rules_fingerprint(filters: FilterSet, tree: tuple[str, str, str]) -> str:
    """What a card of this feed depends on besides the entry: its filter rules and the card format."""
    rules = filters.for_tree(tree)
    return f"{CARD_VERSION}:{rules.fingerprint if rules else ''}"


def _story_pairs(table, fresh: dict[int, StoryItem]) -> set[tuple[int, int]]:
    """(later, earlier) entry ids of the pairs that tell the same story and have an end in `fresh` (entry id →
    its story item, as published), found against every carded entry within the dedupe window of those."""
    if not fresh:
        return set()
    first = min(item.published for item in fresh.values())
    last = max(item.published for item in fresh.values())
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
