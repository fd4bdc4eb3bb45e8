"""Refuse XML documents that declare entities, before any XML parser sees them.

feedparser's loose fallback expands internal entities itself, and quadratically: a 106 KB feed
became a 200M-character title and a 600 MB process. External entities (SYSTEM/PUBLIC) are XXE.
Feeds never need their own entities, so a DOCTYPE that declares any is refused outright.
"""

from __future__ import annotations

import codecs
import re

from feedstation.errors import ParseError

REFUSAL = ("feed refused: its DOCTYPE declares XML entities (possible entity-expansion or XXE attack); "
           "feedstation refuses every such feed on purpose, even where feedparser would read it, since "
           "feeds never need entities of their own")

# `<!ENTITY` for general and parameter entities alike; case-insensitive because the loose (SGML)
# parser is, and whitespace after `<!` is tolerated for the same reason.
_ENTITY = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_ENTITY_BYTES = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_DECLARED = re.compile(rb"""^[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")

# BOMs longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" in encodings whose bytes are not ASCII-compatible, when there is no BOM (XML 1.0 appendix F).
_NO_BOM = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)


def non_ascii_codec(body: bytes) -> str | None:
    """The codec to decode with when `<!ENTITY` would not be visible in the raw bytes, else None."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return None if codec == "utf-8" else codec
    for prefix, codec in _NO_BOM:
        if body.startswith(prefix):
            return codec
    declared = _DECLARED.match(body)
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return None
        # Only UTF-8 is known to show every `<` as the byte 0x3C; any other declared codec
        # (utf-7 spells it "+ADw-", EBCDIC as 0x4C, ...) is decoded and searched again.
        if name != "utf-8":
            return name
    return None


def refuse_declared_entities(body: bytes) -> None:
    """Raise ParseError if the document declares any XML entity (in any encoding it may use)."""
    if _ENTITY_BYTES.search(body):
        raise ParseError(REFUSAL)
    codec = non_ascii_codec(body)
    if codec is None:
        return
    try:
        text = body.decode(codec, "replace")
    except (LookupError, ValueError):
        # A codec that cannot even decode with "replace" (e.g. utf-7 edge cases): refuse rather
        # than let a parser decode it differently from us.
        raise ParseError(f"feed refused: cannot decode it as its declared encoding {codec}") from None
    if _ENTITY.search(text):
        raise ParseError(REFUSAL)
