"""Which stored items are copies of one story: exact by canonical link, near by `near_duplicates`, within a few days.

Two steps, so the store can keep the expensive one (issue 19): `near_pairs` finds the pairs of items
of different feeds, close in time, that tell the same story; `group_stories` joins items that share a
canonical link or a pair into groups. `duplicate_groups` runs both over entries in memory; the site
build runs `near_pairs` only for items whose card changed (cards/refresh.py) and keeps the pairs in
the store. Both join the pairs in one canonical order, so the same pairs give the same groups.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from rapidfuzz import fuzz, process

from feedstation.dedupe.canonical_link import canonical_link
from feedstation.dedupe.near_duplicates import TITLE_SAME, StoryText, same_story, story_text
from feedstation.models import StoredEntry

# Named, not numpy.uint8: importing numpy here cost 0.14 s of every build, even one that compares nothing.
SCORE_DTYPE = "uint8"

WINDOW = timedelta(days=3)  # only items published this close together are compared
_BLOCK = 256  # items whose titles are compared with the window in one rapidfuzz call
OPENING_CHARS = 24  # leads that open with the same this many letters are compared
OPENING_CROWD = 8  # an opening this many items share is boilerplate


class Grouped(Protocol):
    """What grouping needs of an item (a StoryKey, or any object with these attributes)."""

    published: datetime
    identity: str
    feed_id: int
    link_key: str | None


@dataclass(frozen=True)
class StoryKey:
    """What grouping needs of an item: when, which feed, its canonical link."""

    published: datetime
    identity: str
    feed_id: int
    link_key: str | None


@dataclass(frozen=True)
class StoryItem(StoryKey):
    """What finding pairs needs of an item: its StoryKey and its story text."""

    text: StoryText


@dataclass(frozen=True)
class DuplicateGroups:
    """Copies of the same story, as indexes into the entries given to `duplicate_groups`.

    `groups`: each group's members ordered by (published, identity), the first one its representative (the
    earliest copy); `group_of`: member index → its group's position in `groups`.
    """

    groups: tuple[tuple[int, ...], ...]
    group_of: dict[int, int]

    def copies(self, index: int) -> tuple[int, ...]:
        """The other members of `index`'s group (empty for a story told once)."""
        group = self.group_of.get(index)
        return () if group is None else tuple(i for i in self.groups[group] if i != index)


def story_item(entry: StoredEntry) -> StoryItem:
    """An entry's StoryItem (its lead is read from the summary, else the content)."""
    return StoryItem(published=entry.published, identity=entry.identity, feed_id=entry.feed_id,
                     link_key=canonical_link(entry.link), text=story_text(entry.title, entry.summary or entry.content))


def duplicate_groups(entries: Sequence[StoredEntry], window: timedelta = WINDOW) -> DuplicateGroups:
    """Group the entries that tell the same story.

    Exact: the same canonical link (tracking parameters, mobile/AMP spellings ignored), in any feed and at any
    distance in time. Near: items of different feeds published within `window` whose normalised titles (and
    leads) say the same (`near_duplicates.same_story`). A near duplicate never joins two items of one feed
    (directly or through their groups), since a feed's look-alike titles are its series
    ("知乎热榜 2026-11-30", "Weekly #124"); only the same link can.
    """
    items = [story_item(entry) for entry in entries]
    return group_stories(items, near_pairs(items, window))


def one_per_story(entries: Sequence[StoredEntry], window: timedelta = WINDOW) -> list[StoredEntry]:
    """The entries with each story's later copies left out (its earliest copy stays), in the given order."""
    groups = duplicate_groups(entries, window)
    later = {index for group in groups.groups for index in group[1:]}
    return [entry for index, entry in enumerate(entries) if index not in later]


def near_pairs(items: Sequence[StoryItem], window: timedelta = WINDOW,
               focus: Collection[int] | None = None) -> set[tuple[int, int]]:
    """(later, earlier) index pairs of items of different feeds within `window` that tell the same story.

    With `focus`, only pairs with an end in `focus` are looked for (the others are known already), and
    `items` must hold every item within `window` of a focused one: the cost is the focused items times
    the items of their window, not the whole history.
    """
    order = sorted(range(len(items)), key=lambda i: (items[i].published, i))
    texts = [items[i].text for i in order]
    times = [items[i].published for i in order]
    feeds = [items[i].feed_id for i in order]
    wanted = None if focus is None else {position for position, i in enumerate(order) if i in focus}
    pairs: set[tuple[int, int]] = set()

    def consider(a: int, b: int, title_score: float | None = None) -> None:
        if feeds[a] != feeds[b] and abs(times[a] - times[b]) <= window and same_story(texts[a], texts[b], title_score):
            pairs.add((order[a], order[b]))

    for a, b, score in _similar_titles([t.title for t in texts], times, window, wanted):
        consider(a, b, score)
    for a, b in _shared_openings([t.lead for t in texts], times, window):
        if wanted is None or a in wanted or b in wanted:
            consider(a, b)
    return pairs


