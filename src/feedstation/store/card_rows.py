"""The `cards` and `story_pairs` rows (issue 19): which entries need a new card, writing cards and pairs,
and reading them back for the site build, which then never reads a body it does not render.

`Store.cards` is a `CardTable`; the step that decides and derives lives in `feedstation.cards.refresh`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, bindparam, case, delete, extract, func, literal, not_, or_, select, type_coerce, update
from sqlalchemy.exc import DBAPIError

from feedstation.models import Card, SkippedEntry, StoredEntry
from feedstation.store.dialect import date_text, insert_ignoring_conflicts
from feedstation.store.enclosure_column import enclosures_from_column
from feedstation.store.reading import (Unreadable, check_url, entries_query, feed_label, is_text, lenient_text,
                                       read_date, read_entries, read_text, shown)
from feedstation.store import change_count
from feedstation.store.schema import (card_check, cards, changed_entries, entries, feeds, full_texts, store_changes,
                                       story_pairs, unreadable_dates)

CHUNK = 500  # ids per IN (…) list and per write batch


@dataclass(frozen=True)
class CheckStart:
    """Where a card check starts (`CardTable.since_last_check`)."""

    unchanged: bool  # nothing a card depends on was written since the last check, which saw the same rules
    seen: int | None  # the write count now (None: writes are not counted here)
    logged_up_to: int | None  # every write since was to an entry logged up to this row: compare those alone
    known_since: int = 0  # the newest logged row now: what the check will have seen


@dataclass(frozen=True)
class StaleCard:
    """An entry whose card is missing or was made from other inputs, with what a new card is made from."""

    entry_id: int
    for_hash: str  # the entry's content hash now
    for_full_text: str  # its full-text row's status and version now ("" without one)
    for_rules: str  # its feed's rules' fingerprint now
    hidden_by: str | None  # the entry's stored mark


@dataclass(frozen=True)
class PoolItem:
    """A carded entry as the dedupe comparison sees it (no body)."""

    entry_id: int
    feed_id: int
    identity: str
    published: datetime
    link_key: str | None
    story_title: str
    story_numbers: str
    story_lead: str
    story_question: bool


@dataclass(frozen=True)
class ShownCard:
    """A card to show, with its canonical link (for grouping by link)."""

    card: Card
    link_key: str | None


class CardTable:
    """The store's cards and story pairs; every method opens its own connection or transaction."""

    def __init__(self, store) -> None:
        self._store = store

    def active_feeds(self) -> dict[tuple[str, str, str], int]:
        """The id of each active feed, by its place in the tree (rows whose names are not text left out)."""
        with self._store.engine.connect() as conn, lenient_text(conn):
            rows = conn.execute(select(feeds.c.id, feeds.c.category, feeds.c.site, feeds.c.channel)
                                .where(feeds.c.active.is_(True))).all()
        return {(r.category, r.site, r.channel): r.id for r in rows
                if all(is_text(name) for name in (r.category, r.site, r.channel))}

    def since_last_check(self, rules: str) -> CheckStart:
        """Where a card check starts: whether anything a card depends on was written since the last one (or it
        saw other `rules`), and whether every such write was to a logged entry (store/change_count.py).
        Nothing is known where writes are not counted (PostgreSQL): every entry is compared."""
        with self._store.engine.connect() as conn:
            now = change_count.snapshot(conn)
        if now is None:
            return CheckStart(unchanged=False, seen=None, logged_up_to=None)
        same_rules = now.checked is not None and now.rules == rules
        return CheckStart(unchanged=same_rules and now.count == now.checked, seen=now.count,
                          logged_up_to=now.newest if same_rules and now.count - now.checked == now.logged else None,
                          known_since=now.newest)

    def record_check(self, rules: str, start: CheckStart, *, own: int) -> None:
        """A card check that began at `start` is done, its own writes having added `own` to the count."""
        if start.seen is None:
            return
        with self._store._begin() as conn:
            change_count.record_check(conn, store_changes, card_check, changed_entries, seen=start.seen, own=own,
                                      rules=rules, logged_up_to=start.known_since)

    def stale(self, rules_of: Mapping[str, Sequence[int]], *, logged_up_to: int | None = None) -> list[StaleCard]:
        """Entries of active feeds whose card is missing, or was made from another content hash, full-text
        version or rules fingerprint (`rules_of`: fingerprint → the ids of the feeds it is now), or whose
        row looks broken since (`_suspect`), oldest first. The database compares, so only stale rows come back.
        With `logged_up_to`, only the entries logged as written (up to that row) are compared: every other
        one is as the last check left it (CheckStart)."""
        marker = func.coalesce(full_texts.c.status, "") + ":" + func.coalesce(full_texts.c.for_hash, "")
        rules = _rules_by_feed(rules_of)
        with self._store.engine.connect() as conn, lenient_text(conn):
            query = (select(entries.c.id, entries.c.content_hash, entries.c.hidden_by, marker.label("full_text"),
                            rules.label("rules"))
                     .join(feeds, feeds.c.id == entries.c.feed_id)
                     .outerjoin(full_texts, full_texts.c.entry_id == entries.c.id)
                     .outerjoin(cards, cards.c.entry_id == entries.c.id)
                     .where(feeds.c.active.is_(True),
                            or_(cards.c.entry_id.is_(None), cards.c.for_hash != entries.c.content_hash,
                                cards.c.for_full_text != marker, cards.c.for_rules != rules,
                                _suspect(conn.dialect.name)))
                     .order_by(entries.c.published, entries.c.id))
            if logged_up_to is not None:
                query = query.where(entries.c.id.in_(select(changed_entries.c.entry_id)
                                                     .where(changed_entries.c.seq <= logged_up_to)))
            return [StaleCard(entry_id=r.id, for_hash=str(r.content_hash), for_full_text=r.full_text or "",
                              for_rules=r.rules, hidden_by=r.hidden_by if isinstance(r.hidden_by, str) else None)
                    for r in conn.execute(query)]

    def entries(self, ids: Sequence[int], on_skip: Callable[[SkippedEntry], None]) -> list[StoredEntry]:
        """The readable entries among `ids`, with bodies (unreadable ones go to `on_skip`)."""
        found: list[StoredEntry] = []
        with self._store.engine.connect() as conn:
            base = entries_query(conn.dialect.name, active_only=False)
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start:start + CHUNK])
                found.extend(read_entries(conn, base.where(entries.c.id.in_(chunk)), on_skip))
        return found

    def forget(self, ids: Sequence[int]) -> int:
        """Drop the cards and story pairs of entries that can no longer be read (they are shown no more)."""
        return self.write([], {}, ids, (), drop=ids)

    def write(self, rows: Sequence[dict], hidden: dict[int, str | None], pairs_of: Sequence[int],
              pairs: Iterable[tuple[int, int]], *, drop: Sequence[int] = ()) -> int:
        """In one transaction: these cards (replacing the old ones, and dropping those of `drop`), the
        entries' changed hidden marks, and the story pairs of `pairs_of` replaced by `pairs` (later id,
        earlier id). Returns how much it moved the write count (store/change_count.py; 0 where none)."""
        with self._store._begin() as conn:
            counted_before = change_count.changes(conn, store_changes)
            # Read before the old cards go: one more than any card made so far, even the ones replaced now.
            made_in = conn.execute(select(func.coalesce(func.max(cards.c.made_in), 0))).scalar_one() + 1
            ids = [*(row["entry_id"] for row in rows), *drop]
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                conn.execute(delete(cards).where(cards.c.entry_id.in_(chunk)))
            if rows:
                conn.execute(cards.insert(), [{**row, "made_in": made_in} for row in rows])
            if hidden:
                conn.execute(update(entries).where(entries.c.id == bindparam("b_id"))
                             .values(hidden_by=bindparam("b_hidden")),
                             [{"b_id": entry_id, "b_hidden": mark} for entry_id, mark in hidden.items()])
            for start in range(0, len(pairs_of), CHUNK):
                chunk = list(pairs_of[start:start + CHUNK])
                conn.execute(delete(story_pairs).where(or_(story_pairs.c.later_id.in_(chunk),
                                                           story_pairs.c.earlier_id.in_(chunk))))
            found = [{"later_id": later, "earlier_id": earlier} for later, earlier in set(pairs)]
            if found:
                conn.execute(insert_ignoring_conflicts(conn, story_pairs, ["later_id", "earlier_id"]), found)
            return (change_count.changes(conn, store_changes) or 0) - (counted_before or 0)

    def pool(self, start: datetime, end: datetime) -> list[PoolItem]:
        """Every carded entry published from `start` to `end`, hidden or not, as the dedupe comparison sees it."""
        with self._store.engine.connect() as conn, lenient_text(conn):
            published = date_text(conn.dialect.name, entries.c.published, unreadable_dates).label("published")
            query = (select(entries.c.id, entries.c.feed_id, entries.c.identity, published, cards.c.link_key,
                            cards.c.story_title, cards.c.story_numbers, cards.c.story_lead, cards.c.story_question)
                     .join(cards, cards.c.entry_id == entries.c.id)
                     .where(entries.c.published >= start, entries.c.published <= end))
            items = []
            for row in conn.execute(query):
                try:
                    when = read_date(row, "published", required=True)
                except Unreadable:
                    continue  # its card will be made again, and it skipped, when its row is read
                items.append(PoolItem(entry_id=row.id, feed_id=row.feed_id, identity=str(row.identity),
                                      published=when, link_key=row.link_key, story_title=row.story_title,
                                      story_numbers=row.story_numbers, story_lead=row.story_lead,
                                      story_question=bool(row.story_question)))
            return items

    def shown(self, on_skip: Callable[[SkippedEntry], None]) -> Iterator[ShownCard]:
        """The card of every shown entry of an active feed (no bodies). A row whose stored values cannot be
        read goes to `on_skip`, as the entries reader does.

        SQLite is read with its own UTF-8 decoding first (a publish reads every card: a Python decoder per
        value cost a third of a rebuild); only if some value is not UTF-8 are the rows not read yet read
        again with the lenient decoder, which lets that row be reported and skipped.
        """
        seen: set[int] = set()
        try:
            yield from self._shown(on_skip, seen, lenient=False)
        except DBAPIError as exc:
            if "decode" not in str(exc):
                raise
            yield from self._shown(on_skip, seen, lenient=True)

    def _shown(self, on_skip: Callable[[SkippedEntry], None], seen: set[int], *, lenient: bool) -> Iterator[ShownCard]:
        with self._store.engine.connect() as conn, (lenient_text(conn) if lenient else nullcontext()):
            dialect = conn.dialect.name
            dates = [date_text(dialect, entries.c[name], unreadable_dates).label(name)
                     for name in ("published", "updated", "first_seen")]
            query = (select(entries.c.id, entries.c.feed_id, entries.c.identity, entries.c.link, entries.c.author,
                            entries.c.enclosures, *dates, cards.c.title, cards.c.content_hash, cards.c.image,
                            cards.c.excerpt, cards.c.link_key, feeds.c.category, feeds.c.site, feeds.c.channel)
                     .join(cards, cards.c.entry_id == entries.c.id)
                     .join(feeds, feeds.c.id == entries.c.feed_id)
                     .where(feeds.c.active.is_(True), cards.c.hidden_by.is_(None))
                     .execution_options(yield_per=2000))
            for row in conn.execute(query):
                if row.id in seen:
                    continue
                seen.add(row.id)
                try:
                    yield ShownCard(card=_card(row, decoded=not lenient), link_key=row.link_key)
                except Unreadable as exc:
                    on_skip(SkippedEntry(feed_id=row.feed_id, feed=feed_label(row, row.feed_id), entry_id=row.id,
                                         identity=shown(row.identity), reason=str(exc)))

    def marker(self) -> str:
        """A value that changes whenever the cards a site shows may have: any card made or dropped (their
        count, the newest write and the sum of their writes), a feed activated, deactivated or added, or
        (SQLite) any counted write."""
        with self._store.engine.connect() as conn:
            made = conn.execute(select(func.count(), func.coalesce(func.max(cards.c.made_in), 0),
                                       func.coalesce(func.sum(cards.c.made_in), 0))).one()
            active = conn.execute(select(func.count(), func.coalesce(func.sum(feeds.c.id), 0))
                                  .where(feeds.c.active.is_(True))).one()
            writes = change_count.changes(conn, store_changes)
        return f"cards {made[0]}/{made[1]}/{made[2]}, feeds {active[0]}/{active[1]}, writes {writes}"

    def counts_writes(self) -> bool:
        """The marker also moves with every write a card depends on, an entry edited by hand included (SQLite's
        write count, store/change_count.py), not only when a card is made or dropped."""
        return change_count.counted(self._store.engine.dialect.name)

    def pairs(self) -> list[tuple[int, int]]:
        """Every stored story pair (later id, earlier id)."""
        with self._store.engine.connect() as conn:
            return [(r.later_id, r.earlier_id) for r in conn.execute(select(story_pairs))]


