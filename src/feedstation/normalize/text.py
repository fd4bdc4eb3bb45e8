"""Plain-text cleaning: characters that must never reach SQLite, files or YAML, and title shaping."""

from __future__ import annotations

import html
import re
import unicodedata

# NUL and the other C0 controls except tab and newline, DEL, C1 controls (never text; they
# only appear from mis-decoded cp1252), lone surrogates (from JSON "\ud800";
# they cannot be encoded to UTF-8), U+FFFC (Hexo's post-render placeholder) and the
# noncharacters U+FFFE/U+FFFF that XML forbids.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffc\ufffe\uffff]")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_SPACE = re.compile(r"\s+")

# Unicode categories that never put ink on the screen: controls, format characters (zero-width
# spaces and joiners, bidi marks and overrides such as U+202E, the BOM), surrogates, unassigned
# code points and every kind of space. Plus the letters and symbols that are drawn blank.
_INKLESS_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zs", "Zl", "Zp"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # Hangul fillers, braille blank

UNTITLED = "(untitled)"
TITLE_FALLBACK_CHARS = 80


def clean_text(s: str | None) -> str:
    """Drop NUL, lone surrogates, C0/C1 controls (keeping \\t and \\n) and U+FFFC; None → ""."""
    if not s:
        return ""
    return _UNWANTED.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def is_visible_character(char: str) -> bool:
    """True for a character that shows as something on screen (the one definition the config and tests share)."""
    return not char.isspace() and char not in _BLANK_GLYPHS and unicodedata.category(char) not in _INKLESS_CATEGORIES


def has_visible_character(text: str) -> bool:
    """True when `text` has at least one visible character (a name made only of U+200B or U+202E has none)."""
    return any(is_visible_character(char) for char in text)


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
