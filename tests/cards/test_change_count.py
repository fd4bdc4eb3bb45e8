"""The write count cards depend on (store/change_count.py): a publish with nothing written since the last
card check skips the check; every kind of write that can change a card, by feedstation, by hand or by
another tool, makes the next one look again. SQLite only: PostgreSQL always looks (said in the module)."""

from __future__ import annotations

import sqlite3

import pytest
from feedstation.cards.refresh import checked_since, refresh_cards
from feedstation.filters import FilterSet
from feedstation.store import Store
from feedstation.store.schema import entries, metadata
from tests.cards.test_refresh import entry, filters_of, record


def _checked(store: Store) -> bool:
    return checked_since(store, FilterSet())


def _no_skip(skipped) -> None:
    raise AssertionError(f"nothing should be skipped: {skipped}")


@pytest.fixture
def carded(tmp_path):
    with Store.open(tmp_path / "cards.db") as store:
        for feed in range(2):
            record(store, feed, [entry(feed, n) for n in range(4)])
        refresh_cards(store, FilterSet(), _no_skip)
        yield store, tmp_path / "cards.db"


def test_a_check_with_nothing_written_since_is_skipped_and_a_refetch_of_the_same_items_writes_nothing_counted(carded):
    store, _path = carded
    assert _checked(store)
    record(store, 0, [entry(0, n) for n in range(4)])  # the same items again: only last_seen moves
    assert _checked(store)


@pytest.mark.parametrize(("edit", "broken"), [
    ("UPDATE entries SET link = 'javascript:alert(1)' WHERE id = 1", True),  # by hand: now unreadable
    ("UPDATE entries SET title = 'retitled' WHERE id = 2", False),
    ("DELETE FROM cards WHERE entry_id = 3", False),
    ("UPDATE feeds SET active = 0 WHERE id = 1", False),
    ("DELETE FROM entries WHERE id = 4", False),
    ("UPDATE full_texts SET status = 'ok' WHERE entry_id = 5", False),  # no such row: counted all the same
])
def test_any_write_a_card_depends_on_makes_the_next_publish_look_again(carded, edit, broken):
    store, path = carded
    with sqlite3.connect(path) as raw:  # another tool: the triggers live in the database file
        raw.execute(edit)
        changed = raw.total_changes
    assert _checked(store) == (changed == 0)
    skipped: list = []
    refresh_cards(store, FilterSet(), skipped.append)
    assert len(skipped) == broken
    # After one more check nothing is stale; a row still unreadable is looked at (and reported) by every publish.
    assert _checked(store) == (not broken)


@pytest.mark.parametrize("edit", [
    "UPDATE entries SET title = 'retitled by hand' WHERE id = 2",
    "UPDATE entries SET summary = '<p>retitled by hand</p>', content = '<p>retitled by hand</p>' WHERE id = 2",
])
def test_an_edit_that_leaves_the_content_hash_makes_that_card_again(carded, edit):
    """The card check compares content hashes; an edit by another tool that keeps the hash must not keep the
    old card (a trigger marks it), and only that card is made again."""
    store, path = carded
    with sqlite3.connect(path) as raw:
        raw.execute(edit)
    assert refresh_cards(store, FilterSet(), _no_skip).made == 1
    with sqlite3.connect(path) as raw:
        title, excerpt = raw.execute("SELECT title, excerpt FROM cards WHERE entry_id = 2").fetchone()
    assert "retitled by hand" in title + excerpt
    assert refresh_cards(store, FilterSet(), _no_skip).made == 0


def test_a_new_item_and_a_filter_change_are_seen(carded):
    store, _path = carded
    record(store, 1, [entry(1, 9)])
    assert refresh_cards(store, FilterSet(), _no_skip).made == 1
    assert refresh_cards(store, filters_of({"exclude": ["第 1 条"]}), _no_skip).made == 4  # 站点0's cards only


