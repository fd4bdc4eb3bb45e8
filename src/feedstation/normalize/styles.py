"""`style` attributes reduced to a few harmless properties, so formatted items keep their look.

Allowed (issue 11): text-align, color, background-color, font-weight, font-style, text-decoration
on any element, and width/height on images. Each value must match a strict pattern made of
keywords, numbers with units, `#hex` colours and `rgb()/rgba()/hsl()/hsla()` of numbers only, so no
value can load a URL (`url(`, `image-set(`, `@import`), run an expression (`expression(`, `behavior`,
`-moz-binding`) or take the page over (`position: fixed`, huge z-index): none of those properties is
on the list, and no function other than the colour ones is accepted. Escapes (`\\`), comments
(`/* */`) and `!important` make a declaration invalid, so it is dropped. Everything else is dropped
declaration by declaration; an attribute with nothing left is removed.

A background colour was chosen against the dark text of a light page; an element that sets one but
no text colour also gets `color: #111`, so a yellow highlight stays readable under a dark theme
(found on the site's dark-mode screenshot: light text on the feed's yellow).
"""

from __future__ import annotations

import re
from functools import lru_cache

_NUMBER = r"(?:\d{1,4}(?:\.\d{1,4})?|\.\d{1,4})"
_COLOR_FUNCTION = rf"(?:rgba?|hsla?)\(\s*{_NUMBER}%?(?:\s*[,/\s]\s*{_NUMBER}(?:%|deg)?){{2,3}}\s*\)"
_COLOR = rf"(?:#[0-9a-f]{{3,4}}|#[0-9a-f]{{6}}|#[0-9a-f]{{8}}|{_COLOR_FUNCTION}|[a-z]{{3,24}})"
_DECORATION = rf"(?:none|underline|overline|line-through|solid|double|dotted|dashed|wavy|{_COLOR})"
_LENGTH = rf"(?:0|{_NUMBER}(?:px|%|em|rem)|auto)"

_ANY_ELEMENT = {
    "text-align": re.compile(r"left|right|center|justify|start|end"),
    "color": re.compile(_COLOR),
    "background-color": re.compile(_COLOR),
    "font-weight": re.compile(r"normal|bold|bolder|lighter|[1-9]00"),
    "font-style": re.compile(r"normal|italic|oblique"),
    "text-decoration": re.compile(rf"{_DECORATION}(?:\s+{_DECORATION}){{0,3}}"),
}
_IMAGES_ONLY = {"width": re.compile(_LENGTH), "height": re.compile(_LENGTH)}
ALLOWED_PROPERTIES = frozenset(_ANY_ELEMENT) | frozenset(_IMAGES_ONLY)
# Never needed by an allowed value; refused outright so no pattern mistake can let them through.
_NEVER = re.compile(r"url|expression|javascript|binding|behavior|import|image|\\|/\*|@|<|>|&|!", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
TEXT_ON_BACKGROUND = "#111"


# Cached: a feed repeats the same few style strings on every item (the parse benchmark's items carry
# 16 each), and a hit costs a dict lookup instead of the regex work.
@lru_cache(maxsize=4096)
def safe_style(value: str, tag: str) -> str | None:
    """The allowed declarations of a style attribute, normalised (`color: #c00; font-weight: bold`), or None."""
    kept: list[str] = []
    for declaration in value.split(";"):
        name, colon, raw = declaration.partition(":")
        if not colon:
            continue
        name = name.strip().lower()
        pattern = _ANY_ELEMENT.get(name) or (_IMAGES_ONLY.get(name) if tag == "img" else None)
        if pattern is None:
            continue
        raw = _SPACES.sub(" ", raw.strip().lower())
        if raw and not _NEVER.search(raw) and pattern.fullmatch(raw):
            kept.append(f"{name}: {raw}")
    names = {declaration.partition(":")[0] for declaration in kept}
    if "background-color" in names and "color" not in names:
        kept.append(f"color: {TEXT_ON_BACKGROUND}")
    return "; ".join(kept) or None
