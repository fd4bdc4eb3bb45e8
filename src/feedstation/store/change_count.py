"""A count of the writes a card depends on (SQLite), kept by triggers, so a publish that finds it where the
last card check left it skips that check (issue 19: a no-change rebuild should not cost the whole history).

Finding the stale cards compares every entry with its card (store/card_rows.py `CardTable.stale`): 0.2 s at
45,000 items, 0.5 s at 120,000, on every build even when nothing was stored since. Triggers add one to
`store_changes.count` for every row written that a card is made from: entries (any column but
`last_seen`, which every fetch moves; `last_seen` set to NULL counts), their full texts' version, the
feeds' place in the tree and `active`, and the cards themselves. Triggers live in the database file,
so an edit by hand or by another tool counts too. `card_check` keeps the count (and the filter rules'
fingerprint) the last check left; equal now means no card can be stale.

A count says that something was written, not which card it made stale: the card check finds those by
comparing each entry's content hash with its card's. An edit that leaves the hash as it was (a title
corrected by hand or by another tool) would pass that comparison, so one more trigger marks the card of an
entry written without a new content hash as made from nothing (`for_hash = ''`), and the check makes it
again. feedstation's own writers give new text a new hash, so they do not fire it; the two that rename an
entry's identity (re-keying, adopting an imported post) do, and its card is made again, which is right.

The count says whether anything was written; `changed_entries` says which entries. The triggers of entries
and full texts also log the entry's id there (one row per write, in the same trigger as the count), and
the triggers of feeds and cards do not. So when the count moved since the last check by exactly the rows
logged, every write since was to a logged entry, and the check compares those entries alone with their
cards (0.18 s → a few ms at 45,000 items for one new item). Otherwise (a feed moved, a card was edited by
hand, other filter rules) it compares every entry, as before. A finished check removes the rows it saw,
and all of them when no one else wrote while it ran (then the later ones are its own filter marks).

SQLite only. PostgreSQL's shared writers would queue on one counter row (or, with a sequence, a count
could move before its write is visible), so there the check always runs; `changes` returns None.

A migration that adds a column to one of these tables calls `create_triggers` again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, Table, Text, select, text, update
from sqlalchemy.engine import Connection

WATCHED = ("entries", "full_texts", "feeds", "cards")  # rows added or removed count, and these columns' changes:
_SOME_COLUMNS = {"full_texts": ("for_hash", "status", "content", "image"),
                 "feeds": ("category", "site", "channel", "active")}


def _watched_columns(table: Table) -> list[str]:
    if table.name == "entries":
        return [column.name for column in table.c if column.name != "last_seen"]
    return list(_SOME_COLUMNS.get(table.name, (column.name for column in table.c)))


def change_tables(metadata: MetaData) -> tuple[Table, Table]:
    """`store_changes` (one row: the count) and `card_check` (one row: the count and rules fingerprint
    the last card check saw)."""
    changes = Table("store_changes", metadata, Column("id", Integer, primary_key=True),
                    Column("count", Integer, nullable=False))
    check = Table("card_check", metadata, Column("id", Integer, primary_key=True),
                  Column("changes", Integer, nullable=False), Column("rules", Text, nullable=False))
    return changes, check


def changed_entries_table(metadata: MetaData) -> Table:
    """`changed_entries`: the id of each entry written since the last card check, once per write (see above)."""
    return Table("changed_entries", metadata, Column("seq", Integer, primary_key=True),
                 Column("entry_id", Integer, nullable=False))


_LOGGED_ID = {"entries": "id", "full_texts": "entry_id"}  # the entry a row of these tables belongs to


def create_triggers(conn: Connection, metadata: MetaData) -> None:
    """(Re)create the counting triggers and the count's row (SQLite; nothing elsewhere)."""
    if not counted(conn.dialect.name):
        return
    conn.execute(text("INSERT OR IGNORE INTO store_changes (id, count) VALUES (1, 0)"))
    bump = "UPDATE store_changes SET count = count + 1 WHERE id = 1;"
    for table in WATCHED:
        columns = ", ".join(f'"{name}"' for name in _watched_columns(metadata.tables[table]))
        statements = {
            f"{table}_added": (f"AFTER INSERT ON {table}", "NEW"),
            f"{table}_removed": (f"AFTER DELETE ON {table}", "OLD"),
            f"{table}_changed": (f"AFTER UPDATE OF {columns} ON {table}", "NEW"),
        }
        if table == "entries":  # unreadable without it: the card check must look at the row again
            statements["entries_last_seen_lost"] = ("AFTER UPDATE OF last_seen ON entries WHEN NEW.last_seen IS NULL",
                                                    "NEW")
        for name, (when, row) in statements.items():
            logged = (f" INSERT INTO changed_entries (entry_id) VALUES ({row}.{_LOGGED_ID[table]});"
                      if table in _LOGGED_ID else "")
            conn.execute(text(f"DROP TRIGGER IF EXISTS count_{name}"))
            conn.execute(text(f"CREATE TRIGGER count_{name} {when} BEGIN {bump}{logged} END"))
    # An entry rewritten with its content hash unchanged: its card is stale all the same (see above). The
    # filters' own writes (`hidden_by`) and every fetch's `last_seen` are not edits of what a card shows.
    edited = ", ".join(f'"{column.name}"' for column in metadata.tables["entries"].c
                       if column.name not in ("id", "last_seen", "hidden_by", "content_hash"))
    conn.execute(text("DROP TRIGGER IF EXISTS stale_card_of_edited_entry"))
    # Its card's write is counted (the cards' trigger) and logged here as that entry's, so the next check can
    # still compare the logged entries alone.
    conn.execute(text(f"CREATE TRIGGER stale_card_of_edited_entry AFTER UPDATE OF {edited} ON entries "
                      "WHEN NEW.content_hash IS OLD.content_hash "
                      "BEGIN UPDATE cards SET for_hash = '' WHERE entry_id = NEW.id; "
                      "INSERT INTO changed_entries (entry_id) SELECT NEW.id "
                      "WHERE EXISTS (SELECT 1 FROM cards WHERE entry_id = NEW.id); END"))


