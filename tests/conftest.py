"""Session-wide servers shared by several test packages."""

from __future__ import annotations

import pytest

from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server (Debian's package) on loopback for the whole session."""
    server = PostgresServer().start()
    yield server
    server.stop()
