"""RSSHub's own error page → its one-line message (`NotFoundError: The route does not exist …`), or None.

RSSHub answers every route failure with an HTML page (503 for route errors, 404 for unknown routes, 403 for a
missing access key) whose "Error Message:" paragraph says what went wrong. That message is what a user needs;
the status line alone ("503 Service Unavailable") says nothing. Pure: bytes in, text out.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# The page is ~6 KB; anything much bigger is not RSSHub's error page and is not worth parsing.
MAX_PAGE = 64 * 1024
MAX_MESSAGE = 300
_SPACE = re.compile(r"\s+")
_MESSAGE = '//p[@class="message"][starts-with(normalize-space(.), "Error Message:")]//code'


def rsshub_error_message(body: bytes) -> str | None:
    """The message of an RSSHub error page, whitespace folded and capped; None when `body` is not one."""
    if not body or len(body) > MAX_PAGE or b"Error Message:" not in body:
        return None
    try:
        document = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    codes = document.xpath(_MESSAGE)
    if not codes:
        return None
    text = _SPACE.sub(" ", codes[0].text_content()).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    if not text:
        return None
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
