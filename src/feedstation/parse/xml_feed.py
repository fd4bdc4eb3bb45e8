"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 into ParsedFeed, via feedparser (its sanitiser off: nh3 runs later)."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timezone
from typing import Any

import feedparser
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType

from feedstation.errors import ParseError
from feedstation.models import Enclosure, ParsedEntry, ParsedFeed
from feedstation.parse.xml_guard import refuse_declared_entities

_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=", re.IGNORECASE)
_UTF_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
# Encodings feedparser falls back to when the declared one fails; landing on one of these for a
# document that declared something else means the declaration lied.
# A codec feedparser picked after the declared one failed that already reads CJK (or Unicode) text: a
# guess from chardet (used by feedparser whenever it is installed, e.g. pulled in by another package) of
# one of these is kept. Any other pick (its own windows-1252 / iso-8859-2 fallbacks, or a chardet guess
# of a single-byte codepage such as IBM866) is the wrong-declaration case GB18030 is tried for.
_CJK_OR_UNICODE = ("gb", "big5", "shift", "sjis", "euc", "iso-2022", "cp932", "cp936", "cp949", "cp950",
                   "ks_c", "hz", "johab", "utf")


def parse_xml_feed(body: bytes, fmt: str | None, *, content_type: str | None = None) -> ParsedFeed:
    """Parse RSS/RDF/Atom bytes. Raises ParseError for entity declarations or a body with no feed in it.

    `fmt` None: the sniffer did not know the root element; the format is feedparser's version.
    """
    refuse_declared_entities(body)
    result = _feedparse(body, _charset_hint(body, content_type))
    retried = _retry_with_guessed_encoding(body, result)
    if retried is not None:
        result = retried
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    # An empty but well-formed feed (a new channel) is fine; an ill-formed document in which
    # feedparser found no title, link or item, or no feed version at all, is not a feed.
    empty = not entries and not feed.get("title") and not feed.get("link")
    if empty and (result.get("bozo") or not result.get("version")):
        reason = _bozo_reason(result) or "no channel/feed title, link or items"
        raise ParseError(f"not a feed: the document has no feed structure ({reason})")
    return feed_from_dicts(fmt or _format_of(result.get("version")), feed, entries, warning=_warning(result))


def _format_of(version: str | None) -> str:
    """feedparser's version ("atom10", "rss10", "" for RSS 1.1) as a ParsedFeed format."""
    version = version or ""
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    return "rss"


def feed_from_dicts(fmt: str, feed: Any, entries: Any, *, warning: str | None = None) -> ParsedFeed:
    """A ParsedFeed from feedparser-shaped dicts (feedparser's own, or the lxml fast path's)."""
    return ParsedFeed(
        format=fmt,
        title=_str(feed.get("title")),
        link=_str(feed.get("link")),
        ttl_minutes=_ttl(feed.get("ttl")),
        entries=tuple(_entry(e) for e in entries),
        warning=warning,
    )


def _feedparse(body: bytes, charset: str | None) -> Any:
    # A content type is always passed so feedparser follows the document's own declaration
    # (RFC 3023 application/xml) instead of flagging "no Content-type". No content-location is
    # passed: relative guids would be resolved against it, and identities must not change when a
    # feed moves to another RSSHub instance. BytesIO stops feedparser treating the body as a path.
    content_type = "application/xml" + (f"; charset={charset}" if charset else "")
    return feedparser.parse(
        io.BytesIO(body),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": content_type},
    )


def _charset_hint(body: bytes, content_type: str | None) -> str | None:
    """The HTTP charset, used only when the document itself says nothing (no BOM, no declaration)."""
    if not content_type or body.startswith(_UTF_BOMS) or _DECLARATION.match(body):
        return None
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._-]{1,40})", content_type)
    return match.group(1) if match else None