def _rules_by_feed(rules_of: Mapping[str, Sequence[int]]):
    """SQL for the rules fingerprint of each entry's feed: a CASE over the few distinct fingerprints."""
    groups = sorted(rules_of.items(), key=lambda item: -len(item[1]))
    if not groups:
        return literal("")
    most, *others = groups  # the commonest fingerprint needs no list of feeds
    if not others:
        return literal(most[0])
    return case(*((entries.c.feed_id.in_(list(ids)), literal(fingerprint)) for fingerprint, ids in others),
                else_=literal(most[0]))


def _suspect(dialect: str):
    """True for a row that may have been edited by hand or by another tool since its card was made, tested
    without reading its text: a required value missing (NULL) or, on SQLite (any type in any column), not
    text; a link or image that is not http(s) (or a data:image); enclosures not shaped like the stored list
    of http(s) URLs; a date not spelled as the store writes it (SQLite) or one Python cannot hold
    (PostgreSQL). Such a row is read again, and skipped and reported if it is broken. A false alarm only
    costs that re-read."""
    required = ("identity", "title", "summary", "content", "content_hash", "published", "first_seen", "last_seen")
    tests = [entries.c[name].is_(None) for name in required]
    if dialect == "sqlite":
        tests += [func.typeof(entries.c[name]) != "text" for name in ("identity", "title", "summary", "content")]
    tests += [_not_web(entries.c.link), _not_web(entries.c.image, "data:image/%")]
    enclosures = entries.c.enclosures
    lists, web = func.length(enclosures) - func.length(func.replace(enclosures, '["', "")), \
        func.length(enclosures) - func.length(func.replace(func.lower(enclosures), '["http', ""))
    tests.append(and_(enclosures.is_not(None), or_(not_(enclosures.like("[[%]]")), lists * 3 != web)))
    tests += [_odd_date(dialect, entries.c[name]) for name in ("published", "updated", "first_seen")]
    return or_(*tests)


