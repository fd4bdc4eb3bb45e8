"""Feed text made inert for Hexo and its themes: titles and names, front-matter image URLs, post bodies.

Hexo themes print front-matter values *raw* (Volantis 5 and 6: `<a title='<%- post.title %>'>`,
`alt="<%- post.title %>"`, `<h1><%- post.title %></h1>`) and others escaped (landscape: `<%= %>`).
A value is safe and reads the same in both kinds of template only if it contains nothing that HTML
treats as markup, so the few characters that are markup are replaced by the look-alikes a reader
expects (issue 14, docs/architecture.md "Hexo: inert feed text"):

- `'` → `‘`/`’` and `"` → `“`/`”` (typographic quotes: no attribute delimiter is left, in either
  quoting style, and `it's` reads `it’s`);
- `<` before a letter, `/`, `!` or `?` (the only places it opens a tag, comment or declaration)
  → `＜` (full-width, NFKC-equal to `<`); a lone `<` as in `a < b` stays;
- `&` where it starts a character reference (`&lt;`, `&#39;`, `&amp`) → `＆`, so no entity decodes to
  markup in a raw template or shows as `&amp;lt;` in an escaped one; `AT&T` and `a & b` stay;
- `>` stays: without `<` it cannot start markup, and it is common in titles (`a -> b`).

Bodies stay one HTML block for Markdown renderers (hexo-renderer-marked ends an HTML block at a
blank line and renders what follows as Markdown, `[x](javascript:…)` included), and Hexo's fenced
code filter never sees a fence. No business logic beyond that.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.entities import html5 as _NAMED_REFERENCES

_OPENING_CONTEXT = frozenset(" \t([{<‘“«‹「『（【—–-/")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9A-Fa-f]+;?|[A-Za-z][A-Za-z0-9]*;?)")

# Hexo's own post-render markers (Hexo ≤6: <!--hexoPostRenderEscape:…:hexoPostRenderEscape-->,
# Hexo 7: <hexoPostRenderCodeBlock>, both with U+FFFC-numbered placeholders). Feed text that
# contains them would be swapped for another block's content or crash Hexo's restore step.
_HEXO_MARKERS = re.compile(r"<!--hexoPostRenderEscape:|:hexoPostRenderEscape-->|</?hexoPostRenderCodeBlock>|\ufffc")
# A line break followed by a line of nothing but whitespace (or by the end of the body, which the
# post template follows with a line of two spaces): where a Markdown HTML block ends.
_BREAK_BEFORE_BLANK_LINE = re.compile(r"\n(?=[^\S\n]*(?:\n|\Z))")
# The body's own first line when it is blank: the template's `<div>   ` line comes right before it.
_BLANK_FIRST_LINE = re.compile(r"\A([^\S\n]*)\n")
# Hexo's backtick_code_block filter turns ``` / ~~~ fences at a line start into code blocks
# before Markdown runs; as character references they are the same text but no fence.
_FENCE = re.compile(r"`{3,}|~{3,}")

_IMAGE_SCHEMES = re.compile(r"(?:https?://|data:image/(?:png|jpeg|jpg|gif|webp|avif);)", re.IGNORECASE)
# Characters that end or escape an HTML attribute, a CSS url(…) or a JS string a theme may put the
# URL in; percent-encoded they mean the same to the server (RFC 3986 §2.1) and nothing to HTML.
_URL_UNSAFE = re.compile(r"[\x00-\x20'\"<>`\\()\x7f]")


@lru_cache(maxsize=4096)  # tree names repeat across thousands of posts
def inert_text(value: str) -> str:
    """`value` with HTML's markup characters replaced by look-alikes (see the module docstring).

    Text without `'`, `"`, `<` or `&` (nearly every title) is returned unchanged.
    """
    if not any(ch in value for ch in "'\"<&"):
        return value
    if "&" in value:
        value = neutral_references(value)
    if "<" in value:
        value = _TAG_OPEN.sub("＜", value)
    if "'" in value or '"' in value:
        value = _typographic_quotes(value)
    return value


def inert_image_url(url: str | None) -> str | None:
    """A front-matter image URL that is an http(s) or raster data URL with nothing HTML could read as markup.

    Returns None for any other scheme (the caller uses the placeholder instead).
    """
    if not url or not _IMAGE_SCHEMES.match(url):
        return None
    url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    if "&" in url:
        url = _REFERENCE.sub(_url_reference, url)
    return url


def inert_body(item_html: str) -> str:
    """Sanitised item HTML made inert for Hexo: one HTML block, no Hexo marker, no Nunjucks, no fence.

    - Hexo's post-render markers are removed (repeatedly: removing one can join another).
    - `{`/`}` become `&#123;`/`&#125;`, even with `disableNunjucks`, so a post stays safe if that
      option is dropped later or a theme renders the content through Nunjucks again.
    - A line break before a blank line, or ending a blank first line, becomes `&#10;` (the same
      character to HTML, in text, `<pre>` and attribute values alike), so no blank line ends
      Markdown's HTML block.
    - Runs of three or more backticks or tildes become character references.
    Bodies without blank lines or fences (the reference's own) are unchanged apart from braces.
    """
    text = item_html
    while "hexoPostRender" in text or "\ufffc" in text:
        stripped = _HEXO_MARKERS.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = text.replace("{", "&#123;").replace("}", "&#125;")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        text = _BREAK_BEFORE_BLANK_LINE.sub("&#10;", text)
        text = _BLANK_FIRST_LINE.sub(r"\1&#10;", text)
    if "``" in text or "~~" in text:
        text = _FENCE.sub(lambda m: ("&#96;" if m.group()[0] == "`" else "&#126;") * len(m.group()), text)
    return text


def neutral_references(value: str) -> str:
    """`value` with `＆` for every `&` that starts a character reference a browser would decode."""
    return _REFERENCE.sub(_neutral_reference, value) if "&" in value else value


def _neutral_reference(match: re.Match[str]) -> str:
    ref = match.group()
    # html.unescape follows HTML5's rules (named references without `;` included), so only an
    # `&` a browser would decode is replaced.
    return "＆" + ref[1:] if html.unescape(ref) != ref else ref


def _url_reference(match: re.Match[str]) -> str:
    """`%26…` for an `&` that an attribute value decodes (themes put image URLs only in attributes), else as is.

    In an attribute, HTML5 leaves a named reference without `;` alone when `=` or a letter or digit
    follows it, so query strings such as `&timestamp=1&param=2` (`&times`, `&para`) keep their meaning.
    """
    ref = match.group()
    if ref[1] == "#":
        decoded = html.unescape(ref) != ref
    elif ref.endswith(";") and ref[1:] in _NAMED_REFERENCES:
        decoded = True
    else:
        # Only a whole legacy name counts (a longer run has a letter or digit after the name), and
        # only when no `=` follows; a `;` after an unknown name (`&region;`) is such a non-`=` character.
        name = ref[1:].rstrip(";")
        following = ";" if ref.endswith(";") else match.string[match.end():match.end() + 1]
        decoded = name in _NAMED_REFERENCES and following != "="
    return "%26" + ref[1:] if decoded else ref


def _typographic_quotes(value: str) -> str:
    out = []
    previous = " "
    for ch in value:
        if ch == "'":
            ch = "‘" if previous in _OPENING_CONTEXT else "’"
        elif ch == '"':
            ch = "“" if previous in _OPENING_CONTEXT else "”"
        out.append(ch)
        previous = ch
    return "".join(out)
