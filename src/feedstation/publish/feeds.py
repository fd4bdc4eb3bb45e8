"""Our own output feeds (Atom 1.0, RSS 2.0, JSON Feed 1.1): pure functions, entries in, bytes out.

Two kinds of feed, chosen by the caller:

- **Full content** (the default; the site uses it for `/atom.xml`, `/rss.xml`,
  `/feed.json`): every entry carries its whole sanitised HTML, so one subscription
  reads everything offline.
- **Excerpt** (`excerpts=` given; the site uses it for every category, site and channel
  feed): every entry carries a short plain-text excerpt and a link to its page on our
  site, the way many aggregators and blogs publish section feeds. At 20k items the
  1,221 section feeds × 3 formats × 50 entries held ≈680 MB of repeated bodies; a
  reader who wants the whole text follows the link or subscribes to the site feed.
  The excerpt is escaped inside a small HTML fragment with the link (Atom `summary
  type="html"`, RSS `description`, JSON Feed `content_html`); JSON Feed's `summary`
  also has it as plain text.
"""

from __future__ import annotations

import functools
import html
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import quote

from lxml import etree

from feedstation.models import SiteSettings, StoredEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "feedstation"

# Entry ids are UUIDv5 in this fixed namespace: they depend on nothing but the entry's
# place in the tree and its identity, so they survive rebuilds, a new site URL and a
# change of output format (RFC 4287 §4.2.6: an id must never change).
_ENTRY_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/feedstation/feedstation#entry-id")

# XML 1.0 §2.2 Char: everything else (C0 controls but TAB/LF/CR, lone surrogates,
# U+FFFE/U+FFFF) makes the document ill-formed, and lxml refuses it outright.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# RFC 3986 reserved + unreserved characters and '%': an already valid URL is left alone,
# only characters that must be escaped (non-ASCII, spaces, quotes, ...) are.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"

# A section's feeds list each of its newest items in three formats, and an item is in up to three sections'
# feeds: the per-item parts below (id, dates, tags, excerpt) are worked out once for the last this many.
_REPEATS = 1024

# The link under an excerpt, by the feed's language (zh-* → zh), English otherwise.
_READ_MORE = {"zh": "阅读全文", "en": "Read more"}
# Before the links to the other copies of a story (issue 17), by the feed's language.
_ALSO_FROM = {"zh": "另见：", "en": "Also from: "}


@dataclass(frozen=True)
class FeedInfo:
    """Feed-level facts for one output feed file (one FeedInfo per format: `feed_url` differs)."""

    title: str  # e.g. "小冰 RSSHub · 社交媒体 › 知乎"
    site_url: str  # absolute URL of the HTML page this feed mirrors
    feed_url: str  # absolute URL of THIS feed file (Atom rel=self / JSON feed_url)
    language: str = "zh-CN"
    description: str = ""


def xml_text(value: str | None) -> str:
    """`value` with every character illegal in XML 1.0 removed ("" for None); used for JSON too."""
    return _NOT_XML_CHAR.sub("", value or "")


@functools.lru_cache(maxsize=_REPEATS)
def format_rfc3339(value: datetime) -> str:
    """`2024-05-01T08:30:00Z`: RFC 3339 / W3C datetime in UTC, whole seconds."""
    # isoformat, not strftime: strftime("%Y") does not zero-pad years before 1000 on glibc.
    return _utc(value).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@functools.lru_cache(maxsize=_REPEATS)
def format_rfc822(value: datetime) -> str:
    """`Wed, 01 May 2024 08:30:00 GMT`: RFC 822 (as RFC 2822 spells it), English names whatever the locale."""
    return format_datetime(_utc(value).replace(microsecond=0), usegmt=True)


def escape_url(url: str) -> str:
    """`url` with characters that RFC 3986 does not allow percent-encoded (existing escapes kept)."""
    return quote(xml_text(url), safe=_URL_SAFE)


