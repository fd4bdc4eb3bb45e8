"""sitemap.xml (sitemaps.org 0.9) and robots.txt for the published site."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from feedstation.publish.feeds import escape_url, format_rfc3339, serialize_xml

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# sitemaps.org protocol: at most 50,000 URLs and 50 MB (uncompressed) per sitemap file; more need an index.
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024


def render_sitemap(urls: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A sitemap of (absolute http(s) URL, last modified or None), in the order given.

    Non-ASCII characters in a URL are percent-encoded (the protocol wants RFC 3986 URLs);
    `lastmod` is a W3C datetime in UTC. More than SITEMAP_MAX_URLS URLs raise ValueError:
    the caller must split them and list the parts with `render_sitemap_index`.
    """
    return _render("urlset", "url", urls)


def render_sitemap_index(sitemaps: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A sitemap index of (absolute URL of a sitemap file, last modified or None), in the order given."""
    return _render("sitemapindex", "sitemap", sitemaps)


def render_sitemaps(
    pages: Sequence[tuple[str, datetime | None]],
    items: Sequence[tuple[str, datetime | None]],
    *,
    base_url: str,
    max_urls: int = SITEMAP_MAX_URLS,
    max_bytes: int = SITEMAP_MAX_BYTES,
) -> dict[str, bytes]:
    """The site's sitemap files by name: one `sitemap.xml`, or an index plus parts when one file is too big.

    While everything fits in one file (`max_urls`, `max_bytes`) the result is `{"sitemap.xml": urlset}`.
    Past that, `sitemap.xml` is a sitemap index of `sitemap-pages.xml` (the list pages) and
    `sitemap-items-N.xml` parts cut from the items *oldest first* (`items` come newest first, as the site
    lists them), so a new item only ever changes the last part and the index: the earlier parts keep their
    bytes and are not re-uploaded on deploy. `base_url` is the site's absolute base URL.
    """
    single = [*pages, *items]
    if len(single) <= max_urls:
        body = render_sitemap(single)
        if len(body) <= max_bytes:
            return {"sitemap.xml": body}
    files = {"sitemap-pages.xml": _render_within("sitemap-pages.xml", pages, max_bytes)}
    items_oldest_first = list(reversed(items))
    size = max_urls
    while True:
        parts = [items_oldest_first[start:start + size] for start in range(0, len(items_oldest_first), size)]
        rendered = [render_sitemap(part) for part in parts]
        if all(len(body) <= max_bytes for body in rendered):
            break
        if size == 1:
            raise ValueError("one sitemap URL is longer than the sitemap size limit")
        size = max(1, size // 2)
    for number, (part, body) in enumerate(zip(parts, rendered), start=1):
        files[f"sitemap-items-{number}.xml"] = body
    base = base_url.rstrip("/") + "/"
    newest = {"sitemap-pages.xml": _newest(pages)}
    newest.update({f"sitemap-items-{n}.xml": _newest(part) for n, part in enumerate(parts, start=1)})
    files["sitemap.xml"] = render_sitemap_index([(base + name, newest[name]) for name in files])
    return files


def _render_within(name: str, urls: Sequence[tuple[str, datetime | None]], max_bytes: int) -> bytes:
    body = render_sitemap(urls)
    if len(body) > max_bytes:
        raise ValueError(f"{name}: {len(urls)} list pages exceed the sitemap size limit of {max_bytes} bytes")
    return body


def _newest(urls: Sequence[tuple[str, datetime | None]]) -> datetime | None:
    return max((when for _, when in urls if when is not None), default=None)


def render_robots(site_url: str) -> bytes:
    """robots.txt allowing every crawler everywhere and pointing at <site_url>/sitemap.xml."""
    if any(char in site_url for char in "\r\n"):
        raise ValueError(f"site URL {site_url!r} contains a line break; robots.txt would be corrupted")
    return f"User-agent: *\nAllow: /\n\nSitemap: {escape_url(site_url.rstrip('/'))}/sitemap.xml\n".encode("utf-8")


def _render(root_tag: str, item_tag: str, urls: Sequence[tuple[str, datetime | None]]) -> bytes:
    if len(urls) > SITEMAP_MAX_URLS:
        raise ValueError(
            f"{len(urls)} URLs for one {root_tag}: the limit is {SITEMAP_MAX_URLS}; split them into several files"
        )
    root = etree.Element(f"{{{SITEMAP_NS}}}{root_tag}", nsmap={None: SITEMAP_NS})
    for url, lastmod in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"sitemap URL {url!r} is not an absolute http(s) URL")
        item = etree.SubElement(root, f"{{{SITEMAP_NS}}}{item_tag}")
        etree.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = escape_url(url)
        if lastmod is not None:
            etree.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = format_rfc3339(lastmod)
    return serialize_xml(root)
