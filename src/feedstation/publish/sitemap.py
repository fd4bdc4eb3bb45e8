"""sitemap.xml (sitemaps.org 0.9) and robots.txt for the published site."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from feedstation.publish.feeds import escape_url, format_rfc3339, serialize_xml

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# sitemaps.org protocol: at most 50,000 URLs per sitemap file; more need a sitemap index.
SITEMAP_MAX_URLS = 50_000


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
