"""Schema version 7 on PostgreSQL: every stored date column goes from ISO text to `timestamptz`.

SQLite keeps its text (it has no date type; the text sorts in time order), so there this is a no-op.

A stored value may not be a date at all (issue 11: a hand edit, another tool). Such a value must not
make the migration fail, and it must not be lost: its text is copied into `unreadable_dates` first
(table, row, column, text), and the column then gets
- `-infinity` in the entry dates the publisher reads (`KEEP_UNREADABLE`): the row stays unreadable,
  so it is still skipped and reported, naming its original text (`dialect.date_text`), as before;
- NULL in any other nullable column (a feed's `next_attempt_at` NULL means "due now");
- the migration's own time in the NOT NULL bookkeeping columns (`skipped_entries.noticed_at`,
  `schema_version.applied_at`), which only feedstation writes.

Text that is a date in another spelling the reader accepts (`103-…`, a space for `T`, no fraction)
is rewritten in the canonical form first, so the cast reads exactly what `parse_utc_text` reads.
Only rows a SQL test cannot prove canonical are looked at in Python: one scan per table finds them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, Table, insert, text
from sqlalchemy.engine import Connection

from feedstation.store.utc_column import UTCDateTime, iso_utc, parse_utc_text

UNREADABLE_SENTINEL = "-infinity"

# The canonical text (`2022-01-06T10:32:27.000000Z`) with fields in range; the day is checked against
# the month's length separately. Matching text casts to timestamptz exactly as parse_utc_text reads it.
_CANONICAL = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z$")


def _castable(column: str) -> str:
    """SQL that is true only for canonical text naming a real day (never raises, unlike the cast)."""
    return (f"(CASE WHEN {column} ~ '{_CANONICAL}' AND substr({column}, 1, 4) <> '0000' "
            f"THEN substr({column}, 9, 2)::int <= extract(day FROM make_date(substr({column}, 1, 4)::int, "
            f"substr({column}, 6, 2)::int, 1) + interval '1 month - 1 day') ELSE false END)")


def dates_to_timestamptz(conn: Connection, metadata: MetaData, unreadable: Table,
                         keep_unreadable: dict[str, tuple[str, ...]], now: datetime) -> None:
    """Convert every UTCDateTime column of `metadata`'s tables that the database still holds as text."""
    if conn.dialect.name != "postgresql":
        return
    unreadable.create(conn, checkfirst=True)
    for table in metadata.sorted_tables:
        columns = [c.name for c in table.c if isinstance(c.type, UTCDateTime) and _is_text(conn, table.name, c.name)]
        if not columns:
            continue
        _repair_values(conn, table, columns, unreadable, keep_unreadable.get(table.name, ()), now)
        conn.execute(text(f"ALTER TABLE {table.name} " + ", ".join(
            f"ALTER COLUMN {c} TYPE timestamptz USING {c}::timestamptz" for c in columns)))


def _is_text(conn: Connection, table: str, column: str) -> bool:
    found = conn.execute(text(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = :t AND column_name = :c"),
        {"t": table, "c": column}).scalar_one_or_none()
    return found in ("character varying", "text")


def _repair_values(conn: Connection, table: Table, columns: list[str], unreadable: Table,
                   keep_unreadable: tuple[str, ...], now: datetime) -> None:
    """Rewrite each value the cast could not read as the reader would (canonical text, or salvaged)."""
    key = next(iter(table.primary_key.columns)).name
    doubtful = " OR ".join(f"({c} IS NOT NULL AND NOT {_castable(c)})" for c in columns)
    rows = conn.execute(text(f"SELECT {key}, {', '.join(columns)} FROM {table.name} WHERE {doubtful}")).all()
    for row in rows:
        row_id, values = row[0], dict(zip(columns, row[1:]))
        for column, value in values.items():
            if value is None:
                continue
            try:
                fixed = iso_utc(parse_utc_text(value))
            except ValueError:
                conn.execute(insert(unreadable).values(table_name=table.name, row_id=row_id, column_name=column,
                                                       stored_text=value))
                fixed = _stand_in(table, column, keep_unreadable, now)
            if fixed != value:
                conn.execute(text(f"UPDATE {table.name} SET {column} = :v WHERE {key} = :k"), {"v": fixed, "k": row_id})


def _stand_in(table: Table, column: str, keep_unreadable: tuple[str, ...], now: datetime) -> str | None:
    if column in keep_unreadable:
        return UNREADABLE_SENTINEL
    return None if table.c[column].nullable else iso_utc(now)
