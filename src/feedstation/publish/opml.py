"""OPML 2.0 export of the source tree (category → site → channel), so readers can subscribe to it all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from feedstation.models import Source
from feedstation.publish.feeds import format_rfc822, serialize_xml, xml_text

OPML_DOCS = "http://opml.org/spec2.opml"


def render_opml(title: str, sources: Sequence[Source], *, created: datetime) -> bytes:
    """An OPML 2.0 subscription list: <outline text=category> → <outline text=site> → one rss outline per channel.

    Order: categories, then sites within a category, in the order they first appear in
    `sources`, and channels in the order given. That is config order, which is the order
    the user chose and the site shows; interleaved sources still group under one outline.

    Only sources whose (already resolved) URL is http(s) are listed: OPML 2.0 requires
    `xmlUrl` on `type="rss"` outlines, and a local file path or an unresolved `rsshub:`
    route means nothing on a subscriber's machine. A site or category left with no
    channel is omitted too.
    """
    tree: dict[str, dict[str, list[Source]]] = {}
    for source in sources:
        if _is_http(source.url):
            tree.setdefault(source.category, {}).setdefault(source.site, []).append(source)

    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = xml_text(title)
    etree.SubElement(head, "dateCreated").text = format_rfc822(created)
    etree.SubElement(head, "docs").text = OPML_DOCS
    body = etree.SubElement(opml, "body")
    for category, sites in tree.items():
        category_outline = etree.SubElement(body, "outline", text=xml_text(category))
        for site, channels in sites.items():
            site_outline = etree.SubElement(category_outline, "outline", text=xml_text(site))
            for source in channels:
                etree.SubElement(
                    site_outline,
                    "outline",
                    type="rss",
                    text=xml_text(source.channel),
                    title=xml_text(source.channel),
                    xmlUrl=xml_text(source.url),
                )
    return serialize_xml(opml)


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