def _not_web(column, *also: str):
    """The column holds a value that is not an http(s) URL (nor one of the `also` LIKE patterns)."""
    allowed = [column.ilike("http://%"), column.ilike("https://%"), *(column.ilike(pattern) for pattern in also)]
    return and_(column.is_not(None), not_(or_(*allowed)))


def _odd_date(dialect: str, column):
    """The stored date is not what the store writes (SQLite: `YYYY-MM-DDTHH:MM:SS.ffffffZ`) or, on PostgreSQL,
    not a date Python can hold (infinite, or a year outside 1–9999)."""
    if dialect == "sqlite":
        return and_(column.is_not(None), not_(type_coerce(column, Text).like("____-__-__T__:__:__.______Z")))
    year = extract("year", func.timezone(literal("UTC"), column))
    return and_(column.is_not(None), or_(not_(func.isfinite(column)), not_(year.between(1, 9999))))


def _card(row, *, decoded: bool) -> Card:
    """The Card of a `shown` row; Unreadable when a value was broken (by hand or another tool) since its card was
    made: the same checks as the entries reader's. `decoded`: every text came through a strict UTF-8 decoder,
    so a str needs no further check (the common case, unpacked by position: a publish reads every card)."""
    (entry_id, feed_id, identity, link, author, enclosures, published, updated, first_seen, title, content_hash,
     image, excerpt, _link_key, category, site, channel) = row
    texts = (identity, title, content_hash, excerpt, category, site, channel)
    if not (decoded and all(type(value) is str for value in texts)
            and all(value is None or type(value) is str for value in (link, author, image, enclosures))):
        for name in ("identity", "title", "content_hash", "excerpt", "category", "site", "channel"):
            read_text(row, name, required=True)  # raises Unreadable naming the column
        link, author, image = (read_text(row, name, required=False) for name in ("link", "author", "image"))
    check_url("link", link)
    check_url("image", image, data_image=True)
    # The tree's names are the same few for every card: one string each (sys.intern), not three per card.
    category, site, channel = sys.intern(category), sys.intern(site), sys.intern(channel)
    return Card(id=entry_id, feed_id=feed_id, category=category, site=site, channel=channel, identity=identity,
                title=title, link=link, author=author, image=image,
                published=read_date(row, "published", required=True),
                updated=read_date(row, "updated", required=False) if updated is not None else None,
                first_seen=read_date(row, "first_seen", required=True),
                content_hash=content_hash, excerpt=excerpt,
                enclosures=_enclosures(row) if enclosures is not None else ())


def _enclosures(row):
    """The row's enclosures, each URL checked as the entries reader checks them (store/reading.py)."""
    try:
        found = enclosures_from_column(read_text(row, "enclosures", required=False))
    except ValueError as exc:
        raise Unreadable(f"enclosures {exc}") from None
    for enclosure in found:
        check_url("an enclosure", enclosure.url)
    return found