def _retry_with_guessed_encoding(body: bytes, result: Any) -> Any | None:
    """Reparse as GB18030 when a wrong declaration made feedparser fall back to a single-byte codepage.

    Chinese feeds are the ones that most often declare utf-8/gb2312 and send GBK/GB18030; a
    strict GB18030 decode rarely succeeds on real Latin-1 text, so success is good evidence.
    """
    if not isinstance(result.get("bozo_exception"), CharacterEncodingOverride):
        return None
    if (result.get("encoding") or "").lower().startswith(_CJK_OR_UNICODE):
        return None
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if not re.search(r"[\u4e00-\u9fff]", text):
        return None
    # The declaration is rewritten so feedparser does not apply the wrong codec again.
    fixed = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    retried = _feedparse(fixed.encode("utf-8"), None)
    retried["bozo"] = True
    retried["bozo_exception"] = CharacterEncodingOverride(
        f"declared encoding was wrong; decoded as gb18030 instead of {result.get('encoding')}"
    )
    return retried


def _bozo_reason(result: Any) -> str | None:
    exc = result.get("bozo_exception")
    if not result.get("bozo") or exc is None or isinstance(exc, NonXMLContentType):
        return None
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _warning(result: Any) -> str | None:
    reason = _bozo_reason(result)
    if reason is None:
        return None
    if isinstance(result.get("bozo_exception"), CharacterEncodingOverride):
        return f"encoding problem: {reason}"
    return f"ill-formed XML, parsed loosely: {reason}"


def _entry(e: Any) -> ParsedEntry:
    author_detail = e.get("author_detail") or {}
    summary_detail = e.get("summary_detail") or {}
    content = _best_content(e.get("content") or [])
    summary = _as_html(e.get("summary"), summary_detail.get("type"))
    base = (content or {}).get("base") or summary_detail.get("base") or (e.get("title_detail") or {}).get("base")
    return ParsedEntry(
        id=_str(e.get("id")),
        link=_str(e.get("link")),
        title=_str(e.get("title")),
        author=_str(e.get("author")),
        author_url=_str(author_detail.get("href")),
        # dict.get skips FeedParserDict's deprecated updated → published key mapping: an RSS item
        # with only a pubDate has no "updated" date.
        published=_utc(dict.get(e, "published_parsed")),
        updated=_utc(dict.get(e, "updated_parsed")),
        summary=summary,
        content=_as_html(content.get("value"), content.get("type")) if content else None,
        base=_str(base),
        enclosures=_enclosures(e.get("enclosures") or []),
        thumbnails=_thumbnails(e),
    )


def _best_content(values: list[Any]) -> dict[str, Any] | None:
    """The longest content value, HTML before plain text (feeds repeat one body in several types)."""
    usable = [c for c in values if isinstance(c, dict) and isinstance(c.get("value"), str) and c["value"].strip()]
    if not usable:
        return None
    return max(usable, key=lambda c: (_is_html(c.get("type")), len(c["value"])))


def _is_html(mime: str | None) -> bool:
    return (mime or "text/html").lower() in _HTML_TYPES


def _as_html(value: Any, mime: str | None) -> str | None:
    """Every body leaves the adapter as HTML: plain text is escaped and keeps its line breaks."""
    if not isinstance(value, str):
        return None
    if _is_html(mime):
        return value
    return plain_text_to_html(value)


def plain_text_to_html(text: str) -> str:
    """Escape plain text and turn its line breaks into <br>, so the sanitiser sees it as written."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def _enclosures(values: list[Any]) -> tuple[Enclosure, ...]:
    out = []
    for enc in values:
        href = _str(enc.get("href")) if isinstance(enc, dict) else None
        if href:
            out.append(Enclosure(url=href, type=_str(enc.get("type")), length=_int(enc.get("length"))))
    return tuple(out)


def _thumbnails(e: Any) -> tuple[str, ...]:
    urls = [t.get("url") for t in e.get("media_thumbnail") or [] if isinstance(t, dict)]
    for media in e.get("media_content") or []:
        if not isinstance(media, dict):
            continue
        kind = (media.get("medium") or media.get("type") or "").lower()
        if kind == "image" or kind.startswith("image/"):
            urls.append(media.get("url"))
    seen: dict[str, None] = {}
    for url in urls:
        if isinstance(url, str) and url.strip():
            seen.setdefault(url.strip(), None)
    return tuple(seen)


def _utc(parsed: Any) -> datetime | None:
    # feedparser's *_parsed are struct_time already converted to UTC.
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _ttl(value: Any) -> int | None:
    ttl = _int(value)
    return ttl if ttl is not None and 0 < ttl <= 7 * 24 * 60 else None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()[:18])
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
