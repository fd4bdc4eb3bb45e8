"""The few statements whose spelling differs between SQLite and PostgreSQL, chosen by the connection's dialect."""

from __future__ import annotations

import importlib

from sqlalchemy import Column, Table, Text, and_, bindparam, case, cast, extract, func, literal, null, select, type_coerce
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

# The dialect modules are imported on first use: SQLAlchemy's PostgreSQL dialect alone was a sixth of
# the import time of a SQLite run's startup (issue 19).
DIALECTS = ("postgresql", "sqlite")


def _dialect_module(name: str):
    return importlib.import_module(f"sqlalchemy.dialects.{name}")


def identity_in(dialect: str, column: Column, name: str):
    """`column IN (…)` over a list parameter `name`.

    PostgreSQL gets `= ANY(:name)` with one array parameter (one parameter whatever the length; the
    protocol allows 65,535). SQLite gets an expanding `IN`. Callers pass at most a few thousand values.
    SQLite gets an expanding `IN`. Callers still pass at most a few thousand values per statement.
    """
    if dialect == "postgresql":
        return column == func.any(bindparam(name, type_=_dialect_module("postgresql").ARRAY(Text)))
    return column.in_(bindparam(name, expanding=True))


def insert_ignoring_conflicts(conn: Connection, table: Table, unique_columns: list[str]):
    """`INSERT … ON CONFLICT (unique_columns) DO NOTHING` for the connection's database."""
    if conn.dialect.name not in DIALECTS:
        raise NotImplementedError(f"feedstation supports SQLite and PostgreSQL, not {conn.dialect.name}")
    return _dialect_module(conn.dialect.name).insert(table).on_conflict_do_nothing(index_elements=unique_columns)


def refresh_statistics(engine: Engine, table: Table) -> None:
    """ANALYZE `table` after a bulk insert (PostgreSQL); SQLite's planner needs nothing here."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"ANALYZE {table.name}")


# to_char pattern giving exactly the text SQLite stores (store/utc_column.py iso_utc).
_ISO_UTC_PATTERN = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def date_text(dialect: str, column: Column, unreadable: Table) -> ColumnElement:
    """A stored date as text, for the row-by-row reader (store/reading.py), which parses it itself.

    SQLite stores the text. PostgreSQL's timestamptz becomes the same canonical text when it is a
    date Python can hold (years 1–9999, finite). Any other value would make psycopg fail the whole
    query, so it comes back as text the reader refuses: the original text the migration to
    timestamptz kept in `unreadable_dates` (the `-infinity` it left in the column stands for it),
    else the database's own spelling (`infinity`, `20000-01-01 00:00:00+00`, `… BC`).
    """
    if dialect != "postgresql":
        return type_coerce(column, Text)
    in_utc = func.timezone(literal("UTC"), column)
    readable = and_(func.isfinite(column), extract("year", in_utc).between(1, 9999))
    kept = (select(unreadable.c.stored_text)
            .where(unreadable.c.table_name == column.table.name, unreadable.c.column_name == column.name,
                   unreadable.c.row_id == column.table.c.id)
            .scalar_subquery())
    return case((column.is_(None), null()),
                (readable, func.to_char(in_utc, literal(_ISO_UTC_PATTERN))),
                else_=func.coalesce(kept, cast(column, Text)))
