"""Session-wide servers shared by several test packages, and the one store parametrisation over both dialects."""

from __future__ import annotations

import itertools
from collections.abc import Callable
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
def store_dialect(request) -> str:
    """The one parametrisation: every test that takes a store fixture below runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def new_store_target(store_dialect, request, tmp_path) -> Callable[[], Path | str]:
    """Makes a fresh, empty store target of this test's dialect per call (a property test's examples)."""
    numbers = itertools.count(1)
    if store_dialect == "sqlite":
        return lambda: tmp_path / f"store-{next(numbers)}" / "feedstation.db"
    server = request.getfixturevalue("postgres_server")
    return server.new_database


@pytest.fixture
def store_target(store_dialect, request, tmp_path) -> Path | str:
    """Where a test's store lives: a SQLite file in tmp_path, or a fresh database on the session's real
    PostgreSQL server (its SQLAlchemy URL). Pass it to `Store.open`, or write it as `storage:` in a
    config; read it back with tests/database_reads.py, never with raw sqlite3."""
    if store_dialect == "sqlite":
        return tmp_path / "feedstation.db"
    return request.getfixturevalue("postgres_server").new_database()
