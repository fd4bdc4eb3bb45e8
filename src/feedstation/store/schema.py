"""Tables (SQLAlchemy Core) and numbered migrations, each run in its own transaction."""

from __future__ import annotations

from datetime import datetime, timezone

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

from feedstation.errors import StoreError
from feedstation.store.engine import WRITE_OPTION
from feedstation.store.change_count import change_tables, changed_entries_table, create_triggers
from feedstation.store.timestamptz import dates_to_timestamptz
from feedstation.store.utc_column import UTCDateTime, iso_utc, parse_utc_text  # noqa: F401 (re-exported)


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
    # The feed's own date when it was implausible and so not used (normalize/dates.py), and why.
    Column("feed_date", UTCDateTime),
    Column("warning", Text),
    Column("enclosures", Text),  # JSON [[url, type, length], ...] or NULL (issue 13: podcasts, video, torrents)
    # The filter rule that hid this entry at the last publish, NULL when shown (issue 17; filters/screen.py).
    Column("hidden_by", Text),
    UniqueConstraint("feed_id", "identity", name="uq_entries_identity"),
)
Index("ix_entries_published", entries.c.published)
Index("ix_entries_feed_published", entries.c.feed_id, entries.c.published)
# The entry dates the publisher reads (store/reading.py reads them as text, row by row).
PUBLISHED_DATES = ("published", "updated", "first_seen", "last_seen")

# Stored entries the last publish could not read or render, so `feedstation status` can list them.
# Replaced as a whole by every publish; the entry_id has no foreign key, since the row it names
# may be the broken one.
skipped_entries = Table(
    "skipped_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE")),
    Column("entry_id", Integer),
    Column("identity", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("noticed_at", UTCDateTime, nullable=False),
)

# PostgreSQL only (schema version 7, store/timestamptz.py): the original text of a stored date that was not
# a date when the column became timestamptz, so nothing is lost and the reader can still name it.
# SQLite keeps dates as text, so there the text itself stays in its column and this table is not made.
unreadable_dates = Table(
    "unreadable_dates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("table_name", Text, nullable=False),
    Column("row_id", Integer, nullable=False),
    Column("column_name", Text, nullable=False),
    Column("stored_text", Text, nullable=False),
    UniqueConstraint("table_name", "row_id", "column_name", name="uq_unreadable_dates_cell"),
)

# The full text of an item whose source has `full_text: true` (full_text/), one row per entry.
# Kept beside the entry, not in it: the feed's own content stays as the feed gave it, and the row
# remembers which version of the item (`for_hash` = the entry's content_hash) its page was fetched
# for, so a page is fetched again only when the item changes.
full_texts = Table(
    "full_texts",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("for_hash", String(80), nullable=False),
    Column("status", String(16), nullable=False),  # ok | summary_kept | failed
    Column("reason", Text),  # why not ok (fetch error, too short, no article found)
    Column("content", Text),  # sanitised article HTML when ok
    Column("image", Text),  # the page's og:image, used when the feed gives none
    Column("etag", Text),  # the page's validators, for a conditional GET when the item changes
    Column("last_modified", Text),
    Column("fetched_at", UTCDateTime, nullable=False),
)

