"""Turn arbitrary titles and tree names into one safe path segment on Linux, macOS and Windows."""

from __future__ import annotations

import re
import unicodedata

from feedstation.publish.hexo_inert import neutral_references

FALLBACK_NAME = "untitled"
MAX_NAME_BYTES = 200  # before the extension; most file systems cap a name at 255 bytes

# Forbidden on Windows (and `/` everywhere), plus C0/DEL/C1 controls and the Unicode line
# and paragraph separators, which break listings and shells. `#` and `%` too: Hexo builds
# permalinks from file names, where they start a fragment or a bad percent-escape.
# (`"`, `<`, `>` are here too, and Hexo's url_for percent-encodes them in the permalink.)
_FORBIDDEN = re.compile('[/\\\\:*?"<>|#%\x00-\x1f\x7f-\x9f\u2028\u2029]')
# Invisible characters that make two names look alike or reorder how a name is displayed
# (bidi overrides such as U+202E are the classic "exe.txt" spoof; CVE-2021-42574).
_INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
# url_for leaves `'` and `&` as they are, and Volantis writes permalinks raw into single-quoted
# `href='…'` on every list page: a `'` in a name would end the attribute and `&amp;` would decode
# (issue 14). `’` and `＆` read the same.
APOSTROPHE = "\u2019"

_DOT_RUNS = re.compile(r"\.{2,}")

# Reserved device names on Windows, with or without an extension (CON, con.txt, LPT¹).
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{dev}{n}" for dev in ("com", "lpt") for n in "123456789\u00b9\u00b2\u00b3"]
)


def safe_name(text: str, *, max_bytes: int = MAX_NAME_BYTES, fallback: str = FALLBACK_NAME) -> str:
    """One path segment derived from `text`, never empty, `.`/`..`, hidden, reserved or over-long.

    NFC-normalised (so NFC/NFD twins give the same name, and the caller's collision
    handling tells them apart), invisible and bidi-control characters removed, forbidden
    characters replaced by `_`, `'` by `’` and a character reference's `&` by `＆`, whitespace collapsed, leading dots/underscores and trailing
    dots/spaces stripped, Windows device names suffixed with `_` (`CON` → `CON_`), cut to
    `max_bytes` of UTF-8 on a character boundary.
    """
    name = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    name = _SPACES.sub(" ", name)  # first, so tabs and newlines become spaces, not `_`
    name = _FORBIDDEN.sub("_", name)
    name = neutral_references(name.replace("'", APOSTROPHE))
    name = _DOT_RUNS.sub(".", name)
    name = _trim(name)
    name = truncate_utf8(name, max_bytes)
    name = _trim(name)
    if not name:
        return fallback
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").lower() in _WINDOWS_RESERVED:
        # A suffix, not a prefix: Hexo skips names starting with `_` (see _trim).
        name = truncate_utf8(stem.rstrip(" ") + "_" + dot + rest, max_bytes)
    return name


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `max_bytes` (never splits a character)."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    # "ignore" drops the partial character left at the cut: a lead byte without its tail.
    return encoded[:max_bytes].decode("utf-8", "ignore")


def _trim(name: str) -> str:
    # Hexo treats any path segment starting with `_` or `.` as hidden and skips the post
    # (hexo/lib/plugins/processor/common.js isHiddenFile); Windows drops trailing dots/spaces.
    return name.lstrip("._ ").rstrip(". ")
