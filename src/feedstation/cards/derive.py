"""Pure: a stored entry's card (everything but its body) and the plain-text excerpt of its body."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from feedstation.dedupe.groups import StoryItem
from feedstation.models import Card, StoredEntry

EXCERPT_CHARS = 140
_SPACES = re.compile(r"\s+")
# Block ends become spaces so "<p>a.</p><p>B</p>" reads "a. B", while inline tags add
# nothing ("<code>zsh</code>." stays "zsh.") — Chinese text has no spaces to lose.
_BLOCK_END = re.compile(r"(</(?:p|div|li|h[1-6]|blockquote|pre|tr|td|th|dd|dt|figcaption)\s*>|<br\s*/?>)", re.I)


def card_row(entry: StoredEntry, story: StoryItem, *, made_from: dict[str, str],
             hidden_by: str | None) -> dict[str, object]:
    """The `cards` table row of an entry as published (rewritten by the filters, with its full text):
    what lists show, and what the dedupe comparison needs (store/card_rows.py): `story` is the entry's
    `dedupe.groups.story_item`, made once for the row and the comparison. `made_from` holds the row's
    for_hash, for_full_text and for_rules."""
    text = story.text
    return {"entry_id": entry.id, **made_from, "hidden_by": hidden_by, "title": entry.title,
            "content_hash": entry.content_hash, "image": entry.image, "excerpt": excerpt(entry.summary or entry.content),
            "story_title": text.title, "story_numbers": " ".join(sorted(text.numbers)), "story_lead": text.lead,
            "story_question": text.question, "link_key": story.link_key}


def card_of(entry: StoredEntry) -> Card:
    """The entry's card; its excerpt is read from the summary, else the content."""
    return Card(id=entry.id, feed_id=entry.feed_id, category=entry.category, site=entry.site, channel=entry.channel,
                identity=entry.identity, title=entry.title, link=entry.link, author=entry.author, image=entry.image,
                published=entry.published, updated=entry.updated, first_seen=entry.first_seen,
                content_hash=entry.content_hash, excerpt=excerpt(entry.summary or entry.content),
                enclosures=entry.enclosures)


def excerpt(html: str, limit: int = EXCERPT_CHARS) -> str:
    """Plain text of an HTML fragment, whitespace collapsed, cut at `limit` characters with an ellipsis."""
    if not html:
        return ""
    if "<" in html or "&" in html:
        body = LexborHTMLParser(_BLOCK_END.sub(r"\1 ", html)).body
        text = body.text(separator="") if body is not None else ""
    else:
        text = html
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