def test_a_write_by_another_process_during_a_check_is_not_taken_as_seen(carded):
    store, path = carded
    table = store.cards
    start = table.since_last_check("rules")
    assert not start.unchanged  # other rules than the last check's
    with sqlite3.connect(path) as raw:  # written after the check began, before it was recorded
        raw.execute("UPDATE entries SET title = 'changed meanwhile' WHERE id = 1")
    table.record_check("rules", start, own=0)
    after = table.since_last_check("rules")
    assert not after.unchanged
    assert 1 in {card.entry_id for card in table.stale({"rules": [1, 2]}, logged_up_to=after.logged_up_to)}


def test_every_entries_column_but_last_seen_is_counted_by_the_trigger(carded):
    """A column added to entries later must be added to the trigger (a migration calls create_triggers)."""
    _store, path = carded
    with sqlite3.connect(path) as raw:
        (trigger,) = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'count_entries_changed'").fetchone()
    named = {column.name for column in entries.c if f'"{column.name}"' in trigger}
    assert named == {column.name for column in metadata.tables["entries"].c} - {"last_seen"}


def test_a_database_made_before_the_count_gets_its_triggers_when_migrated(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(path) as store:
        record(store, 0, [entry(0, 0)])
    with sqlite3.connect(path) as raw:  # as version 8 left it
        for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            raw.execute(f"DROP TRIGGER {name}")
        raw.execute("DROP TABLE store_changes")
        raw.execute("DROP TABLE card_check")
        raw.execute("DROP TABLE changed_entries")
        _stamp_version(raw, 8)
    with Store.open(path) as store:
        refresh_cards(store, FilterSet(), _no_skip)
        assert _checked(store)
        record(store, 0, [entry(0, 1)])
        assert not _checked(store)


def _stamp_version(raw: sqlite3.Connection, version: int) -> None:
    """Make the database say it was last migrated to `version` (a new one is stamped with the latest alone)."""
    raw.execute("DELETE FROM schema_version")
    raw.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, '2026-12-01T00:00:00.000000Z')",
                (version,))


