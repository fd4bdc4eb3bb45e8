"""Session-wide servers shared by several test packages, and the one store fixture over both dialects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer

DIALECTS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server (Debian's package) on loopback for the whole session."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=DIALECTS)
def store_target(request, tmp_path) -> Path | str:
    """Where a test's store lives, once per dialect: a SQLite file in tmp_path, or a fresh database on
    the session's real PostgreSQL server (its SQLAlchemy URL). Pass it to `Store.open`, or write it as
    `storage:` in a config; read it back with tests/database_reads.py, never with raw sqlite3."""
    if request.param == "sqlite":
        return tmp_path / "feedstation.db"
    return request.getfixturevalue("postgres_server").new_database()