def group_stories(items: Sequence[Grouped], pairs: Iterable[tuple[int, int]]) -> DuplicateGroups:
    """Items that share a canonical link or are joined by `pairs` (indexes into `items`), grouped.

    Links join first, in the items' order; then the pairs, in time order of their later and earlier
    items, so the same items and pairs always give the same groups. A pair never joins two groups that
    hold items of one feed.

    Only items that join something are looked at after the first pass: a site build groups every shown
    item (45,000 and more) of which a few dozen have copies (issue 19: 0.16 s of each build went to
    sorting and walking them all).
    """
    parent = list(range(len(items)))
    feeds_of: dict[int, set[int]] = {}  # per root of a group of two or more: the feeds of its items
    joined: set[int] = set()  # every item in a group of two or more

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def feeds(root: int) -> set[int]:
        return feeds_of.get(root) or {items[root].feed_id}

    def union(a: int, b: int, *, near: bool = False) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        if near and feeds(ra) & feeds(rb):
            return  # would put two items of one feed in one story: a series ("早报 11-25" / "11-26"), not a copy
        low, high = min(ra, rb), max(ra, rb)
        parent[high] = low
        feeds_of[low] = feeds(low) | feeds(high)
        feeds_of.pop(high, None)
        joined.update((a, b))

    first_with_link: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.link_key is not None:
            first = first_with_link.setdefault(item.link_key, index)
            if first != index:
                union(first, index)

    def position(i: int) -> tuple[datetime, int]:
        return items[i].published, i

    # Each pair oriented by time (items published at the same moment may have been paired the other way
    # round when they were found), so the order of the unions depends on the items alone.
    oriented = {(a, b) if position(a) > position(b) else (b, a) for a, b in pairs if a != b}
    for a, b in sorted(oriented, key=lambda pair: (position(pair[0]), position(pair[1]))):
        union(a, b, near=True)

    members: dict[int, list[int]] = {}
    for index in joined:
        members.setdefault(find(index), []).append(index)
    groups = sorted((tuple(sorted(m, key=lambda i: (items[i].published, items[i].identity, items[i].feed_id)))
                     for m in members.values()), key=lambda g: g[0])
    group_of = {index: number for number, group in enumerate(groups) for index in group}
    return DuplicateGroups(groups=tuple(groups), group_of=group_of)


def _similar_titles(titles: Sequence[str], times: Sequence[datetime], window: timedelta,
                    wanted: Collection[int] | None = None) -> Iterator[tuple[int, int, float]]:
    """(later, earlier, score) for titles at least TITLE_SAME alike within `window` (positions in time order);
    with `wanted`, only pairs with an end in it.

    rapidfuzz's `cdist` compares a block of titles with the window before it in one call: the cost is
    items × items-per-window (measured in bench/dedupe.py). Items without a title take no part (two
    empty strings are 100 alike).
    """
    titled = [position for position, title in enumerate(titles) if title]
    texts = [titles[p] for p in titled]
    if wanted is not None:
        yield from _similar_to_wanted(titled, texts, times, window, wanted)
        return
    left = 0
    for start in range(0, len(titled), _BLOCK):
        stop = min(start + _BLOCK, len(titled))
        # A difference, not `time - window`: that overflows for an item dated in year 1 (issue 11).
        while times[titled[start]] - times[titled[left]] > window:
            left += 1
        scores = process.cdist(texts[start:stop], texts[left:stop], scorer=fuzz.ratio, score_cutoff=TITLE_SAME,
                               dtype=SCORE_DTYPE)
        for row, col in zip(*scores.nonzero()):
            a, b = start + int(row), left + int(col)
            if b < a:
                yield titled[a], titled[b], float(scores[row, col])


def _similar_to_wanted(titled: Sequence[int], texts: Sequence[str], times: Sequence[datetime], window: timedelta,
                       wanted: Collection[int]) -> Iterator[tuple[int, int, float]]:
    """`_similar_titles` for a few wanted items: each is compared with every titled item of its window."""
    rows = [index for index, position in enumerate(titled) if position in wanted]
    if not rows:
        return
    scores = process.cdist([texts[r] for r in rows], texts, scorer=fuzz.ratio, score_cutoff=TITLE_SAME,
                           dtype=SCORE_DTYPE)
    for row, col in zip(*scores.nonzero()):
        a, b = rows[int(row)], int(col)
        if a == b or abs(times[titled[a]] - times[titled[b]]) > window:
            continue
        later, earlier = (a, b) if b < a else (b, a)
        yield titled[later], titled[earlier], float(scores[row, col])


def _shared_openings(leads: Sequence[str], times: Sequence[datetime], window: timedelta) -> Iterator[tuple[int, int]]:
    """(later, earlier) pairs whose leads open with the same words: a republished story under a rewritten headline.

    An opening shared by more than OPENING_CROWD items within the window is boilerplate ("点击上方蓝字关注我们",
    "Good morning. Here is…"), not a story, and pairs nobody.
    """
    by_opening: dict[str, list[int]] = {}
    for position, lead in enumerate(leads):
        if len(lead) >= OPENING_CHARS:
            by_opening.setdefault(lead[:OPENING_CHARS], []).append(position)
    for positions in by_opening.values():
        left = 0
        for index, a in enumerate(positions):
            while times[a] - times[positions[left]] > window:
                left += 1
            if index - left < OPENING_CROWD:
                yield from ((a, b) for b in positions[left:index])
