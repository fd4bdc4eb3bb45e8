"""Detect a feed's format from its bytes, never from the Content-Type header."""

from __future__ import annotations

import re

from feedstation.parse.xml_guard import non_ascii_codec

# UTF-32 BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# The root element is looked for in the 4 KiB after the prolog (XML declaration, comments,
# processing instructions, DOCTYPE), and the prolog itself may take up to 1 MiB: a feed
# with a long licence comment is still a feed, and an entity-declaring DOCTYPE must reach
# the parser's entity guard to be refused for the right reason.
_HEAD_BYTES = 4096
_PROLOG_LIMIT = 1 << 20
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*", re.S | re.I)
_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|opml|html|HTML|Html)\b")
# The first element of the document, whatever it is (a qualified name, as written).
_FIRST_ELEMENT = re.compile(rb"<\s*((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)")
_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE\s+html\b", re.I)
_MARKUP_STARTS = (b"<", b"{", b"[", b"")


def _prolog_and_head(body: bytes) -> tuple[bytes, bytes]:
    head = body[:_PROLOG_LIMIT]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    if head[:2] in (b"<\x00", b"\x00<") or b"\x00" in head[:8]:
        # UTF-16 without a BOM (or after one): drop the zero bytes for sniffing only.
        head = head.replace(b"\x00", b"")
    elif head[:1] not in _MARKUP_STARTS and (codec := non_ascii_codec(body)) is not None:
        # EBCDIC (`<` is 0x4C), UTF-7 (`+ADw-`): the markup shows only once decoded (feedparser reads them).
        head = head.decode(codec, "replace").encode("utf-8")
    start = _PROLOG.match(head).end()
    if head[start:start + 1] not in _MARKUP_STARTS:
        # Text printed ahead of the document (a PHP warning before the XML declaration, a BOM after blank
        # lines): the markup after it decides, as feedparser reads past such text (issue 11). Text with no
        # markup at all stays unknown.
        markup = head.find(b"<", start)
        if markup > 0:
            start = _PROLOG.match(head, markup).end()
    return head[:start], head[start:start + _HEAD_BYTES]


def _ascii_head(body: bytes) -> bytes:
    return _prolog_and_head(body)[1]


def detect_format(body: bytes) -> str | None:
    """Return "rss", "atom", "rdf", "json", "opml", "html", or "xml" (another root element) for what the bytes
    look like; None when they are neither markup nor JSON.

    "xml" is for documents feedparser may still read though the sniffer does not know them (RSS 1.1's
    `<Channel>`, a standalone Atom `<entry>`): they go to feedparser before being refused.
    """
    prolog, head = _prolog_and_head(body)
    if not head:
        return None
    if head[:1] in (b"{", b"["):
        return "json"
    if head[:1] != b"<":
        return None
    match = _ROOT.search(head)
    if match is not None:
        root = match.group(1).lower()
        return {"rss": "rss", "feed": "atom", "rdf": "rdf", "opml": "opml"}.get(root.decode(), "html")
    if _HTML_DOCTYPE.search(prolog):
        return "html"
    return "xml" if _FIRST_ELEMENT.match(head) else None


def is_opml(body: bytes) -> bool:
    """True for an OPML subscription list (fetched as a list of sources, never parsed as a feed)."""
    return detect_format(body) == "opml"


def root_element(body: bytes) -> str | None:
    """The name of the document's first element after its prolog (`Channel`, `rdf:RDF`), or None."""
    match = _FIRST_ELEMENT.match(_ascii_head(body))
    return match.group(1).decode("ascii") if match else None


def describe_start(body: bytes) -> str:
    """How the document begins, for a refusal: its root element, else its first characters after the prolog."""
    root = root_element(body)
    if root is not None:
        return f"its root element is <{root}>"
    head = _ascii_head(body)
    if not head.strip():
        return "it has no root element (nothing after its XML declaration, comments or DOCTYPE)"
    return f"it starts with {head[:40].decode('utf-8', 'replace').strip()!r}"


def looks_like_feed(body: bytes) -> bool:
    """True when the bytes may be a feed: RSS, Atom, RDF, JSON, or other XML for feedparser to try
    (not an HTML page, not plain text, not empty)."""
    return detect_format(body) in ("rss", "atom", "rdf", "json", "xml")
