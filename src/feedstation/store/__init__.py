"""Storage stage: SQLite (default) or any SQLAlchemy engine behind the `Store` interface."""

from feedstation.store.database import Store

__all__ = ["Store"]
