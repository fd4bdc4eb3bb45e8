"""Store fixtures: every store test that takes `store_target` runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path):
    """A database target for `Store.open`: a SQLite file, or a fresh database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "feedstation.db"
    return request.getfixturevalue("postgres_server").new_database()
