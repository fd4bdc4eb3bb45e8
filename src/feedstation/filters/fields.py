"""The texts of a stored entry that rules look at, made once per entry and only when a rule needs them.

`content` is the *visible text* of the stored (sanitised) HTML, not its markup: a keyword never
matches a tag name, an attribute or a URL inside `<img src>`, and `&amp;` is read as `&`. Block
elements (paragraphs, list items, line breaks, headings, cells) separate words; inline ones
(`<b>`, `<a>`, `<span>`) do not, so `A<b>I</b>` reads `AI`. The summary is part of `content`
when the feed gave both and they differ.
"""

from __future__ import annotations

import html
import re

from feedstation.filters.patterns import fold
from feedstation.models import StoredEntry

FIELDS = ("title", "content", "author", "link")
ANY = "any"
DEFAULT_FIELDS = ("title", "content")

# Stored HTML went through nh3, so every tag is well formed and attribute values are quoted;
# a quoted value may still hold `>`, hence the quoted alternatives.
TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"']+|"[^"]*"|'[^']*')*>""")
_BLOCK = """address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6
header hr li main nav ol p pre section table tbody td tfoot th thead tr ul""".split()
# Case-sensitive on purpose: nh3 writes lower-case names, and IGNORECASE made this 2–3× slower.
_BLOCK_TAG = re.compile(r"""<(/?)(?:%s)\b(?:[^>"']+|"[^"]*"|'[^']*')*>""" % "|".join(_BLOCK))


def visible_text(markup: str) -> str:
    """The text a reader sees in sanitised HTML, whitespace collapsed."""
    if "<" in markup:
        # Two substitutions with plain replacements stay in C: block tags become a space, the rest nothing.
        markup = TAG.sub("", _BLOCK_TAG.sub(" ", markup))
    if "&" in markup:
        markup = html.unescape(markup)
    return " ".join(markup.split())


class EntryTexts:
    """One entry's field texts (plain and folded), each computed the first time a rule asks for it."""

    __slots__ = ("entry", "_plain", "_folded")

    def __init__(self, entry: StoredEntry):
        self.entry = entry
        self._plain: dict[str, str] = {}
        self._folded: dict[str, str] = {}

    def plain(self, field: str) -> str:
        text = self._plain.get(field)
        if text is None:
            text = self._plain[field] = self._make(field)
        return text

    def folded(self, field: str) -> str:
        text = self._folded.get(field)
        if text is None:
            text = self._folded[field] = fold(self.plain(field))
        return text

    def _make(self, field: str) -> str:
        e = self.entry
        if field == "title":
            return e.title
        if field == "content":
            content = visible_text(e.content)
            if e.summary and e.summary != e.content:
                content = f"{content}\n{visible_text(e.summary)}"
            return content
        if field == "author":
            return e.author or ""
        if field == "link":
            return e.link or ""
        raise KeyError(field)
