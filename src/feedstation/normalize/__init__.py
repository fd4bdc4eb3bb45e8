"""ParsedFeed → Entry list: pure (takes `now`), ids and hashes fixed, dates UTC, URLs safe, HTML sanitised last."""

from __future__ import annotations

from datetime import datetime

from feedstation.models import Entry, FeedMeta, ParsedEntry, ParsedFeed
from feedstation.normalize.dates import before_issue_11, entry_dates, to_utc
from feedstation.normalize.enclosures import normalize_enclosures
from feedstation.normalize.html import html_text, sanitize_with_lead_image
from feedstation.normalize.identity import content_hash, entry_identity, former_fallback_identity
from feedstation.normalize.text import UNTITLED, clean_text, collapse_whitespace, plain_title, truncate
from feedstation.normalize.urls import safe_url

__all__ = ["normalize_entries", "normalize_entry", "normalize_feed_meta"]


def normalize_feed_meta(feed: ParsedFeed, *, base_url: str | None) -> FeedMeta:
    """Feed-level facts cleaned like entries: plain-text title, allow-listed link (they are stored too)."""
    return FeedMeta(title=plain_title(feed.title) or None, link=safe_url(feed.link, base_url),
                    ttl_minutes=feed.ttl_minutes, warning=clean_text(feed.warning) or None)


def normalize_entries(
    feed: ParsedFeed, *, base_url: str | None, now: datetime, max_items: int | None = None
) -> list[Entry]:
    """Normalise the first `max_items` entries (feed order) of `feed`; `base_url` is the fetched URL.

    Relative URLs resolve against the entry's base (xml:base), then `base_url`; only when no
    feed URL is known does the feed's own (absolute) link stand in for it.
    """
    feed_base = safe_url(base_url) or safe_url(feed.link)
    entries = feed.entries if max_items is None else feed.entries[: max(0, max_items)]
    return [normalize_entry(e, feed_base=feed_base, now=now) for e in entries]


def normalize_entry(e: ParsedEntry, *, feed_base: str | None, now: datetime) -> Entry:
    """One ParsedEntry → Entry. Sanitising is the last step on each body."""
    base = safe_url(e.base, feed_base) or feed_base
    dates = entry_dates(e.published, e.updated, now)
    published = dates.published
    summary, summary_image = sanitize_with_lead_image(e.summary, base)
    if e.content and e.content.strip():
        content, content_image = sanitize_with_lead_image(e.content, base)
    else:
        content, content_image = summary, summary_image
    image = content_image or summary_image or _media_image(e, base)
    title = plain_title(e.title) or truncate(html_text(content) or html_text(summary)) or UNTITLED
    link = safe_url(e.link, base)
    author = collapse_whitespace(clean_text(e.author)) or None
    enclosures = normalize_enclosures(e.enclosures, base)
    # The feed's date as given, not the plausible one: an identity must not depend on `now`.
    identity = entry_identity(e.id, e.link, title=title, author=author,
                              published=to_utc(e.published) or to_utc(e.updated), content=content, summary=summary,
                              enclosures=tuple(enc.url for enc in e.enclosures))
    former = None
    if identity.startswith("sha256:") and not (clean_text(e.id).strip() or clean_text(e.link).strip()):
        former = former_fallback_identity(title, before_issue_11(e.published, e.updated, now))
    return Entry(
        identity=identity,
        title=title,
        link=link,
        author=author,
        published=published,
        updated=dates.updated,
        summary=summary,
        content=content,
        image=image,
        content_hash=content_hash(
            title=title, link=link, author=author, published=published, content=content, image=image,
            enclosures=enclosures,
        ),
        feed_date=dates.feed_date,
        warning=dates.warning,
        former_identity=former,
        enclosures=enclosures,
    )


def _media_image(e: ParsedEntry, base: str | None) -> str | None:
    """First image enclosure, else first thumbnail (media:thumbnail / media:content / JSON image)."""
    for enc in e.enclosures:
        if (enc.type or "").lower().startswith("image/"):
            url = safe_url(enc.url, base)
            if url:
                return url
    for thumb in e.thumbnails:
        url = safe_url(thumb, base)
        if url:
            return url
    return None
