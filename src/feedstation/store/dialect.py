"""The few statements whose spelling differs between SQLite and PostgreSQL, chosen by the connection's dialect."""

from __future__ import annotations

import importlib

from sqlalchemy import Column, Table, Text, bindparam, func
from sqlalchemy.engine import Connection, Engine

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
