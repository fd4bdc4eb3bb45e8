"""URL safety: every stored URL is absolute http(s) (or mailto where it fits), or it is dropped."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

# The WHATWG URL parser removes tab and newline anywhere and trims C0 controls and spaces at the
# ends, so "java\tscript:" runs as javascript: in a browser; judge the URL the way a browser reads it.
_STRIPPED_ANYWHERE = re.compile("[\t\n\r]")
_EDGE = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \u00a0\u3000"
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_WEB = ("http", "https")
# An http(s) URL whose host is plain ASCII (no userinfo, IPv6 brackets or IDN for urllib to judge)
# followed directly by the end, a path, a query or a fragment; the protocol-relative form likewise.
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?=[/?#]|\Z)")
_NETLOC_REF = re.compile(r"//[A-Za-z0-9.-]+(?::[0-9]*)?(?=[/?#]|\Z)")
# A "." or ".." path segment, which urljoin removes (RFC 3986 §5.2.4).
_DOT_SEGMENT = re.compile(r"/\.\.?(?=[/?#]|\Z)")
MAX_URL_CHARS = 4096


def _browser_view(url: str) -> str:
    return _STRIPPED_ANYWHERE.sub("", url).strip(_EDGE)


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see, after entities are decoded and tabs/newlines removed."""
    match = _SCHEME.match(_browser_view(html.unescape(_browser_view(url))))
    return match.group(1).lower() if match else None


def safe_url(url: str | None, base: str | None = None, *, allow_mailto: bool = False) -> str | None:
    """Return `url` as an absolute http(s) (or mailto) URL resolved against `base`, else None.

    `javascript:`, `vbscript:`, `data:`, `file:` and every other scheme are refused in any case,
    with embedded whitespace or controls, or spelled with HTML entities (`&#x6A;avascript:`).
    A relative URL with no usable base is refused too: it would point at our own site.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        return None
    allowed = _WEB + (("mailto",) if allow_mailto else ())
    # Most URLs are plain absolute http(s) or root-relative; only the others need the
    # entity-decoding browser view (a URL starting with "/" and no "&" can have no scheme).
    if "&" in url:
        scheme = scheme_of(url)
    elif url.startswith(("https://", "http://")):
        scheme = "http"
    else:
        scheme = None if url[:1] == "/" else scheme_of(url)
    if scheme is not None and scheme not in allowed:
        return None
    candidate = _browser_view(url)
    if not candidate or _CONTROL.search(candidate):
        return None
    candidate = candidate.replace(" ", "%20")
    if scheme is None:
        web_base = _web_base(base)
        if web_base is not None:
            candidate = _joined(web_base, candidate)
        elif candidate.startswith("//"):
            # Protocol-relative with nothing to inherit from: assume https (RSSHub emits these).
            candidate = "https:" + candidate
        else:
            return None
    return _checked(candidate, allowed)


@lru_cache(maxsize=256)
def _web_base(base: str | None) -> str | None:
    # Cached: one item resolves dozens of URLs against the same base (bench/parse.py).
    if not base:
        return None
    return _checked(_browser_view(base), _WEB)


def _joined(base: str, ref: str) -> str:
    """urljoin(base, ref), without urllib for root- and protocol-relative refs that it returns unchanged.

    urljoin re-parses the base on every call and was most of normalise's time on image-heavy
    items. The shortcut applies only where urljoin's result is plainly origin + ref (or scheme
    + ref): no ";" params, no dot segments, no empty "?" or "#" that urlunsplit would drop.
    """
    if ref[:1] == "/" and ";" not in ref and _round_trips(ref):
        if ref[1:2] == "/":
            if _NETLOC_REF.match(ref):
                return base[: base.index(":") + 1] + ref
        elif not _DOT_SEGMENT.search(ref):
            return _origin(base) + ref
    return urljoin(base, ref)


@lru_cache(maxsize=256)
def _origin(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _round_trips(url: str) -> bool:
    """False when urlsplit → urlunsplit would drop an empty query ("?") or fragment ("#")."""
    hash_at = url.find("#")
    if hash_at == len(url) - 1:
        return False
    head = url if hash_at < 0 else url[:hash_at]
    return head.find("?") != len(head) - 1


def _checked(url: str, allowed: tuple[str, ...]) -> str | None:
    # Most URLs are plain http(s) with an ASCII host: urlsplit/urlunsplit would hand them back
    # unchanged and find a host, so skip urllib (half of normalise's time on bench/parse.py).
    if _PLAIN_WEB_URL.match(url) and _round_trips(url):
        return url
    return _checked_by_urllib(url, allowed)


def _checked_by_urllib(url: str, allowed: tuple[str, ...]) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme not in allowed:
        return None
    if parts.scheme == "mailto":
        return url if len(url) > len("mailto:") else None
    try:
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    return urlunsplit(parts)
