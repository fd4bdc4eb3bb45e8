"""The article of one page: trafilatura's extraction, sanitised with nh3 like any feed content, and og:image.

trafilatura was chosen over readability-lxml by measurement (bench/full_text.py, docs/architecture.md):
better token F1 on the saved Chinese and English pages, and cheaper per page. It runs with
`favor_precision` (boilerplate is worse than a missing paragraph) and without comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from feedstation.normalize.html import html_text, sanitize_with_lead_image
from feedstation.normalize.urls import safe_url

# trafilatura starts the article with the page's headline, which every page of ours shows already as the title.
_LEADING_HEADING = re.compile(r"^\s*<(h[1-3])(?:\s[^>]*)?>(.*?)</\1>\s*", re.DOTALL)
_IMAGE_META = ('meta[property="og:image"]', 'meta[property="og:image:url"]', 'meta[name="twitter:image"]')


@dataclass(frozen=True)
class Article:
    """What the page gave: sanitised article HTML (or None), its visible length, and the page's lead image."""

    content: str | None
    text_chars: int
    image: str | None  # og:image (else twitter:image), else the article's first image


def extract_article(page: str, page_url: str) -> Article:
    """The article in `page` (decoded HTML), with URLs absolute against `page_url`. Never raises for bad HTML."""
    import trafilatura  # here, not at the top: importing it costs ~1 s, which runs without full text don't pay

    extracted = trafilatura.extract(page, url=page_url, output_format="html", include_comments=False,
                                    include_images=True, include_tables=True, favor_precision=True)
    content, first_image = sanitize_with_lead_image(extracted, page_url) if extracted else ("", None)
    tree = HTMLParser(page)  # one parse for the headline check and og:image
    content = _without_headline(content, tree)
    return Article(content=content or None, text_chars=len(html_text(content)) if content else 0,
                   image=_declared_image(tree, page_url) or first_image)


def _without_headline(content: str, tree: HTMLParser) -> str:
    """`content` without a leading heading that repeats the page's title (og:title or <title>)."""
    match = _LEADING_HEADING.match(content)
    if match is None:
        return content
    heading = " ".join(html_text(match.group(2)).split())
    titles = [" ".join((m.attributes.get("content") or "").split()) for m in tree.css('meta[property="og:title"]')]
    title_node = tree.css_first("title")
    titles.append(" ".join(title_node.text().split()) if title_node else "")
    if heading and any(t.startswith(heading) for t in titles if t):
        return content[match.end():]
    return content


def page_image(page: str, page_url: str) -> str | None:
    """The page's declared lead image (og:image, else twitter:image) as a safe absolute URL, else None."""
    if "og:image" not in page and "twitter:image" not in page:
        return None
    return _declared_image(HTMLParser(page), page_url)


def _declared_image(tree: HTMLParser, page_url: str) -> str | None:
    head = tree.head
    if head is None:
        return None
    for selector in _IMAGE_META:
        for meta in head.css(selector):
            url = safe_url((meta.attributes.get("content") or "").strip(), page_url)
            if url is not None:
                return url
    return None
