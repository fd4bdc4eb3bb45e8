"""Stored rows back into StoredEntry for publishing: each row is checked on its own, and one that
cannot be read is skipped and reported (feed, identity, reason) instead of stopping the site.

Publishing must not depend on every stored row being perfect (issue 11): a row written by an
older feedstation, edited by hand or by another tool can hold a date that does not parse, a NULL
where a value belongs, a BLOB or a number in a text column, bytes that are not UTF-8, or a title
of megabytes. Columns are therefore read raw (dates as text, text leniently decoded) and turned
into values here, one row at a time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection, Row

from feedstation.models import SkippedEntry, StoredEntry
from feedstation.normalize.urls import scheme_of
from feedstation.store.dialect import date_text
from feedstation.store.enclosure_column import enclosures_from_column
from feedstation.store.schema import PUBLISHED_DATES, entries, feeds, full_texts, parse_utc_text, unreadable_dates

log = logging.getLogger(__name__)

# Normalised titles are one line of plain text; a title this long can only be a broken row,
# and it would be repeated on every list page, feed and search shard the entry appears in.
MAX_TITLE_CHARS = 65_536
_REQUIRED_TEXT = ("identity", "title", "summary", "content", "content_hash")
_OPTIONAL_TEXT = ("link", "author", "image")
_REQUIRED_DATES = ("published", "first_seen", "last_seen")
# What the sanitiser keeps as an image's src besides http(s) (normalize/html.py), so a lead image may be one.
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp|avif);base64,", re.IGNORECASE)


class Unreadable(Exception):
    """One stored row that cannot become a StoredEntry; the message says which column and why."""


def entries_query(dialect: str, *, active_only: bool) -> Select:
    """Every entry with its tree, newest first (ties broken by id); dates come back as raw text."""
    columns = [date_text(dialect, c, unreadable_dates).label(c.name) if c.name in PUBLISHED_DATES else c
               for c in entries.c if c.name not in ("feed_date", "date_from_feed", "warning")]
    query = (select(*columns, feeds.c.category, feeds.c.site, feeds.c.channel,
                    full_texts.c.status.label("full_text_status"), full_texts.c.content.label("full_text"),
                    full_texts.c.image.label("page_image"))
             .join(feeds, feeds.c.id == entries.c.feed_id)
             .outerjoin(full_texts, full_texts.c.entry_id == entries.c.id)
             .order_by(entries.c.published.desc(), entries.c.id.desc()))
    return query.where(feeds.c.active.is_(True)) if active_only else query


def read_entries(conn: Connection, query: Select, on_skip) -> Iterator[StoredEntry]:
    """StoredEntry for each readable row of `query`; `on_skip(SkippedEntry)` for each other one."""
    with lenient_text(conn):
        for row in conn.execute(query.execution_options(yield_per=2000)):
            try:
                yield stored_entry(row)
            except Unreadable as exc:
                skipped = SkippedEntry(feed_id=row.feed_id, feed=feed_label(row, row.feed_id), entry_id=row.id,
                                       identity=shown(row.identity), reason=str(exc))
                log.info("%s", skipped.line())
                on_skip(skipped)


def stored_entry(row: Row) -> StoredEntry:
    """One row as a StoredEntry, or Unreadable naming the first column that is not usable."""
    values = {name: read_text(row, name, required=True) for name in _REQUIRED_TEXT}
    values.update({name: read_text(row, name, required=False) for name in _OPTIONAL_TEXT})
    values.update({name: read_date(row, name, required=True) for name in _REQUIRED_DATES})
    values["updated"] = read_date(row, "updated", required=False)
    for name in ("category", "site", "channel"):
        values[name] = read_text(row, name, required=True)
    if not values["identity"].strip():
        raise Unreadable("identity is empty")
    if len(values["title"]) > MAX_TITLE_CHARS:
        raise Unreadable(f"title is {len(values['title']):,} characters long (at most {MAX_TITLE_CHARS:,} "
                         "can be published)")
    for name in ("link", "image"):
        check_url(name, values[name], data_image=name == "image")
    try:
        values["enclosures"] = enclosures_from_column(read_text(row, "enclosures", required=False))
    except ValueError as exc:
        raise Unreadable(f"enclosures {exc}") from None
    for enclosure in values["enclosures"]:
        check_url("an enclosure", enclosure.url)
    hidden_by = getattr(row, "hidden_by", None)  # a broken mark is no reason to skip: the next publish rewrites it
    values["hidden_by"] = hidden_by if isinstance(hidden_by, str) and not _has_surrogates(hidden_by) else None
    _use_full_text(row, values)
    return StoredEntry(id=row.id, feed_id=row.feed_id, **values)


def _use_full_text(row: Row, values: dict) -> None:
    """The page's article in place of the feed's content, its og:image where the feed has no image.

    The content hash then names both (publishers re-render an item when it changes); the feed's
    own content stays stored as it came.
    """
    status = getattr(row, "full_text_status", None)
    if status is None:
        return
    article = read_text(row, "full_text", required=False)
    if status == "ok" and article:
        values["content"] = article
        values["content_hash"] = f"{values['content_hash']}+{_short_digest(article)}"
    if values["image"] is None:
        values["image"] = read_text(row, "page_image", required=False)
        check_url("the full text's image", values["image"])


def check_url(name: str, url: str | None, *, data_image: bool = False) -> None:
    """Unreadable unless `url` is what normalise stores: an absolute http(s) URL (a lead image may be a
    data:image URL). Anything else was written by hand or by another tool, and a publisher would put it
    in an href or src as it is (`javascript:` on the item page's original link)."""
    if url is None or url.startswith(("https://", "http://")):
        return
    if scheme_of(url) in ("http", "https") or (data_image and _DATA_IMAGE.match(url)):
        return
    raise Unreadable(f"{name} is not an http(s) URL ({shown(url)!r})")


def _short_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def read_text(row: Row, name: str, *, required: bool) -> str | None:
    value = getattr(row, name)
    if value is None:
        if required:
            raise Unreadable(f"{name} is NULL")
        return None
    if isinstance(value, bytes | memoryview):
        raise Unreadable(f"{name} is binary data (a BLOB), not text")
    if not isinstance(value, str):
        raise Unreadable(f"{name} is a {type(value).__name__} ({shown(value)}), not text")
    if _has_surrogates(value):
        raise Unreadable(f"{name} is not valid UTF-8 ({shown(value)!r})")
    return value


def read_date(row: Row, name: str, *, required: bool) -> datetime | None:
    value = getattr(row, name)
    if value is None and not required:
        return None
    if value is None:
        raise Unreadable(f"{name} is NULL")
    try:
        return parse_utc_text(value)
    except ValueError:
        raise Unreadable(f"{name} is not a date: {shown(value)!r}") from None


def feed_label(row: Row, feed_id: int | None) -> str:
    """"category › site › channel" of a row holding the feed's tree names, or "feed N" when one is not text."""
    parts = [getattr(row, name) for name in ("category", "site", "channel")]
    if all(is_text(p) for p in parts):
        return " › ".join(parts)
    return f"feed {feed_id}"


def is_text(value: object) -> bool:
    """True for a str that is valid UTF-8 (lenient_text turns invalid bytes into lone surrogates)."""
    return isinstance(value, str) and not _has_surrogates(value)


def shown(value: object, limit: int = 120) -> str:
    """A value as valid, short text for a report (invalid UTF-8 shown as U+FFFD)."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _has_surrogates(value) else value
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _decode_leniently(raw: bytes) -> str:
    # Invalid bytes become lone surrogates, which no normalised text contains (clean_text drops
    # them), so a row holding them is recognised and skipped instead of aborting the query.
    return raw.decode("utf-8", "surrogateescape")


@contextmanager
def lenient_text(conn: Connection) -> Iterator[None]:
    """On SQLite, decode TEXT values that are not UTF-8 instead of failing the whole query.

    pysqlite raises OperationalError ("Could not decode to UTF-8") while stepping the cursor,
    which ends the iteration for every later row too. Other engines validate encodings on write.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.dbapi_connection
    previous = dbapi.text_factory
    dbapi.text_factory = _decode_leniently
    try:
        yield
    finally:
        dbapi.text_factory = previous
