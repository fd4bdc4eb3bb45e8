"""`style` attributes reduced to a few harmless properties, so formatted items keep their look.

Allowed (issue 11): text-align, color, background-color, font-weight, font-style, text-decoration
on any element, and width/height on images. Each value must match a strict pattern made of
keywords, numbers with units, CSS's named colours, `#hex` and `rgb()/rgba()/hsl()/hsla()` of numbers
only, so no value can load a URL (`url(`, `image-set(`, `@import`), run an expression (`expression(`, `behavior`,
`-moz-binding`) or take the page over (`position: fixed`, huge z-index): none of those properties is
on the list, and no function other than the colour ones is accepted. Escapes (`\\`), comments
(`/* */`) and `!important` make a declaration invalid, so it is dropped. Everything else is dropped
declaration by declaration; an attribute with nothing left is removed.

A background colour was chosen against the dark text of a light page; an element that sets one (not
`transparent` or a CSS-wide keyword) but no text colour also gets `color: #111`, so a yellow highlight
stays readable under a dark theme (found on the site's dark-mode screenshot: light text on the feed's
yellow).
"""

from __future__ import annotations

import re
from functools import lru_cache

_NUMBER = r"(?:\d{1,4}(?:\.\d{1,4})?|\.\d{1,4})"
_COLOR_FUNCTION = rf"(?:rgba?|hsla?)\(\s*{_NUMBER}%?(?:\s*[,/\s]\s*{_NUMBER}(?:%|deg)?){{2,3}}\s*\)"
# The colour keywords of CSS Color 4 (§6.1 named colours, transparent, currentcolor) and the CSS-wide keywords:
# a value is a real colour, never just any word (`color: position` was kept while any word passed).
NAMED_COLORS = frozenset("""
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
    cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod
    darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon
    darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray
    dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green
    greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon
    lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon
    lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta
    maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
    mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive
    olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru
    pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen
    seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato
    turquoise violet wheat white whitesmoke yellow yellowgreen
    transparent currentcolor inherit initial unset
""".split())
_COLOR = rf"(?:#[0-9a-f]{{3,4}}|#[0-9a-f]{{6}}|#[0-9a-f]{{8}}|{_COLOR_FUNCTION}|{'|'.join(sorted(NAMED_COLORS))})"
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
# Background values that choose no colour, so the text keeps the theme's own.
_NO_BACKGROUND = ("transparent", "inherit", "initial", "unset", "currentcolor")


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
    values = dict(declaration.split(": ", 1) for declaration in kept)
    if "color" not in values and values.get("background-color", _NO_BACKGROUND[0]) not in _NO_BACKGROUND:
        kept.append(f"color: {TEXT_ON_BACKGROUND}")
    return "; ".join(kept) or None
