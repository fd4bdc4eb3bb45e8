"""Tables (SQLAlchemy Core) and numbered migrations, each run in its own transaction."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from feedstation.errors import StoreError


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes stored as sortable ISO text (`2022-01-06T10:32:27.000000Z`).

    Text, not a native type, so SQLite and PostgreSQL store and sort them identically.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the store; datetimes must be aware UTC")
        return _iso_utc(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


@lru_cache(maxsize=8192)
def _iso_utc(value: datetime) -> str:
    # Cached: a feed update binds the same `now` (first/last seen) on every one of its rows.
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


metadata = MetaData()

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("category", Text, nullable=False),
    Column("site", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("title", Text),
    Column("link", Text),
    Column("ttl_minutes", Integer),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", String(16), nullable=False, default="never"),
    Column("http_status", Integer),
    Column("error", Text),
    Column("warning", Text),  # a recoverable problem of the last good fetch (e.g. ill-formed XML)
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("failing_since", UTCDateTime),
    Column("last_fetched_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_attempt_at", UTCDateTime),
    Column("served_by", Text),
    UniqueConstraint("category", "site", "channel", name="uq_feeds_tree"),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("identity", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("link", Text),
    Column("author", Text),
    # Effective date: the feed's own date, else the first-seen time, fixed once.
    Column("published", UTCDateTime, nullable=False),
    Column("date_from_feed", Boolean, nullable=False),
    Column("updated", UTCDateTime),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("summary", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("image", Text),
    Column("content_hash", String(80), nullable=False),
    Column("enclosures", Text),  # JSON [[url, type, length], ...] or NULL (issue 13: podcasts, video, torrents)
    UniqueConstraint("feed_id", "identity", name="uq_entries_identity"),
)
Index("ix_entries_published", entries.c.published)
Index("ix_entries_feed_published", entries.c.feed_id, entries.c.published)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)


def _add_feed_warning(conn: Connection) -> None:
    """Feeds keep the last recoverable parse warning."""
    conn.execute(text("ALTER TABLE feeds ADD COLUMN warning TEXT"))


def _add_entry_enclosures(conn: Connection) -> None:
    """Entries keep their audio/video/torrent enclosures."""
    conn.execute(text("ALTER TABLE entries ADD COLUMN enclosures TEXT"))


# Append-only: UPGRADES[N] brings the schema from version N-1 to N. Never edit a released one.
# A new database is created straight at the latest version from `metadata` (and stamped so);
# the upgrades are for databases made by an older feedstation. Version 1 is the first schema.
UPGRADES = {2: _add_feed_warning, 3: _add_entry_enclosures}
LATEST = max(UPGRADES, default=1)


def migrate(engine: Engine) -> int:
    """Bring the schema up to date, one transaction per migration. Returns the version reached."""
    latest = LATEST
    with engine.begin() as conn:
        schema_version.create(conn, checkfirst=True)
        current = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
        if current == 0:
            metadata.create_all(conn, tables=[feeds, entries])
            conn.execute(schema_version.insert().values(version=latest, applied_at=datetime.now(timezone.utc)))
            return latest
    if current > latest:
        raise StoreError(
            f"the database schema is version {current}, newer than this feedstation "
            f"understands ({latest}); upgrade feedstation"
        )
    for version in range(current + 1, latest + 1):
        with engine.begin() as conn:
            UPGRADES[version](conn)
            conn.execute(
                schema_version.insert().values(version=version, applied_at=datetime.now(timezone.utc))
            )
    return latest
