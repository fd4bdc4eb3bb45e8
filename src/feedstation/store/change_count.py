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

SQLite only. PostgreSQL's shared writers would queue on one counter row (or, with a sequence, a count
could move before its write is visible), so there the check always runs; `changes` returns None.

A migration that adds a column to one of these tables calls `create_triggers` again.
"""

from __future__ import annotations

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


def create_triggers(conn: Connection, metadata: MetaData) -> None:
    """(Re)create the counting triggers and the count's row (SQLite; nothing elsewhere)."""
    if not counted(conn.dialect.name):
        return
    conn.execute(text("INSERT OR IGNORE INTO store_changes (id, count) VALUES (1, 0)"))
    bump = "BEGIN UPDATE store_changes SET count = count + 1 WHERE id = 1; END"
    for table in WATCHED:
        columns = ", ".join(f'"{name}"' for name in _watched_columns(metadata.tables[table]))
        statements = {
            f"{table}_added": f"AFTER INSERT ON {table}",
            f"{table}_removed": f"AFTER DELETE ON {table}",
            f"{table}_changed": f"AFTER UPDATE OF {columns} ON {table}",
        }
        if table == "entries":  # unreadable without it: the card check must look at the row again
            statements["entries_last_seen_lost"] = "AFTER UPDATE OF last_seen ON entries WHEN NEW.last_seen IS NULL"
        for name, when in statements.items():
            conn.execute(text(f"DROP TRIGGER IF EXISTS count_{name}"))
            conn.execute(text(f"CREATE TRIGGER count_{name} {when} {bump}"))
    # An entry rewritten with its content hash unchanged: its card is stale all the same (see above). The
    # filters' own writes (`hidden_by`) and every fetch's `last_seen` are not edits of what a card shows.
    edited = ", ".join(f'"{column.name}"' for column in metadata.tables["entries"].c
                       if column.name not in ("id", "last_seen", "hidden_by", "content_hash"))
    conn.execute(text("DROP TRIGGER IF EXISTS stale_card_of_edited_entry"))
    conn.execute(text(f"CREATE TRIGGER stale_card_of_edited_entry AFTER UPDATE OF {edited} ON entries "
                      "WHEN NEW.content_hash IS OLD.content_hash "
                      "BEGIN UPDATE cards SET for_hash = '' WHERE entry_id = NEW.id; END"))


def counted(dialect: str) -> bool:
    """Whether this database keeps the count (SQLite only, see above)."""
    return dialect == "sqlite"


def changes(conn: Connection, store_changes: Table) -> int | None:
    """The count now; None where there is none to trust (not SQLite, or a database without its row)."""
    if not counted(conn.dialect.name):
        return None
    return conn.execute(select(store_changes.c.count).where(store_changes.c.id == 1)).scalar_one_or_none()


def last_check(conn: Connection, card_check: Table) -> tuple[int, str] | None:
    """(count, rules fingerprint) the last card check left, if any."""
    row = conn.execute(select(card_check.c.changes, card_check.c.rules).where(card_check.c.id == 1)).first()
    return (row.changes, row.rules) if row is not None else None


def record_check(conn: Connection, store_changes: Table, card_check: Table, *, seen: int, own: int,
                 rules: str) -> None:
    """Keep the count a finished card check stands for: `seen` (read before it looked) plus `own` (what its
    own card writes added), if the count is exactly that now; if anyone else wrote meanwhile, `seen`, so
    the next publish checks again."""
    now = changes(conn, store_changes)
    kept = seen + own if now == seen + own else seen
    if conn.execute(update(card_check).where(card_check.c.id == 1).values(changes=kept, rules=rules)).rowcount == 0:
        conn.execute(card_check.insert().values(id=1, changes=kept, rules=rules))
