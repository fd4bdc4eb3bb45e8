"""The article of one page: trafilatura's extraction, sanitised with nh3 like any feed content, and og:image.

trafilatura was chosen over readability-lxml by measurement (bench/full_text.py, docs/architecture.md):
better token F1 on the saved Chinese and English pages, and cheaper per page. It runs with
`favor_precision` (boilerplate is worse than a missing paragraph) and without comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from feedstation.normalize.html import html_text, sanitize_with_lead_image
from feedstation.normalize.urls import safe_url

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
    return Article(content=content or None, text_chars=len(html_text(content)) if content else 0,
                   image=page_image(page, page_url) or first_image)


def page_image(page: str, page_url: str) -> str | None:
    """The page's declared lead image (og:image, else twitter:image) as a safe absolute URL, else None."""
    if "og:image" not in page and "twitter:image" not in page:
        return None
    head = HTMLParser(page).head
    if head is None:
        return None
    for selector in _IMAGE_META:
        for meta in head.css(selector):
            url = safe_url((meta.attributes.get("content") or "").strip(), page_url)
            if url is not None:
                return url
    return None