def test_a_version_9_database_gets_the_trigger_that_marks_edited_cards(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(path) as store:
        record(store, 0, [entry(0, 0)])
        refresh_cards(store, FilterSet(), _no_skip)
    with sqlite3.connect(path) as raw:  # as version 9 left it
        raw.execute("DROP TRIGGER stale_card_of_edited_entry")
        _drop_the_log(raw)
        _stamp_version(raw, 9)
    with Store.open(path) as store:
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE entries SET title = 'retitled by hand' WHERE id = 1")
        assert refresh_cards(store, FilterSet(), _no_skip).made == 1


def test_the_site_marker_moves_with_an_entry_edited_by_hand(carded):
    """A date no page can show, written by hand, changes no card; the build must still look (issue 11)."""
    store, path = carded
    before = store.cards.marker()
    assert store.cards.counts_writes()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE entries SET published = '9999-12-31T23:59:59.000000Z' WHERE id = 1")
    assert store.cards.marker() != before


def _drop_the_log(raw: sqlite3.Connection) -> None:
    """Take away version 11's log of changed entries: its table, and the triggers as version 10 made them."""
    raw.execute("DROP TABLE changed_entries")
    for name, sql in raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall():
        if "changed_entries" in sql:
            raw.execute(f"DROP TRIGGER {name}")
            raw.execute(sql.split(" INSERT INTO changed_entries")[0] + " END")


def _logged(path) -> list[int]:
    with sqlite3.connect(path) as raw:
        return [entry_id for (entry_id,) in raw.execute("SELECT entry_id FROM changed_entries ORDER BY seq")]


def test_a_new_item_is_compared_alone_and_the_check_empties_the_log(carded):
    """A publish after a fetch that stored one new item compares that entry with its card, not the history."""
    store, path = carded
    assert _logged(path) == []
    record(store, 1, [entry(1, 9)])
    (new,) = _logged(path)
    start = store.cards.since_last_check(_rules(store))
    assert not start.unchanged and start.logged_up_to is not None
    assert [card.entry_id for card in store.cards.stale(_rule_groups(store), logged_up_to=start.logged_up_to)] == [new]
    assert refresh_cards(store, FilterSet(), _no_skip).made == 1
    assert _logged(path) == [] and _checked(store)


def _rules(store: Store) -> str:
    from feedstation.cards.refresh import _every_rule, _rules_of

    return _every_rule(_rules_of(store, FilterSet()))


def _rule_groups(store: Store) -> dict[str, list[int]]:
    from feedstation.cards.refresh import _rules_of

    return _rules_of(store, FilterSet())


EDITS = [
    "UPDATE entries SET title = 'retitled' WHERE id = 2",  # the content hash kept: a trigger marks its card
    "UPDATE entries SET content_hash = 'other', title = 'new text' WHERE id = 3",
    "UPDATE entries SET link = 'javascript:alert(1)' WHERE id = 4",
    "UPDATE entries SET published = 'not a date' WHERE id = 5",
    "UPDATE entries SET feed_date = '2026-01-01', warning = 'by hand' WHERE id = 6",
    "INSERT INTO full_texts (entry_id, status, for_hash, content, fetched_at) "
    "VALUES (7, 'ok', 'h', '<p>x</p>', '2026-12-01T00:00:00.000000Z')",
    "DELETE FROM cards WHERE entry_id = 8",
    "UPDATE feeds SET active = 0 WHERE id = 2",
    "UPDATE feeds SET active = 1 WHERE id = 2",
    "DELETE FROM entries WHERE id = 1",
]


@pytest.mark.parametrize("edits", [EDITS[:1], EDITS[1:2], EDITS[2:4], EDITS[4:6], EDITS[6:7], EDITS[7:9], EDITS[9:],
                                   EDITS])
def test_the_logged_entries_alone_are_stale_exactly_when_every_entry_compared_says_so(carded, edits):
    """Whatever was written since the last check, by feedstation or by hand: when the check may compare the
    logged entries alone, they are exactly the stale ones a comparison of every entry finds."""
    store, path = carded
    record(store, 0, [entry(0, 7)])  # one new item by feedstation's own writer, logged
    compared_alone = 0
    for edit in edits:
        with sqlite3.connect(path) as raw:
            raw.execute(edit)
        start = store.cards.since_last_check(_rules(store))
        every = store.cards.stale(_rule_groups(store))
        if start.logged_up_to is not None:
            assert store.cards.stale(_rule_groups(store), logged_up_to=start.logged_up_to) == every
            compared_alone += 1
    # Writes to entries and full texts (and the cards a trigger marks for them) are logged: after those alone,
    # each check may compare the logged entries only. A card deleted or a feed moved is not: every entry is.
    if all(edit in EDITS[:6] or edit.startswith("DELETE FROM entries") for edit in edits):
        assert compared_alone == len(edits)
    else:
        assert compared_alone < len(edits)
    skipped: list = []
    refresh_cards(store, FilterSet(), skipped.append)
    # A check that read every row is recorded and empties the log; one that met an unreadable row is not, and
    # the next one compares every entry again (and reports the row again).
    assert (_logged(path) == [] and _checked(store)) if not skipped else not _checked(store)


def test_a_version_10_database_gets_the_log_and_compares_every_entry_once(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(path) as store:
        record(store, 0, [entry(0, n) for n in range(3)])
        refresh_cards(store, FilterSet(), _no_skip)
    with sqlite3.connect(path) as raw:  # as version 10 left it, with one entry written by hand since the check
        _drop_the_log(raw)
        _stamp_version(raw, 10)
        raw.execute("UPDATE entries SET content_hash = 'other', title = 'edited before the upgrade' WHERE id = 2")
    with Store.open(path) as store:
        start = store.cards.since_last_check(_rules(store))
        assert not start.unchanged and start.logged_up_to is None  # the write before the log is not in it
        assert refresh_cards(store, FilterSet(), _no_skip).made == 1
        record(store, 0, [entry(0, 5)])
        assert store.cards.since_last_check(_rules(store)).logged_up_to is not None
        assert refresh_cards(store, FilterSet(), _no_skip).made == 1
