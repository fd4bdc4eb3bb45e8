"""Sanitise item HTML once, last, with nh3; make URLs absolute and find the lead image in the same walk.

Allowed tags: p br div span a img figure figcaption picture source video audio b strong i em u s
del ins mark small abbr q cite blockquote pre code kbd samp sup sub ul ol li dl dt dd h1–h6 hr
table caption thead tbody tfoot tr th td.

Allowed attributes: title (any tag); a: href; img: src alt width height (and always
loading="lazy" referrerpolicy="no-referrer": hotlink-protected hosts such as zhimg refuse
requests with a foreign Referer); video: src poster width height (always controls, preload="none",
never autoplay); audio: src (always controls, preload="none"); source: src type; td/th: colspan
rowspan; ol: start; style (any tag), reduced to the harmless properties of `normalize/styles.py`.
Never class, id, data-* or on*.

URLs: http/https (a href also mailto); img src also data:image/{png,jpeg,gif,webp,avif} (not SVG,
which can carry script). Everything else is removed together with its content: script, style,
template, iframe, object, embed, svg, math, textarea, select; form/input/base/meta/link lose the
tag. Comments (Hexo's `<!--hexoPostRenderEscape:` markers included) are stripped by nh3.
"""

from __future__ import annotations

import re
import threading

import nh3
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from feedstation.normalize.styles import safe_style
from feedstation.normalize.text import clean_text
from feedstation.normalize.urls import safe_url

TAGS = {
    "p", "br", "div", "span", "a", "img", "figure", "figcaption", "picture", "source", "video", "audio",
    "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "abbr", "q", "cite", "blockquote",
    "pre", "code", "kbd", "samp", "sup", "sub", "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip
DROPPED_WITH_CONTENT = {
    "script", "style", "template", "iframe", "object", "embed", "svg", "math", "textarea", "select",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"title", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "video": {"src", "poster", "width", "height"},
    "audio": {"src"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Added after nh3, not with its set_tag_attribute_values: that is a Rust HashMap, so the order
# of two forced attributes changed from one Cleaner to the next and with it the content hash.
FORCED = {
    "img": ' loading="lazy" referrerpolicy="no-referrer"',
    "video": ' controls preload="none"',
    "audio": ' controls preload="none"',
}
# One start tag as nh3 (html5ever) serialises it: attribute values are double-quoted and never
# contain '"', and text never contains '<', so scanning left to right only ever starts at a tag.
_START_TAG = re.compile(r'<(img|video|audio)((?:\s[^\s="\'/>]+(?:="[^"]*")?)*)\s*(/?)>')
_ATTRIBUTE = re.compile(r'\s([^\s="\'/>]+)(?:="[^"]*")?')
LINK_REL = "noopener noreferrer nofollow"
# nh3 checks schemes before our filter runs; "data" is let through here only so the filter can
# keep image data URLs and refuse every other one.
SCHEMES = {"http", "https", "mailto", "data"}
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|jpg|gif|webp|avif);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,5}%?$")
_URL_ATTRS = {"href", "src", "poster"}


class _Walk:
    """The attribute filter for one sanitise call: resolves URLs against `base`, notes the first image."""

    def __init__(self, base: str | None):
        self.base = base
        self.lead: str | None = None

    def __call__(self, tag: str, attr: str, value: str) -> str | None:
        if attr in _URL_ATTRS:
            return self._url(tag, attr, value)
        if attr in ("width", "height", "colspan", "rowspan", "start"):
            value = value.strip()
            return value if _NUMBER.match(value) else None
        if attr == "style":
            return safe_style(value, tag)
        return value

    def _url(self, tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src" and value.lstrip()[:5].lower() == "data:":
            url = value.strip() if _DATA_IMAGE.match(value.strip()) else None
        else:
            url = safe_url(value, self.base, allow_mailto=(tag == "a" and attr == "href"))
        if url is not None and tag == "img" and attr == "src" and self.lead is None:
            self.lead = url
        return url


# The walk of the sanitise call running on this thread. nh3 calls the filter synchronously on the
# calling thread, so one Cleaner serves every call: building one cost ~14 µs, more than cleaning
# a short item.
_current = threading.local()


def _filter_current_walk(tag: str, attr: str, value: str) -> str | None:
    return _current.walk(tag, attr, value)


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    attribute_filter=_filter_current_walk,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=SCHEMES,
)


def sanitize_with_lead_image(html: str | None, base_url: str | None) -> tuple[str, str | None]:
    """Sanitised HTML and its first image URL, from a single nh3 pass."""
    text = clean_text(html)
    if not text.strip():
        return "", None
    walk = _Walk(base_url)
    outer = getattr(_current, "walk", None)
    _current.walk = walk
    try:
        cleaned = _CLEANER.clean(text).strip()
    finally:
        _current.walk = outer
    if "<img" in cleaned or "<video" in cleaned or "<audio" in cleaned:
        cleaned = force_attributes(cleaned, FORCED)
    return cleaned, walk.lead


def force_attributes(html: str, forced: dict[str, str]) -> str:
    """Each img/video/audio start tag of nh3 output with `forced[tag]` set exactly once.

    Idempotent: an attribute named in `forced` is removed from the tag before the forced text is
    appended, so HTML that already went through here (stored content, rendered again by the site
    with its own set) never carries `loading` or `referrerpolicy` twice (issue 11).
    """
    def one(match: re.Match[str]) -> str:
        tag, attrs, slash = match.groups()
        extra = forced.get(tag)
        if extra is None:
            return match.group(0)
        names = set(_ATTRIBUTE.findall(extra))
        kept = "".join(a.group(0) for a in _ATTRIBUTE.finditer(attrs) if a.group(1) not in names)
        return f"<{tag}{kept}{extra}{slash}>"

    return _START_TAG.sub(one, html)


def sanitize_html(html: str, base_url: str | None) -> str:
    """nh3 allow-list sanitising (see the module docstring), with URLs made absolute against `base_url`."""
    return sanitize_with_lead_image(html, base_url)[0]


def lead_image(html: str) -> str | None:
    """The first `<img src>` of already-sanitised HTML (so already absolute and safe), else None."""
    if "<img" not in html:
        return None
    for img in HTMLParser(html).css("img"):
        src = img.attributes.get("src")
        if src:
            return src
    return None


def html_text(html: str) -> str:
    """The visible text of sanitised HTML, whitespace collapsed (for title fallbacks)."""
    if not html:
        return ""
    tree = HTMLParser(html)
    node = tree.body or tree.root
    return " ".join((node.text(separator=" ") if node else "").split())