def serialize_xml(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, indented; lxml escapes text, so `]]>` cannot end anything."""
    etree.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="utf-8", pretty_print=True)


def item_url(site: SiteSettings, entry_path: str) -> str:
    """Absolute URL of an item page on our site: `site.url` + '/' + `entry_path` (percent-encoded)."""
    return site.url.rstrip("/") + "/" + escape_url(entry_path.lstrip("/"))


def entry_id(entry: StoredEntry) -> str:
    """The entry's permanent id in every output format: `urn:uuid:` from its tree and identity."""
    return _entry_id(entry.category, entry.site, entry.channel, entry.identity)


@functools.lru_cache(maxsize=_REPEATS)
def _entry_id(category: str, site: str, channel: str, identity: str) -> str:
    name = "\x1f".join((category, site, channel, identity))
    return f"urn:uuid:{uuid.uuid5(_ENTRY_ID_NAMESPACE, name)}"


@functools.lru_cache(maxsize=_REPEATS)
def excerpt_html(text: str, page_url: str, language: str) -> str:
    """A plain-text excerpt as an HTML fragment, followed by a link to the entry's page on our site."""
    label = _READ_MORE["zh" if language.lower().startswith("zh") else "en"]
    link = f'<p><a href="{html.escape(escape_url(page_url))}">{label}</a></p>'
    return f"<p>{html.escape(xml_text(text), quote=False)}</p>{link}" if text else link


def also_from_html(copies: Sequence[tuple[str, str]], language: str) -> str:
    """"Also from: 知乎 · 36氪" as an HTML paragraph linking each (label, absolute URL) copy; "" for none."""
    if not copies:
        return ""
    word = _ALSO_FROM["zh" if language.lower().startswith("zh") else "en"]
    links = " · ".join(f'<a href="{html.escape(escape_url(url))}">{html.escape(xml_text(label), quote=False)}</a>'
                       for label, url in copies)
    return f"<p>{word}{links}</p>"


def _noted(body: str, notes: Sequence[str] | None, index: int) -> str:
    return body + notes[index] if notes is not None else body


def render_atom(info: FeedInfo, entries: Sequence[tuple[StoredEntry, str]], *, updated: datetime,
                excerpts: Sequence[str] | None = None, notes: Sequence[str] | None = None) -> bytes:
    """An Atom 1.0 (RFC 4287) document; `entries` are (entry, URL of its page on our site), in output order.

    Each entry links rel="alternate" to the original article (our page when there is none)
    and rel="related" to our page. Content is `type="html"` (escaped, never CDATA). With
    `excerpts` (plain text, one per entry) an entry has a `summary` (the excerpt and a
    link to our page) and no `content`: its alternate link satisfies RFC 4287 §4.1.1.
    `notes` (HTML, one per entry, "" for none) follow the content or excerpt: the site's
    "also from" links (`also_from_html`).
    """
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "media": MEDIA_NS})
    feed.set(f"{{{XML_NS}}}lang", xml_text(info.language))
    _sub(feed, "id", info.feed_url)
    _sub(feed, "title", info.title, type="text")
    if info.description:
        _sub(feed, "subtitle", info.description, type="text")
    _sub(feed, "updated", format_rfc3339(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=info.feed_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=info.site_url)
    # RFC 4287 §4.1.1: a feed needs an author unless every entry has one; the feed
    # itself is the honest fallback for entries whose source named nobody.
    _sub(_sub(feed, "author"), "name", info.title)
    _sub(feed, "generator", GENERATOR)
    for index, (entry, page_url) in enumerate(entries):
        item = _sub(feed, "entry")
        _sub(item, "id", entry_id(entry))
        _sub(item, "title", entry.title, type="text")
        _sub(item, "link", rel="alternate", type="text/html", href=entry.link or page_url)
        if entry.link and entry.link != page_url:
            _sub(item, "link", rel="related", type="text/html", href=page_url)
        _sub(item, "published", format_rfc3339(entry.published))
        _sub(item, "updated", format_rfc3339(entry.updated or entry.published))
        if entry.author:
            _sub(_sub(item, "author"), "name", entry.author)
        for term in _categories(entry):
            _sub(item, "category", term=term)
        if excerpts is not None:
            _sub(item, "summary", _noted(excerpt_html(excerpts[index], page_url, info.language), notes, index),
                 type="html")
        elif entry.summary and entry.summary != entry.content:
            _sub(item, "summary", entry.summary, type="html")
        body = "" if excerpts is not None else _noted(entry.content or entry.summary, notes, index)
        if body:
            _sub(item, "content", body, type="html")
        for enclosure in entry.enclosures:  # RFC 4287 §4.2.7.2
            attrs = {"type": enclosure.type} if enclosure.type else {}
            if enclosure.length:
                attrs["length"] = str(enclosure.length)
            _sub(item, "link", rel="enclosure", href=enclosure.url, **attrs)
        if entry.image:
            _sub(item, f"{{{MEDIA_NS}}}thumbnail", url=entry.image)
    return serialize_xml(feed)


def render_rss(info: FeedInfo, entries: Sequence[tuple[StoredEntry, str]], *, updated: datetime,
               excerpts: Sequence[str] | None = None, notes: Sequence[str] | None = None) -> bytes:
    """An RSS 2.0 document; `entries` are (entry, URL of its page on our site), in output order.

    <description> carries the summary (else the content) and content:encoded the full
    content, both as escaped HTML; with `excerpts` (plain text, one per entry),
    <description> carries the excerpt and a link to our page, and there is no
    content:encoded. The author goes in dc:creator because RSS <author> must be an
    e-mail address. `updated` is the channel's lastBuildDate. `notes` (HTML, one per entry)
    follow the fullest text written (content:encoded, else the description).
    """
    rss = etree.Element(
        "rss",
        nsmap={"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS, "media": MEDIA_NS},
        version="2.0",
    )
    channel = etree.SubElement(rss, "channel")
    _plain(channel, "title", info.title)
    _plain(channel, "link", info.site_url)
    # <description> is required (RSS 2.0 "Required channel elements"); fall back to the title.
    _plain(channel, "description", info.description or info.title)
    _plain(channel, "language", info.language)
    _plain(channel, "lastBuildDate", format_rfc822(updated))
    _plain(channel, "generator", GENERATOR)
    # RSS Advisory Board best practice: identify the feed's own URL with atom:link rel="self".
    _sub(channel, "link", rel="self", type="application/rss+xml", href=info.feed_url)
    for index, (entry, page_url) in enumerate(entries):
        item = etree.SubElement(channel, "item")
        _plain(item, "title", entry.title)
        _plain(item, "link", entry.link or page_url)
        _plain(item, "guid", entry_id(entry)).set("isPermaLink", "false")
        _plain(item, "pubDate", format_rfc822(entry.published))
        if entry.author:
            _plain(item, f"{{{DC_NS}}}creator", entry.author)
        for term in _categories(entry):
            _plain(item, "category", term)
        if excerpts is not None:
            _plain(item, "description", _noted(excerpt_html(excerpts[index], page_url, info.language), notes, index))
        elif entry.content:
            _plain(item, "description", entry.summary or entry.content)
        else:
            _plain(item, "description", _noted(entry.summary, notes, index))
        if excerpts is None and entry.content:
            _plain(item, f"{{{CONTENT_NS}}}encoded", _noted(entry.content, notes, index))
        if entry.enclosures:
            # RSS 2.0 <enclosure> has three required attributes; the RSS Advisory Board's profile
            # says one per item, so the first is written (Atom and JSON Feed carry them all).
            first = entry.enclosures[0]
            etree.SubElement(item, "enclosure", url=xml_text(first.url), length=str(first.length or 0),
                             type=xml_text(first.type or "application/octet-stream"))
        if entry.image:
            etree.SubElement(item, f"{{{MEDIA_NS}}}thumbnail", url=xml_text(entry.image))
    return serialize_xml(rss)


def render_json_feed(info: FeedInfo, entries: Sequence[tuple[StoredEntry, str]], *, updated: datetime,
                     excerpts: Sequence[str] | None = None, notes: Sequence[str] | None = None) -> bytes:
    """A JSON Feed 1.1 document; `entries` are (entry, URL of its page on our site), in output order.

    `url` is the original article (our page when there is none), as the item link is in
    Atom and RSS. With `excerpts` (plain text, one per entry) an item has `summary` (the
    excerpt) and a `content_html` of the excerpt and a link to our page instead of the
    full content. JSON Feed 1.1 has no feed-level date, so `updated` is accepted only to
    keep the three renderers interchangeable; it is not written. The output is compact
    (no indentation): feeds are read by programs, and indenting cost time and bytes.
    `notes` (HTML, one per entry) follow `content_html`.
    """
    del updated  # see docstring
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": xml_text(info.title),
        "home_page_url": xml_text(info.site_url),
        "feed_url": xml_text(info.feed_url),
    }
    if info.description:
        document["description"] = xml_text(info.description)
    document["language"] = xml_text(info.language)
    items = []
    for index, (entry, page_url) in enumerate(entries):
        item: dict[str, object] = {
            "id": entry_id(entry),
            "url": xml_text(entry.link or page_url),
            "title": xml_text(entry.title),
        }
        if excerpts is not None:
            item["summary"] = xml_text(excerpts[index])
            item["content_html"] = _noted(excerpt_html(excerpts[index], page_url, info.language), notes, index)
        else:
            item["content_html"] = xml_text(_noted(entry.content or entry.summary, notes, index))
        if entry.image:
            item["image"] = xml_text(entry.image)
        if entry.enclosures:
            item["attachments"] = [_attachment(e) for e in entry.enclosures]
        item["date_published"] = format_rfc3339(entry.published)
        if entry.updated:
            item["date_modified"] = format_rfc3339(entry.updated)
        if entry.author:
            item["authors"] = [{"name": xml_text(entry.author)}]
        item["tags"] = _categories(entry)
        items.append(item)
    document["items"] = items
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _attachment(enclosure) -> dict[str, object]:
    """JSON Feed 1.1 attachment: `url` and `mime_type` are required, `size_in_bytes` optional."""
    out: dict[str, object] = {"url": xml_text(enclosure.url),
                              "mime_type": xml_text(enclosure.type or "application/octet-stream")}
    if enclosure.length:
        out["size_in_bytes"] = enclosure.length
    return out


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # Inside feedstation every datetime is aware UTC; a naive one is a bug upstream.
        raise ValueError(f"naive datetime {value.isoformat()} given to a feed renderer: datetimes must be aware UTC")
    return value.astimezone(timezone.utc)


def _categories(entry: StoredEntry) -> list[str]:
    """Category, site and channel as tags: cleaned, empty ones and repeats dropped, order kept."""
    return list(_tree_terms(entry.tree))


@functools.lru_cache(maxsize=_REPEATS)
def _tree_terms(tree: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in map(xml_text, tree) if term.strip()))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """An Atom-namespace child (unless `tag` is already `{ns}name`) with cleaned text and attributes."""
    name = tag if tag.startswith("{") else f"{{{ATOM_NS}}}{tag}"
    child = etree.SubElement(parent, name, {key: xml_text(value) for key, value in attrs.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def _plain(parent: etree._Element, tag: str, text: str | None) -> etree._Element:
    """A child in no namespace (or `{ns}name`) with cleaned text: RSS 2.0's own elements."""
    child = etree.SubElement(parent, tag)
    child.text = xml_text(text)
    return child
