"""Entry identity and content hash: stable across runs and across RSSHub instances serving one feed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from feedstation.normalize.text import clean_text

MAX_IDENTITY_CHARS = 1024


def entry_identity(
    guid: str | None, link: str | None, *, title: str, author: str | None = None,
    published: datetime | None = None, content: str = "", summary: str = "", enclosures: tuple[str, ...] = (),
) -> str:
    """guid/id, else the link as written, else `sha256:` of everything else that tells items apart.

    The raw link is used, not the resolved one, so a relative link does not change identity when
    the feed is fetched from another instance. Over-long ids are hashed to keep keys small.
    The fallback hashes title, link, author, date, content, summary and enclosure URLs (issue 11: three
    RSS items with only an <author> each were merged into one when it hashed title and date):
    items that differ in any of them stay apart, identical items still merge, and every input is
    what the feed wrote (normalised), so a re-fetch gives the same identity.
    """
    for candidate in (guid, link):
        value = clean_text(candidate).strip()
        if value:
            if len(value) > MAX_IDENTITY_CHARS:
                return "sha256:" + _sha256(value)
            return value
    payload = json.dumps(
        [title, clean_text(link).strip() or None, author, published.isoformat() if published else None,
         content, summary if summary != content else None, sorted(clean_text(url).strip() for url in enclosures)],
        ensure_ascii=False, separators=(",", ":"),
    )
    return "sha256:" + _sha256(payload)


def former_fallback_identity(title: str, published: datetime | None) -> str:
    """The fallback identity feedstation used before issue 11 (title and date only).

    Only so that the store can re-key an entry it stored under it, instead of storing the item a
    second time under its new identity after an upgrade.
    """
    stamp = published.isoformat() if published else ""
    return "sha256:" + _sha256(f"{title}\n{stamp}")


def content_hash(
    *, title: str, link: str | None, author: str | None, published: datetime | None, content: str, image: str | None,
    enclosures: tuple = (),
) -> str:
    """sha256 (hex) over what a reader sees of the item; fetch times and feed-level data are left out.

    Enclosures join the hash only when there are any, so items stored before they were kept
    keep their hash (an upgrade does not count every item as updated).
    """
    fields: list = [title, link, author, published.isoformat() if published else None, content, image]
    if enclosures:
        fields.append([[e.url, e.type, e.length] for e in enclosures])
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return _sha256(payload)


def _sha256(text: str) -> str:
    # surrogatepass: identity input is cleaned already, but a hash must never be the thing that crashes.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


IMPORTED_POST_PREFIX = "hexo-import:"


def imported_post_identity(title: str, published: datetime) -> str:
    """Identity of an item known only from a Hexo post (no link, no guid): title and date, to the second.

    The store gives this identity's row to the first item a feed serves with the same title
    and date, so an imported post and the feed's item become one entry (issue 15).
    """
    stamp = published.replace(microsecond=0).isoformat()
    return IMPORTED_POST_PREFIX + _sha256(" ".join(title.split()) + "\n" + stamp)[:32]
