"""Test helper (no business logic): turn a new store into the shape an older feedstation left behind.

A database made at the latest schema is taken back by hand: `dates_as_text` undoes schema version 7
on PostgreSQL (dates were VARCHAR(32) ISO text before it; SQLite always keeps text), and
`stamp_version` records which version the database claims to be, so `Store.open` migrates it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from feedstation.store.schema import metadata
from feedstation.store.utc_column import UTCDateTime

CANONICAL_TEXT = """to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def dates_as_text(conn: Connection) -> None:
    """PostgreSQL: every date column back to the VARCHAR(32) text versions before 7 stored; no unreadable_dates."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        columns = [c.name for c in table.c if isinstance(c.type, UTCDateTime)]
        if columns:
            conn.execute(text(f"ALTER TABLE {table.name} " + ", ".join(
                f"ALTER COLUMN {c} TYPE VARCHAR(32) USING {CANONICAL_TEXT.format(column=c)}" for c in columns)))
    conn.execute(text("DROP TABLE IF EXISTS unreadable_dates"))


def stamp_version(conn: Connection, version: int) -> None:
    conn.execute(text("DELETE FROM schema_version"))
    conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (:v, '2024-01-01T00:00:00.000000Z')"),
                 {"v": version})


def column_types(conn: Connection, table: str) -> dict[str, str]:
    """PostgreSQL: {column: data_type} from information_schema."""
    rows = conn.execute(text("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_schema = current_schema() AND table_name = :t"), {"t": table})
    return dict(rows.all())
