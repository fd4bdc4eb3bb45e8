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
SITEMAP_PART_URLS = 10_000  # what one file holds before the sitemap becomes an index of parts (see plan_sitemaps)


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
    max_urls: int = SITEMAP_PART_URLS,
    max_bytes: int = SITEMAP_MAX_BYTES,
) -> dict[str, bytes]:
    """The site's sitemap files by name, rendered: see `plan_sitemaps` for which URLs go in which file."""
    plan = plan_sitemaps(pages, items, max_urls=max_urls, max_bytes=max_bytes)
    files = {name: render_sitemap(urls) for name, urls in plan.items() if name != "sitemap.xml" or len(plan) == 1}
    if len(plan) > 1:
        files["sitemap.xml"] = render_sitemap_index(sitemap_index_entries(plan, base_url))
    return files


def plan_sitemaps(
    pages: Sequence[tuple[str, datetime | None]],
    items: Sequence[tuple[str, datetime | None]],
    *,
    max_urls: int = SITEMAP_PART_URLS,
    max_bytes: int = SITEMAP_MAX_BYTES,
) -> dict[str, Sequence[tuple[str, datetime | None]]]:
    """Which URLs go in which sitemap file, without rendering any: `{"sitemap.xml": every URL}` while they fit
    one file (`max_urls` URLs and `max_bytes`), else `sitemap-pages.xml` (the list pages),
    `sitemap-items-N.xml` parts cut from the items *oldest first* (`items` come newest first, as the site
    lists them) and `sitemap.xml`, the index of the others (its value is empty).

    Because parts are cut oldest first, a new item changes only the last part and the index: the
    earlier parts keep their bytes, so a build does not even render them (their URLs are their key).
    Parts hold `max_urls` (10,000) items, well under the protocol's 50,000, so the one part a new item
    touches is quick to render; fewer when long URLs could pass `max_bytes`.
    """
    per_part = min(max_urls, max(1, max_bytes // _worst_case_bytes([*pages[:1], *items[:1]])))
    single = [*pages, *items]
    if len(single) <= per_part:
        return {"sitemap.xml": single}
    if len(pages) > min(SITEMAP_MAX_URLS, max(1, max_bytes // _worst_case_bytes(pages))):
        raise ValueError(f"sitemap-pages.xml: {len(pages)} list pages exceed the sitemap limits")
    items_oldest_first = items[::-1]
    plan: dict[str, Sequence[tuple[str, datetime | None]]] = {"sitemap-pages.xml": pages}
    for number, start in enumerate(range(0, len(items_oldest_first), per_part), start=1):
        plan[f"sitemap-items-{number}.xml"] = items_oldest_first[start:start + per_part]
    plan["sitemap.xml"] = ()
    return plan


def sitemap_index_entries(plan: dict[str, Sequence[tuple[str, datetime | None]]],
                          base_url: str) -> list[tuple[str, datetime | None]]:
    """The index's (absolute URL, newest lastmod) for each planned part."""
    base = base_url.rstrip("/") + "/"
    return [(base + name, _newest(urls)) for name, urls in plan.items() if name != "sitemap.xml"]


def _worst_case_bytes(urls: Sequence[tuple[str, datetime | None]]) -> int:
    """An upper bound on one <url> element's bytes for these URLs: every character percent-encoded UTF-8
    (9 bytes) plus the tags and a lastmod."""
    return 9 * max((len(url) for url, _ in urls), default=0) + 100


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
