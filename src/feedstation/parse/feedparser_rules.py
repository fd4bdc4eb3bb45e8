"""feedparser's rules for element text, attributes, xml:base and inline XHTML, reproduced for the lxml fast path."""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_HTML_TYPES = {"application/xhtml+xml", "text/html"}
# feedparser turns "&name;" left in a link into "&name" (its SGML path mangles query strings).
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
# Any attribute that feedparser could read as a base: xml:base, base, BASE, foo:base (searched in
# the lower-cased body: a literal-prefix search is ~20x faster than a case-insensitive one).
_BASE_ATTR = re.compile(rb"base\s*=")
# The C1 range that feedparser maps to cp1252 characters.
_C1 = re.compile("[\x80-\x9f]")


class Unsupported(Exception):
    """The document uses something the fast path does not reproduce exactly: use feedparser."""


def leaf(el: Any, allowed: tuple[str, ...] = ()) -> str:
    """Text of an element that must have no child nodes and only `allowed` attributes (xml:* aside)."""
    if len(el):
        raise Unsupported("markup or comments inside a text field")
    if el.attrib and set(attributes(el)) - set(allowed):
        raise Unsupported("attribute on a text field")
    return el.text or ""


def leaf_tree(el: Any) -> None:
    """An ignored element: feedparser's handlers for it touch no field we read if it has no children."""
    if len(el):
        raise Unsupported(f"children in {el.tag}")


def tag_of(el: Any) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None  # comments and PIs: feedparser ignores them too


def finish(text: str | None, base: str = "", resolve: bool = False) -> str:
    """Text of an element as feedparser's `pop` leaves it (strip, resolve, mojibake fix, cp1252 map)."""
    out = (text or "").strip()
    # With no base, _urljoin only drops extra slashes after "scheme://"; skip it when there are none.
    if resolve and out and (base or ":///" in out):
        out = _urljoin(base, out)
    if out.isascii():
        return out  # the two fixes below cannot change ASCII
    try:
        # feedparser undoes UTF-8 that was decoded as Latin-1 (mixin.pop); so must we.
        out = out.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    # translate() with a dict costs ~5 µs per KB; the C1 characters it maps are almost never there.
    return out.translate(_cp1252) if _C1.search(out) else out


def entry_link(value: str) -> str:
    """An item's <link> text after feedparser's query-string repair."""
    return _LINK_ENTITY.sub(r"&\g<1>", value.replace("&amp;", "&")) if "&" in value else value


def feed_link(value: str) -> str:
    """A channel's <link> text after feedparser's query-string repair (no &amp; step at feed level)."""
    return _LINK_ENTITY.sub(r"&\g<1>", value)


def resolve(base: str, href: str) -> str:
    return _urljoin(base, href)


def map_content_type(value: str) -> str:
    value = value.lower()
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html", "xhtml": "application/xhtml+xml"}.get(
        value, value
    )


def is_html_type(value: str) -> bool:
    return map_content_type(value) in _HTML_TYPES


@lru_cache(maxsize=4096)
def parse_date(text: str) -> time.struct_time | None:
    """feedparser's own date parser (RFC 822, RFC 3339 and its many odd forms): UTC struct_time or None."""
    return _parse_date(text)


def attributes(el: Any) -> dict[str, str]:
    """Attributes as feedparser's strict parser sees them: names lower-cased, rel/type values too.

    Namespaced attributes other than xml:* are refused: feedparser renames them by prefix.
    """
    out: dict[str, str] = {}
    for key, value in el.attrib.items():
        if key[0] == "{":
            if not key.startswith("{http://www.w3.org/XML/1998/namespace}"):
                raise Unsupported("namespaced attribute")
            continue
        key = key.lower()
        if key in out:
            raise Unsupported("attribute names differ only in case")
        out[key] = value.lower() if key in ("rel", "type") else value
    return out


def xml_bases(body: bytes, root: Any) -> dict[Any, str] | None:
    """The base URI feedparser holds at each element's start tag; None when the document sets none.

    A literal replay of mixin.unknown_starttag/endtag, including its quirk that a base is not
    restored when the parent's is empty (so an item's xml:base leaks into later siblings).
    """
    if not _BASE_ATTR.search(body.lower()):
        return None
    bases: dict[Any, str] = {}
    stack: list[str] = []
    current = ""
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            stack.pop()
            if stack and stack[-1]:
                current = stack[-1]
            continue
        given = _base_attribute(el) or current
        current = (make_safe_absolute_uri(current, given) or current) if current else _urljoin(current, given)
        stack.append(current)
        bases[el] = current
    return bases


def _base_attribute(el: Any) -> str | None:
    plain = None
    for key, value in el.attrib.items():
        if key == _XML_BASE:
            return value
        local = key.rsplit("}", 1)[-1].lower()
        if local == "base":
            if key[0] == "{":
                raise Unsupported("base attribute in a foreign namespace")
            plain = value
    return plain


def xhtml_value(el: Any, atom10: bool) -> str:
    """Inline XHTML content serialised the way feedparser's strict parser rebuilds it."""
    pieces: list[str] = []
    if el.text:
        pieces.append(escape(el.text))
    for child in el:
        _serialise(child, pieces)
    if atom10:
        pieces = _unwrap_div(pieces)
    return "".join(pieces)


def _serialise(el: Any, pieces: list[str]) -> None:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{" + XHTML_NS + "}"):
        raise Unsupported("non-XHTML node in XHTML content")
    name = tag[len(XHTML_NS) + 2:].lower()
    if name in ("body", "svg", "math"):
        raise Unsupported("element feedparser handles specially in XHTML content")
    attrs = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attributes(el).items())
    pieces.append(f"<{name}{attrs}>")
    if el.text:
        pieces.append(escape(el.text))
    for child in el:
        _serialise(child, pieces)
    pieces.append(f"</{name}>")
    if el.tail:
        pieces.append(escape(el.tail))


def _unwrap_div(pieces: list[str]) -> list[str]:
    # mixin.pop: drop an enclosing <div> when everything else is nested inside it (Atom 1.0 only).
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div ")) and pieces[-1] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    return pieces
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        return pieces[1:-1]
    return pieces
