"""Test helper (no business logic): read any store, SQLite or PostgreSQL, through SQLAlchemy.

Tests check what reached the database with these instead of opening the file with raw sqlite3, so the
same assertions run on both dialects. They open a bare engine (no migration), one per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.engine import Connection

from feedstation.store.engine import create_store_engine


def is_postgresql(target: Path | str) -> bool:
    return str(target).startswith("postgresql")


@contextmanager
def connection(target: Path | str) -> Iterator[Connection]:
    """A connection to the store at `target`, inside a transaction that is committed at the end."""
    engine = create_store_engine(target)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def db_rows(target: Path | str, sql: str, **params) -> list[tuple]:
    """The rows of one portable SQL statement (`:name` parameters), as plain tuples."""
    with connection(target) as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def table_names(target: Path | str) -> list[str]:
    with connection(target) as conn:
        return sorted(inspect(conn).get_table_names())


def db_dump(target: Path | str) -> str:
    """Every row of every table as text (for "this never reached the DB" checks)."""
    with connection(target) as conn:
        tables = MetaData()
        tables.reflect(conn)
        return "\n".join(repr(tuple(row)) for table in tables.sorted_tables for row in conn.execute(select(table)))
