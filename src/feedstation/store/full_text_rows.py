"""The `full_texts` rows: which items of a feed still need their page, the results, and the problems to show."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection

from feedstation.models import ArticlePage, FullText, FullTextProblem
from feedstation.store.reading import feed_label, is_text, lenient_text, shown
from feedstation.store.schema import entries, feeds, full_texts

# `status --items` lists at most this many problems (newest items first).
MAX_PROBLEMS = 500


def pending_pages(conn: Connection, feed_id: int) -> list[ArticlePage]:
    """The feed's items in its latest document whose page was never fetched for their current version.

    "Latest document": the rows the last successful fetch saw (their `last_seen` is the feed's newest),
    so turning `full_text` on fetches the pages of the items the feed lists now, not of its whole history.
    """
    newest = select(func.max(entries.c.last_seen)).where(entries.c.feed_id == feed_id).scalar_subquery()
    query = (select(entries.c.id, entries.c.link, entries.c.content_hash, entries.c.content, entries.c.summary,
                    full_texts.c.etag, full_texts.c.last_modified)
             .outerjoin(full_texts, full_texts.c.entry_id == entries.c.id)
             .where(entries.c.feed_id == feed_id, entries.c.last_seen == newest, entries.c.link.is_not(None),
                    or_(full_texts.c.entry_id.is_(None), full_texts.c.for_hash != entries.c.content_hash))
             .order_by(entries.c.published.desc(), entries.c.id.desc()))
    with lenient_text(conn):  # a hand-edited row that is not text is passed over, not the feed's step
        rows = conn.execute(query).all()
    return [ArticlePage(entry_id=r.id, link=r.link, content_hash=r.content_hash, feed_html=r.content or r.summary,
                        etag=r.etag if is_text(r.etag) else None,
                        last_modified=r.last_modified if is_text(r.last_modified) else None)
            for r in rows if is_text(r.link) and r.link.startswith(("http://", "https://"))
            and is_text(r.content_hash) and is_text(r.content or r.summary)]


def store_results(conn: Connection, results: list[FullText], now: datetime) -> None:
    """Write each result over the item's previous one; a 304 keeps the stored article and moves `for_hash`."""
    unchanged = [r for r in results if r.unchanged]
    fresh = [r for r in results if not r.unchanged]
    for result in unchanged:
        conn.execute(update(full_texts).where(full_texts.c.entry_id == result.entry_id)
                     .values(for_hash=result.for_hash, fetched_at=now))
    if fresh:
        conn.execute(delete(full_texts).where(full_texts.c.entry_id.in_([r.entry_id for r in fresh])))
        conn.execute(full_texts.insert(), [
            {"entry_id": r.entry_id, "for_hash": r.for_hash, "status": r.status, "reason": r.reason,
             "content": r.content, "image": r.image, "etag": r.etag, "last_modified": r.last_modified,
             "fetched_at": now} for r in fresh])


def status_counts(conn: Connection) -> Counter[str]:
    """How many items of active feeds have each full-text status."""
    query = (select(full_texts.c.status, func.count()).join(entries, entries.c.id == full_texts.c.entry_id)
             .join(feeds, feeds.c.id == entries.c.feed_id).where(feeds.c.active.is_(True))
             .group_by(full_texts.c.status))
    with lenient_text(conn):
        return Counter({shown(status): n for status, n in conn.execute(query).all()})


def problems(conn: Connection) -> list[FullTextProblem]:
    """Items of active feeds whose page gave no usable article, newest first, with the reason."""
    query = (select(feeds.c.id.label("feed_id"), feeds.c.category, feeds.c.site, feeds.c.channel, entries.c.title,
                    entries.c.link, full_texts.c.status, full_texts.c.reason)
             .join(entries, entries.c.id == full_texts.c.entry_id).join(feeds, feeds.c.id == entries.c.feed_id)
             .where(feeds.c.active.is_(True), full_texts.c.status != "ok")
             .order_by(entries.c.published.desc(), entries.c.id.desc()).limit(MAX_PROBLEMS))
    with lenient_text(conn):
        rows = conn.execute(query).all()
    return [FullTextProblem(feed=feed_label(r, r.feed_id), title=shown(r.title, 300),
                            link=shown(r.link) if r.link else None, status=shown(r.status),
                            reason=shown(r.reason or "", 2000)) for r in rows]