# Each entry as the site shows it without its body (cards/, issue 19): derived at publish time from the
# entry, its full text and the filter rules of its feed, and made again only when one of those changed
# (`for_hash`: the entry's content hash then; `for_full_text`: its full-text row's status and version;
# `for_rules`: the rules' fingerprint and the card format), so a build reads bodies only for what changed.
# `hidden_by` is the rule that hides it; `made_in` the write that made it.
# story_* are the dedupe comparison's normalised title, title numbers (space-separated), lead and
# question flag; link_key the canonical link (dedupe/canonical_link.py).
cards = Table(
    "cards",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("for_hash", Text, nullable=False),
    Column("for_full_text", Text, nullable=False),
    Column("for_rules", Text, nullable=False),
    Column("hidden_by", Text),
    Column("title", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("image", Text),
    Column("excerpt", Text, nullable=False),
    Column("story_title", Text, nullable=False),
    Column("story_numbers", Text, nullable=False),
    Column("story_lead", Text, nullable=False),
    Column("story_question", Boolean, nullable=False),
    Column("link_key", Text),
    # Which write made this card (one more than the highest before it): with the count of cards, a
    # value that changes whenever any card is made or dropped, which a build compares with its last.
    Column("made_in", Integer, nullable=False, server_default="0"),
)
Index("ix_cards_made_in", cards.c.made_in)

# Pairs of entries of different feeds, close in time, that tell the same story (dedupe/groups.py
# near_pairs), found when either entry's card was made; grouping joins them at build time.
story_pairs = Table(
    "story_pairs",
    metadata,
    Column("later_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("earlier_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_story_pairs_earlier", story_pairs.c.earlier_id)

# Writes a card depends on, counted by triggers on SQLite (store/change_count.py), and the count the last
# card check saw: a publish with nothing written since skips the check.
store_changes, card_check = change_tables(metadata)
changed_entries = changed_entries_table(metadata)  # which entries those writes were to (same triggers)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)


def _add_feed_warning(conn: Connection) -> None:
    """Feeds keep the last recoverable parse warning."""
    conn.execute(text("ALTER TABLE feeds ADD COLUMN warning TEXT"))


_DATE_COLUMNS = {
    "entries": ("published", "updated", "first_seen", "last_seen"),
    "feeds": ("failing_since", "last_fetched_at", "last_success_at", "next_attempt_at"),
}


def _entry_date_warnings(conn: Connection) -> None:
    """Entries keep an implausible feed date and its warning; years are padded to four digits.

    Versions before 3 wrote years below 1000 unpadded (`103-12-13T…`), which sorted wrongly and
    could not be read back; prefixing zeros makes them the text every later version writes.
    """
    conn.execute(text("ALTER TABLE entries ADD COLUMN feed_date VARCHAR(32)"))
    conn.execute(text("ALTER TABLE entries ADD COLUMN warning TEXT"))
    skipped_entries.create(conn, checkfirst=True)
    for table, columns in _DATE_COLUMNS.items():
        for column in columns:
            for digits in (1, 2, 3):
                pattern = "_" * digits + "-%"  # LIKE, not GLOB: portable to PostgreSQL
                conn.execute(text(f"UPDATE {table} SET {column} = :pad || {column} "
                                  f"WHERE {column} LIKE :pattern"),
                             {"pad": "0" * (4 - digits), "pattern": pattern})


def _add_entry_enclosures(conn: Connection) -> None:
    """Entries keep their audio/video/torrent enclosures."""
    conn.execute(text("ALTER TABLE entries ADD COLUMN enclosures TEXT"))


def _add_entry_hidden_by(conn: Connection) -> None:
    """Entries record the filter rule that hides them (NULL: shown)."""
    conn.execute(text("ALTER TABLE entries ADD COLUMN hidden_by TEXT"))


def _add_full_texts(conn: Connection) -> None:
    """Items of `full_text` sources keep their page's article (or why not) beside them."""
    full_texts.create(conn, checkfirst=True)


def _add_cards(conn: Connection) -> None:
    """Entries get a card and story pairs, made by the next publish (cards/refresh.py)."""
    cards.create(conn, checkfirst=True)
    story_pairs.create(conn, checkfirst=True)


def _dates_to_timestamptz(conn: Connection) -> None:
    """PostgreSQL: dates become timestamptz, unreadable ones salvaged (store/timestamptz.py). SQLite: nothing."""
    dates_to_timestamptz(conn, metadata, unreadable_dates, {"entries": PUBLISHED_DATES},
                         now=datetime.now(timezone.utc))


def _add_change_count(conn: Connection) -> None:
    """SQLite counts the writes cards depend on (store/change_count.py); PostgreSQL gets the tables only."""
    store_changes.create(conn, checkfirst=True)
    card_check.create(conn, checkfirst=True)
    create_triggers(conn, metadata)


def _mark_edited_cards(conn: Connection) -> None:
    """SQLite: an entry edited without a new content hash makes its card stale (store/change_count.py)."""
    create_triggers(conn, metadata)


def _log_changed_entries(conn: Connection) -> None:
    """SQLite logs which entries were written since the last card check, so it compares only those
    (store/change_count.py). Writes made before are not logged: the count tells, and the next check
    compares every entry if there were any since the last one."""
    changed_entries.create(conn, checkfirst=True)
    create_triggers(conn, metadata)


# Append-only: UPGRADES[N] brings the schema from version N-1 to N. Never edit a released one.
# A new database is created straight at the latest version from `metadata` (and stamped so);
# the upgrades are for databases made by an older feedstation. Version 1 is the first schema.
# Upgrades run in number order; a number may be missing (reserved by work not merged yet).
UPGRADES = {2: _add_feed_warning, 3: _entry_date_warnings, 4: _add_entry_enclosures, 5: _add_entry_hidden_by,
            6: _add_full_texts, 7: _dates_to_timestamptz, 8: _add_cards, 9: _add_change_count,
            10: _mark_edited_cards, 11: _log_changed_entries}
LATEST = max(UPGRADES, default=1)


# PostgreSQL advisory-lock key for schema changes (any constant; "feedstation" in ASCII, truncated).
_MIGRATION_LOCK_KEY = 0x66656564737461


def _tables_of(conn: Connection) -> list[Table]:
    """The tables a new database is created with (unreadable_dates exists on PostgreSQL only)."""
    tables = [feeds, entries, skipped_entries, full_texts, cards, story_pairs, store_changes, card_check,
              changed_entries]
    return [*tables, unreadable_dates] if conn.dialect.name == "postgresql" else tables


def _write_transaction(engine: Engine):
    """engine.begin() marked as writing, so SQLite takes its write lock up front (BEGIN IMMEDIATE)."""
    return engine.execution_options(**{WRITE_OPTION: True}).begin()


def _lock_migrations(conn: Connection) -> None:
    """Serialise schema changes between processes (PostgreSQL: CREATE TABLE races corrupt nothing but fail).

    SQLite needs nothing: its first write in the transaction takes the database's single write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})


def migrate(engine: Engine) -> int:
    """Bring the schema up to date, one transaction per migration. Returns the version reached."""
    latest = LATEST
    with _write_transaction(engine) as conn:
        _lock_migrations(conn)
        schema_version.create(conn, checkfirst=True)
        current = conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()
        if current == 0:
            metadata.create_all(conn, tables=_tables_of(conn))
            create_triggers(conn, metadata)
            conn.execute(schema_version.insert().values(version=latest, applied_at=datetime.now(timezone.utc)))
            return latest
    if current > latest:
        raise StoreError(
            f"the database schema is version {current}, newer than this feedstation "
            f"understands ({latest}); upgrade feedstation"
        )
    # The numbers present, in order (each upgrade is independent of numbers another branch adds).
    for version in sorted(v for v in UPGRADES if v > current):
        with _write_transaction(engine) as conn:
            _lock_migrations(conn)
            if conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one() >= version:
                continue  # another process applied it while this one waited for the lock
            UPGRADES[version](conn)
            conn.execute(
                schema_version.insert().values(version=version, applied_at=datetime.now(timezone.utc))
            )
    return latest
