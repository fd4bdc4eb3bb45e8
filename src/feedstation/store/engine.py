"""Create the SQLAlchemy engine: SQLite pragmas on every connection, real transactions."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from feedstation.errors import StoreError

BUSY_TIMEOUT_MS = 10_000
# Execution option marking a connection whose transactions write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "feedstation_write"


def create_store_engine(target: str | Path) -> Engine:
    """An engine for a SQLite file path or any SQLAlchemy URL (e.g. postgresql+psycopg://...)."""
    url = str(target)
    if "://" not in url:
        path = Path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database {path}: {exc.strerror}") from exc
        url = f"sqlite:///{path}"
    # pool_pre_ping: a connection the server dropped (restart, idle timeout) is replaced before use.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    # Every session in UTC with ISO date output, whatever the server's defaults: a date the database
    # turns into text itself (a timestamptz written into a column that is still text, before schema
    # version 7; an unreadable date shown in a skip report) is then `2026-01-02 03:04:05+00`.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a SET inside the pool's first transaction would be rolled back
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SET datestyle = 'ISO, YMD'")
        finally:
            cursor.close()
            dbapi_conn.autocommit = autocommit


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling does not BEGIN before DDL and commits behind our
    # back; hand transaction control to SQLAlchemy (the documented recipe) so migrations and
    # per-feed updates are real transactions.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL: readers never block the writer; a killed writer leaves committed data intact.
        _switch_to_wal(cursor)
        # NORMAL in WAL mode is durable against process crashes (kill -9); only an OS crash
        # or power cut can roll back the last few commits, never corrupt the file.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # IMMEDIATE for the store's writing transactions (`WRITE_OPTION`): they take the write lock up
        # front, so two writers wait for each other (busy_timeout) instead of the second failing when
        # it upgrades a stale read. Reads stay plain BEGIN and never block a writer (WAL).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """`PRAGMA journal_mode = WAL`, waiting out another process that is creating the same new file.

    Switching a fresh database to WAL needs a moment alone with it and SQLite does not call the busy
    handler for that, so several processes opening one new database at once would otherwise fail.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
