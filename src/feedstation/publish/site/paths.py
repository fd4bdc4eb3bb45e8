"""Output path and URL patterns of the site: readable CJK-keeping slugs, item hashes, percent-encoding.

Holds no business logic: every function maps names to paths or paths to URLs.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

# Characters Windows, static hosts or URLs trip over; `%` and `#` too, so a naive host
# that decodes twice or a path copied into a browser cannot change meaning.
_UNSAFE = set('/\\:*?"<>|%#')
# Names our own outputs use inside a section folder: a tree name slugged to one of these
# would collide with the section's pagination or feeds.
RESERVED = frozenset({"page", "index.html", "atom.xml", "rss.xml", "feed.json", "item", "archive", "static",
                       "pagefind", "search", "c", "404.html", "sitemap.xml", "robots.txt", "sources.opml",
                       "latest", "status", "status.json"})
MAX_SLUG_BYTES = 80  # well under the 255-byte file-name limit, leaving room for the hash suffix


def slugify(name: str) -> str:
    """A file-name-safe, readable slug of a tree name (CJK kept); altered names get a stable hash suffix.

    A name that is already safe is used as is, so it can never collide with another
    name; any name that had to change (unsafe characters, reserved, too long, empty)
    gets `-` + 8 hex of its sha256, so two names that clean to the same text differ.
    """
    nfc = unicodedata.normalize("NFC", name)
    cleaned = []
    for char in nfc:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue  # controls, bidi overrides, zero-width joiners, surrogates: invisible or dangerous
        if char in _UNSAFE:
            cleaned.append("_")
        elif char.isspace() and char != " ":
            cleaned.append(" ")  # tabs, NBSP, ideographic space: one plain space
        else:
            cleaned.append(char)
    slug = "".join(cleaned).strip(". ")  # Windows drops trailing dots and spaces
    slug = _cap_bytes(slug, MAX_SLUG_BYTES)
    if slug and slug == name and slug.lower() not in RESERVED and not slug.startswith("."):
        return slug
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug.lstrip('.') or '_'}-{digest}"


def _cap_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore").rstrip(". -")


def section_dir(slugs: Sequence[str]) -> str:
    """Folder (relative, trailing slash) of a section: "" for the home page, `c/<cat>/<site>/<channel>/`."""
    return "".join(f"{s}/" for s in ("c", *slugs)) if slugs else ""


def page_file(folder: str, number: int) -> str:
    """Output path of a listing's page in `folder`: 0 is its index (the newest items), 1… its pages numbered
    from the oldest (see pagination.py)."""
    return f"{folder}index.html" if number == 0 else f"{folder}page/{number}/index.html"


def item_key(tree: Sequence[str], identity: str) -> str:
    """16 hex of sha256 over the tree and identity: the item's stable name across builds."""
    return hashlib.sha256("\x1f".join((*tree, identity)).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def item_file(key: str) -> str:
    """Output path of an item page; the 2-hex fan-out keeps folders small on 100k items."""
    return f"item/{key[:2]}/{key}.html"


def month_dir(year: int, month: int) -> str:
    return f"archive/{year:04d}/{month:02d}/"


def base_path(site_url: str) -> str:
    """The site's path prefix on its host ("" at a domain root, "/repo" on a GitHub project page)."""
    return urlsplit(site_url).path.rstrip("/")


def origin(site_url: str) -> str:
    """`scheme://host[:port]` of the site, what its own absolute URLs start with ("http://127.0.0.1:8000")."""
    parts = urlsplit(site_url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def root_relative(url: str, own_origin: str) -> str:
    """`url` without the site's own origin when it points into the site ("/static/demo/desk.webp"), else unchanged.

    A page then loads the site's own files from wherever it is served: `feedstation serve` on
    any port, or another host. Output feeds keep absolute URLs (a reader needs them).
    """
    return url[len(own_origin):] if own_origin and url.startswith(own_origin + "/") else url


def href(base: str, relpath: str) -> str:
    """Root-relative, percent-encoded link to an output path; `index.html` is dropped for clean URLs."""
    if relpath == "index.html" or relpath.endswith("/index.html"):
        relpath = relpath[: -len("index.html")]
    return quote(f"{base}/{relpath}", safe="/-._~")


def absolute(site_url: str, relpath: str) -> str:
    """Absolute, percent-encoded URL of an output path (feeds, sitemap, OPML need absolute URLs)."""
    parts = urlsplit(site_url)
    return f"{parts.scheme}://{parts.netloc}{href(base_path(site_url), relpath)}"
