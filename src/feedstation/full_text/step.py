"""The pipeline step for `full_text` sources: fetch the pages of a feed's new items, keep what beats the feed.

Runs after the feed's entries are stored. Each item's page is fetched once per version of the item
(the result remembers the item's content hash), through the run's Fetcher, so the caps, timeouts,
address guard, per-host limit and size cap of feeds apply. Nothing here fails the feed: a page that
cannot be fetched or read is recorded on its item (`feedstation status --items`) and the feed's own
text is published.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from feedstation.errors import StoreError
from feedstation.fetch import Fetcher
from feedstation.fetch.client import Attempt
from feedstation.full_text.article import extract_article
from feedstation.full_text.page_text import decode_page
from feedstation.models import ArticlePage, FeedState, FetchStatus, FullText
from feedstation.normalize.html import html_text
from feedstation.store import Store

log = logging.getLogger(__name__)

ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class FullTextReport:
    """What the step did for one feed: items whose article is used, kept the feed's text, or failed."""

    ok: int = 0
    summary_kept: int = 0
    failed: int = 0


async def fill_full_text(fetcher: Fetcher, store: Store, feed_id: int, label: str, now: datetime) -> FullTextReport:
    """Fetch and extract the pages of the feed's items that need one; store the results. Never raises."""
    try:
        pending = store.full_text_pending(feed_id)
    except StoreError as exc:
        log.warning("%s: full text: could not read the items to fetch: %s", label, exc)
        return FullTextReport()
    if not pending:
        return FullTextReport()
    results = await asyncio.gather(*(page_full_text(fetcher, page) for page in pending))
    for result in results:
        if result.status == "failed":
            log.info("%s: full text of entry %d not used: %s", label, result.entry_id, result.reason)
    try:
        store.record_full_text(list(results), now)
    except StoreError as exc:
        log.warning("%s: full text: could not store the results: %s", label, exc)
        return FullTextReport()
    fresh = [r for r in results if not r.unchanged]
    report = FullTextReport(ok=sum(r.status == "ok" for r in fresh),
                            summary_kept=sum(r.status == "summary_kept" for r in fresh),
                            failed=sum(r.status == "failed" for r in fresh))
    log.info("%s: full text of %d page(s): %d article(s), %d kept the feed's text, %d failed, %d unchanged (304)",
             label, len(results), report.ok, report.summary_kept, report.failed, len(results) - len(fresh))
    return report


async def page_full_text(fetcher: Fetcher, page: ArticlePage) -> FullText:
    """One item's page → its FullText (the article, or why the feed's own text stays)."""
    state = FeedState(etag=page.etag, last_modified=page.last_modified)
    attempt = await fetcher.fetch_resource(page.link, accept=ACCEPT_HTML, state=state)
    if attempt.status is FetchStatus.NOT_MODIFIED:
        return FullText(entry_id=page.entry_id, for_hash=page.content_hash, status="ok", unchanged=True)
    if not attempt.ok:
        return _failed(page, f"could not fetch {page.link}: {attempt.error}")
    media_type = (attempt.content_type or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in _HTML_TYPES:
        return _failed(page, f"{attempt.url} is not an HTML page (Content-Type: {media_type})")
    # Extraction is CPU work (~10 ms a page): off the event loop, so other feeds' downloads go on.
    page_text = decode_page(attempt.body, attempt.content_type)
    try:
        article = await asyncio.to_thread(extract_article, page_text, attempt.url)
    except Exception as exc:  # noqa: BLE001 — a third-party parser on hostile bytes: this item's failure only
        return _failed(page, f"could not read the article on {attempt.url}: {type(exc).__name__}: {exc}")
    return judged(page, attempt, article.content, article.text_chars, article.image)


def judged(page: ArticlePage, attempt: Attempt, content: str | None, text_chars: int, image: str | None) -> FullText:
    """The article is used only when it has more text than the feed gave (a login wall or a teaser page has not)."""
    fields = {"entry_id": page.entry_id, "for_hash": page.content_hash, "image": image, "etag": attempt.etag,
              "last_modified": attempt.last_modified}
    if content is None:
        return FullText(status="failed", reason=f"no article text found on {attempt.url}", **fields)
    feed_chars = len(html_text(page.feed_html))
    if text_chars <= feed_chars:
        return FullText(status="summary_kept", reason=f"the page's article ({text_chars} characters) is no longer "
                                                      f"than the feed's text ({feed_chars}); the feed's is kept",
                        **fields)
    return FullText(status="ok", content=content, **fields)


def _failed(page: ArticlePage, reason: str) -> FullText:
    return FullText(entry_id=page.entry_id, for_hash=page.content_hash, status="failed", reason=reason)
