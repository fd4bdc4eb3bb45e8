"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) into ParsedFeed; hostile JSON becomes ParseError."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from feedstation.errors import ParseError
from feedstation.models import Enclosure, ParsedEntry, ParsedFeed
from feedstation.parse.xml_feed import plain_text_to_html


def _reject_constant(name: str) -> Any:
    # NaN/Infinity are not JSON (RFC 8259 §6); Python accepts them by default.
    raise ValueError(f"{name} is not valid JSON")


def parse_json_feed(body: bytes) -> ParsedFeed:
    """Parse JSON Feed bytes. A wrongly typed field is skipped; only an unreadable document raises."""
    data = _load(body)
    if not isinstance(data, dict):
        raise ParseError(f"not a JSON Feed: the top level is a {type(data).__name__}, not an object")
    items = data.get("items")
    if not isinstance(items, list):
        if not _str(data.get("version")) and not _str(data.get("title")):
            raise ParseError("not a JSON Feed: no \"items\" list, \"version\" or \"title\"")
        items = []
    feed_authors = _authors(data)
    return ParsedFeed(
        format="json",
        title=_str(data.get("title")),
        link=_str(data.get("home_page_url")),
        entries=tuple(_entry(item, feed_authors) for item in items if isinstance(item, dict)),
    )


def _load(body: bytes) -> Any:
    try:
        # json.loads detects UTF-8/16/32 (with or without BOM) itself; utf-8-sig is handled too.
        return json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise ParseError("broken JSON Feed: JSON nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"broken JSON Feed: not UTF-8/16/32 text ({exc.reason})") from None
    except ValueError as exc:
        # JSONDecodeError, rejected NaN/Infinity, and integers past Python's 4300-digit limit.
        message = " ".join(str(exc).split())[:160]
        raise ParseError(f"broken JSON Feed: {message}") from None


def _entry(item: dict[str, Any], feed_authors: list[tuple[str | None, str | None]]) -> ParsedEntry:
    authors = _authors(item) or feed_authors
    author, author_url = authors[0] if authors else (None, None)
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    content = content_html or (plain_text_to_html(content_text) if content_text else None)
    summary = _str(item.get("summary"))
    images = tuple(u for u in (_str(item.get("image")), _str(item.get("banner_image"))) if u)
    return ParsedEntry(
        id=_id(item.get("id")),
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_str(item.get("title")),
        author=author,
        author_url=author_url,
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
        # The spec's summary is plain text; content_html is HTML.
        summary=plain_text_to_html(summary) if summary else None,
        content=content,
        enclosures=_attachments(item.get("attachments")),
        thumbnails=images,
    )


def _authors(obj: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """Name and URL of each author; 1.1's `authors` list first, then 1.0's single `author`."""
    raw = obj.get("authors")
    candidates = raw if isinstance(raw, list) else [obj.get("author")]
    out = []
    for a in candidates:
        if isinstance(a, dict):
            name, url = _str(a.get("name")), _str(a.get("url"))
            if name or url:
                out.append((name, url))
    return out


def _attachments(raw: Any) -> tuple[Enclosure, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for a in raw:
        if isinstance(a, dict) and _str(a.get("url")):
            size = a.get("size_in_bytes")
            length = size if isinstance(size, int) and not isinstance(size, bool) and 0 <= size < 2**63 else None
            out.append(Enclosure(url=_str(a["url"]), type=_str(a.get("mime_type")), length=length))
    return tuple(out)


def _id(value: Any) -> str | None:
    # The spec says string, but 1.0 feeds often use numbers; a float id (or NaN) is too ambiguous.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str(value)


def _date(value: Any) -> datetime | None:
    """RFC 3339 date → aware UTC; unreadable or naive-without-offset dates are read as UTC or dropped."""
    text = _str(value)
    if not text or len(text) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