def counted(dialect: str) -> bool:
    """Whether this database keeps the count (SQLite only, see above)."""
    return dialect == "sqlite"


def changes(conn: Connection, store_changes: Table) -> int | None:
    """The count now; None where there is none to trust (not SQLite, or a database without its row)."""
    if not counted(conn.dialect.name):
        return None
    return conn.execute(select(store_changes.c.count).where(store_changes.c.id == 1)).scalar_one_or_none()


@dataclass(frozen=True)
class Snapshot:
    """The count, the log and the last check, as one statement read them (so they agree)."""

    count: int
    newest: int  # the newest logged row (0: none)
    logged: int  # how many rows are logged
    checked: int | None  # the count the last check left (None: no check yet)
    rules: str | None  # … and the rules fingerprint it saw


def snapshot(conn: Connection) -> Snapshot | None:
    """The count, the log and the last check now; None where writes are not counted."""
    if not counted(conn.dialect.name):
        return None
    row = conn.execute(text("SELECT (SELECT count FROM store_changes WHERE id = 1), "
                            "(SELECT COALESCE(MAX(seq), 0) FROM changed_entries), "
                            "(SELECT COUNT(*) FROM changed_entries), "
                            "(SELECT changes FROM card_check WHERE id = 1), "
                            "(SELECT rules FROM card_check WHERE id = 1)")).one()
    return None if row[0] is None else Snapshot(*row)


def record_check(conn: Connection, store_changes: Table, card_check: Table, changed_entries: Table, *, seen: int,
                 own: int, rules: str, logged_up_to: int) -> None:
    """Keep the count a finished card check stands for: `seen` (read before it looked) plus `own` (what its
    own card writes added), if the count is exactly that now; if anyone else wrote meanwhile, `seen`, so
    the next publish checks again. The logged entries it saw (up to `logged_up_to`) are removed, and
    the later ones too when no one else wrote: they are its own."""
    now = changes(conn, store_changes)
    alone = now == seen + own
    kept = seen + own if alone else seen
    seen_rows = changed_entries.delete()
    conn.execute(seen_rows if alone else seen_rows.where(changed_entries.c.seq <= logged_up_to))
    if conn.execute(update(card_check).where(card_check.c.id == 1).values(changes=kept, rules=rules)).rowcount == 0:
        conn.execute(card_check.insert().values(id=1, changes=kept, rules=rules))
