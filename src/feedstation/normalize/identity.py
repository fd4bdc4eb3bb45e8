"""Entry identity and content hash: stable across runs and across RSSHub instances serving one feed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from feedstation.normalize.text import clean_text

MAX_IDENTITY_CHARS = 1024


def entry_identity(guid: str | None, link: str | None, title: str, published: datetime | None) -> str:
    """guid/id, else the link as written, else `sha256:` of title and date.

    The raw link is used, not the resolved one, so a relative link does not change identity when
    the feed is fetched from another instance. Over-long ids are hashed to keep keys small.
    """
    for candidate in (guid, link):
        value = clean_text(candidate).strip()
        if value:
            if len(value) > MAX_IDENTITY_CHARS:
                return "sha256:" + _sha256(value)
            return value
    stamp = published.isoformat() if published else ""
    return "sha256:" + _sha256(f"{title}\n{stamp}")


def content_hash(
    *, title: str, link: str | None, author: str | None, published: datetime | None, content: str, image: str | None
) -> str:
    """sha256 (hex) over what a reader sees of the item; fetch times and feed-level data are left out."""
    payload = json.dumps(
        [title, link, author, published.isoformat() if published else None, content, image],
        ensure_ascii=False,
        separators=(",", ":"),
    )
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
