"""Store fixtures: one real PostgreSQL server per session, beside the embedded SQLite default."""

from __future__ import annotations

import pytest

from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path):
    """A database target for `Store.open`: a SQLite file, or a fresh database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "feedstation.db"
    return request.getfixturevalue("postgres_server").new_database()
