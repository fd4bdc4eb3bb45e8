"""An HTML page's bytes as text: the charset the server or the page declares, else UTF-8, else GB18030."""

from __future__ import annotations

import codecs
import re

# <meta charset="gbk"> or <meta http-equiv="Content-Type" content="text/html; charset=gb2312">, in the head.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Pages labelled with a subset of GB18030 often use characters only the superset has (WHATWG maps them so too).
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
             "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}
_HEAD_BYTES = 4096


def decode_page(body: bytes, content_type: str | None) -> str:
    """The page as text; undecodable bytes become U+FFFD, never an exception."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    declared = _header_charset(content_type) or _meta_charset(body[:_HEAD_BYTES])
    if declared:
        return body.decode(declared, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("gb18030")  # undeclared legacy pages here are mostly Chinese
    except UnicodeDecodeError:
        return body.decode("utf-8", "replace")


def _header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _known_codec(match.group(1)) if match else None


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return _known_codec(match.group(1).decode("ascii", "replace")) if match else None


def _known_codec(label: str) -> str | None:
    """A Python codec for a charset label, or None for one Python does not know (then the bytes decide)."""
    label = label.strip().lower()
    label = _SUPERSET.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None
