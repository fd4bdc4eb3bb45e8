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
