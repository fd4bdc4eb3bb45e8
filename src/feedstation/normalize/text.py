"""Plain-text cleaning: characters that must never reach SQLite, files or YAML, and title shaping."""

from __future__ import annotations

import html
import re

# NUL and the other C0 controls except tab and newline, DEL, C1 controls (never text; they
# only appear from mis-decoded cp1252), lone surrogates (from JSON "\ud800";
# they cannot be encoded to UTF-8), U+FFFC (Hexo's post-render placeholder) and the
# noncharacters U+FFFE/U+FFFF that XML forbids.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffc\ufffe\uffff]")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_SPACE = re.compile(r"\s+")

UNTITLED = "(untitled)"
TITLE_FALLBACK_CHARS = 80


def clean_text(s: str | None) -> str:
    """Drop NUL, lone surrogates, C0/C1 controls (keeping \\t and \\n) and U+FFFC; None → ""."""
    if not s:
        return ""
    return _UNWANTED.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def collapse_whitespace(s: str) -> str:
    """All runs of whitespace (newlines included) become one space; ends are trimmed."""
    return _SPACE.sub(" ", s).strip()


def plain_title(raw: str | None) -> str:
    """A feed title as plain text: tags stripped, entities unescaped, cleaned, one line.

    Titles are treated as HTML whatever their declared type, because RSS titles routinely
    carry `&quot;` or `<em>` either way. Cleaning runs again after unescaping, since `&#1;`
    decodes to a control character.
    """
    text = clean_text(raw)
    if not text:
        return ""
    text = html.unescape(_TAG.sub(" ", text)) if ("<" in text or "&" in text) else text
    return collapse_whitespace(clean_text(text))


def truncate(text: str, limit: int = TITLE_FALLBACK_CHARS) -> str:
    """The first `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
