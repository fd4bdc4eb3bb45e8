"""Fast path for plain UTF-8 RSS 2.0 / RSS 1.0 / Atom 1.0: lxml reads exactly what the feedparser adapter would."""

# feedparser costs ~2.5 ms per 20-item feed, most of the fetch stage on two cores. This reads the
# same fields with lxml and hands them, shaped like feedparser's entries, to the adapter's own
# `_entry`, so the ParsedFeed is identical. Whatever it does not reproduce exactly (other
# encodings, a DOCTYPE, ill-formed XML, elements feedparser maps onto our fields in ways not
# copied here, repeated fields) returns None and the caller uses feedparser.
# tests/parse/test_fast_xml.py checks equality on every fixture and on feedparser's own corpus.

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from feedstation.models import ParsedFeed
from feedstation.parse import feedparser_rules as fp
from feedstation.parse.fast_atom import ATOM, atom_id, read_atom
from feedstation.parse.feedparser_rules import Unsupported, attributes, finish, leaf, leaf_tree, parse_date, tag_of
from feedstation.parse.xml_feed import _str, feed_from_dicts

__all__ = ["parse"]

RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = ("{http://search.yahoo.com/mrss/}", "{http://search.yahoo.com/mrss}")
SY = "{http://purl.org/rss/1.0/modules/syndication/}"
WFW = "{http://wellformedweb.org/CommentAPI/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
_RDF_ABOUT = RDF + "about"
_XML_ATTR = "{http://www.w3.org/XML/1998/namespace}"

_BOMLESS = re.compile(rb"^\s*<\?xml([^>]{0,200})\?>")
_PSEUDO_ATTR = re.compile(rb"""(version|encoding)\s*=\s*["']([^"']*)["']""")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._-]{1,40})")

# Elements whose feedparser handlers touch nothing the adapter reads (checked to be leaves).
_CHANNEL_IGNORED = {
    "description", "language", "copyright", "managingEditor", "webMaster", "pubDate", "lastBuildDate",
    "category", "generator", "docs", "cloud", "rating",
    SY + "updatePeriod", SY + "updateFrequency", SY + "updateBase",
}  # fmt: skip
_ITEM_IGNORED = {
    "category", "comments", "source", WFW + "commentRss", WFW + "comment", SLASH + "comments", DC + "subject",
}  # fmt: skip
_IMAGE_CHILDREN = {"title", "url", "link", "width", "height", "description"}
_RDF_CHANNEL_IGNORED = {RSS1 + "description", RSS1 + "image", RSS1 + "textinput"} | {
    DC + name for name in ("date", "language", "rights", "publisher", "creator", "subject")
} | {SY + "updatePeriod", SY + "updateFrequency", SY + "updateBase"}
_local = threading.local()


def parse(body: bytes, fmt: str, *, content_type: str | None = None) -> ParsedFeed | None:
    """The feed as the feedparser adapter would read it, or None when only feedparser should read it."""
    if not _plain_utf8(body, content_type):
        return None
    try:
        root = etree.fromstring(body, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.doctype:
        return None  # feedparser rewrites DOCTYPEs (and RSS 0.91's sets the version): not copied here
    try:
        return _Reader(body, root).read(fmt)
    except Unsupported:
        return None


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe; one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, recover=False, load_dtd=False
        )
    return parser


def _plain_utf8(body: bytes, content_type: str | None) -> bool:
    """True when feedparser, too, would read the body as UTF-8 with no encoding repair."""
    bom = body.startswith(b"\xef\xbb\xbf")
    head = body[3:300] if bom else body[:300]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        return False
    declaration = _BOMLESS.match(head)
    if declaration is None:
        if bom or not content_type:
            return True
        # xml_feed passes the HTTP charset to feedparser only when the document names none.
        charset = _CHARSET.search(content_type)
        return charset is None or charset.group(1).lower() in ("utf-8", "utf8")
    pseudo = dict(_PSEUDO_ATTR.findall(declaration.group(1)))
    return pseudo.get(b"version", b"1.0") == b"1.0" and pseudo.get(b"encoding", b"utf-8").lower() == b"utf-8"


class _Reader:
    def __init__(self, body: bytes, root: Any):
        self.root = root
        self.bases = fp.xml_bases(body, root)

    def base(self, el: Any) -> str:
        return self.bases[el] if self.bases else ""

    def read(self, fmt: str) -> ParsedFeed | None:
        tag = self.root.tag
        if fmt == "rss" and tag == "rss":
            feed, entries = self._rss_channel()
        elif fmt == "rdf" and tag == RDF + "RDF":
            feed, entries = self._rdf()
        elif fmt == "atom" and tag == ATOM + "feed":
            feed, entries = read_atom(self)
        else:
            return None
        if not entries and not _str(feed.get("title")) and not _str(feed.get("link")):
            return None  # an empty feed: whether it is a feed at all is feedparser's call
        return feed_from_dicts(fmt, feed, entries)

    # RSS 2.0 ---------------------------------------------------------------------------------

    def _rss_channel(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        children = [c for c in self.root if tag_of(c)]
        if len(children) != 1 or children[0].tag != "channel":
            raise Unsupported("rss without exactly one channel")
        channel = children[0]
        _cdf_attrs(channel)
        feed: dict[str, Any] = {}
        entries = []
        titles = 0
        for child in channel:
            tag = tag_of(child)
            if tag is None:
                continue
            if tag == "item":
                entries.append(self._item(child, ""))
            elif tag == "title":
                titles += 1
                feed["title"] = finish(leaf(child))
            elif tag == "link":
                feed["link"] = fp.feed_link(finish(leaf(child), self.base(child), resolve=True))
            elif tag == ATOM + "link":
                self.atom_link(child, feed, None)
            elif tag == "ttl":
                if child.attrib:
                    # No feedparser handler: with attributes it stores them instead of the text.
                    raise Unsupported("ttl with attributes")
                feed["ttl"] = finish(leaf(child))
            elif tag == "image":
                for part in child:
                    if tag_of(part) is not None and part.tag not in _IMAGE_CHILDREN:
                        raise Unsupported("unknown element in channel image")
                    leaf(part)
            elif tag in _CHANNEL_IGNORED:
                leaf_tree(child)
            else:
                raise Unsupported(f"channel element {tag}")
        if titles > 1:
            raise Unsupported("several channel titles")
        return feed, entries

    # RSS 1.0 ---------------------------------------------------------------------------------

    def _rdf(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        children = [c for c in self.root if tag_of(c)]
        if not children or children[0].tag != RSS1 + "channel":
            raise Unsupported("RDF whose first element is not the channel")
        channel = children[0]
        _cdf_attrs(channel)
        feed: dict[str, Any] = {}
        titles = 0
        for child in channel:
            tag = tag_of(child)
            if tag is None:
                continue
            if tag == RSS1 + "title":
                titles += 1
                feed["title"] = finish(leaf(child))
            elif tag == RSS1 + "link":
                feed["link"] = fp.feed_link(finish(leaf(child), self.base(child), resolve=True))
            elif tag == RSS1 + "items":
                _rdf_sequence(child)
            elif tag in _RDF_CHANNEL_IGNORED:
                leaf_tree(child)
            else:
                raise Unsupported(f"RDF channel element {tag}")
        if titles > 1:
            raise Unsupported("several channel titles")
        entries = []
        for child in children[1:]:
            if child.tag == RSS1 + "item":
                entries.append(self._item(child, RSS1))
            elif child.tag == RSS1 + "image":
                for part in child:
                    if tag_of(part) is not None and part.tag not in {RSS1 + n for n in ("title", "url", "link")}:
                        raise Unsupported("unknown element in RDF image")
                    leaf(part)
            else:
                raise Unsupported(f"RDF element {child.tag}")
        return feed, entries

    # RSS 2.0 and 1.0 items ----------------------------------------------------------------------

    def _item(self, item: Any, ns: str) -> dict[str, Any]:
        e: dict[str, Any] = {}
        for key, value in item.attrib.items():
            if key == _RDF_ABOUT and ns == RSS1:
                if value:
                    e["id"] = value  # feedparser keeps rdf:about as written (no base applied)
            elif not key.startswith(_XML_ATTR):
                raise Unsupported("item attribute")
        seen: set[str] = set()
        for child in item:
            tag = tag_of(child)
            if tag is None:
                continue
            name = tag[len(ns):] if ns and tag.startswith(ns) else tag
            field = _ITEM_FIELDS.get(name)
            if name == "enclosure":
                self._enclosure(child, e)
            elif name in _ITEM_IGNORED:
                leaf_tree(child)
            elif field is None:
                self.media(child, e)
            elif field in seen:
                raise Unsupported(f"repeated item field {field}")
            else:
                seen.add(field)
                self._item_field(field, child, e)
        return e

    def _item_field(self, field: str, child: Any, e: dict[str, Any]) -> None:
        if field == "title":
            e["title"] = finish(leaf(child))
            e["title_detail"] = {"base": self.base(child)}
        elif field == "link":
            e["link"] = fp.entry_link(finish(leaf(child), self.base(child), resolve=True))
        elif field == "id":
            atom_id(self, child, e)  # RSS <guid> and Atom <id> share feedparser's handler
        elif field == "summary":
            e["summary"] = finish(leaf(child))
            e["summary_detail"] = {"type": "text/html", "base": self.base(child)}
        elif field == "content":
            value = finish(leaf(child))
            e["content"] = [{"value": value, "type": "text/html", "base": self.base(child)}]
            e.setdefault("summary", value)  # mixin._end_content copies HTML content to summary
        elif field == "published":
            e["published_parsed"] = parse_date(finish(leaf(child)))
        elif field == "updated":
            e["updated_parsed"] = parse_date(finish(leaf(child)))
        elif field == "author":
            e["author"] = finish(leaf(child))

    def _enclosure(self, child: Any, e: dict[str, Any]) -> None:
        leaf_tree(child)
        attrs = attributes(child)
        href = attrs.get("url", attrs.get("uri", attrs.get("href")))  # mixin._enforce_href
        if href:
            enclosure = {"href": href, "type": attrs.get("type"), "length": attrs.get("length")}
            e.setdefault("enclosures", []).append(enclosure)

    def media(self, child: Any, e: dict[str, Any]) -> None:
        tag = child.tag
        for ns in MEDIA:
            if tag == ns + "thumbnail":
                attrs = attributes(child)
                if len(child) or ("url" not in attrs and (child.text or "").strip()):
                    raise Unsupported("media:thumbnail with content")
                e.setdefault("media_thumbnail", []).append(attrs)
                return
            if tag == ns + "content":
                leaf_tree(child)
                e.setdefault("media_content", []).append(attributes(child))
                return
            if tag == ns + "group":
                for part in child:
                    if tag_of(part) is not None:
                        if part.tag not in (ns + "thumbnail", ns + "content"):
                            raise Unsupported("media:group element")
                        self.media(part, e)
                return
        raise Unsupported(f"item element {tag}")

    def atom_link(self, child: Any, context: dict[str, Any], entry: dict[str, Any] | None) -> None:
        leaf_tree(child)
        attrs = attributes(child)
        if "href" not in attrs or "url" in attrs or "uri" in attrs:
            raise Unsupported("link without a plain href")
        rel = attrs.setdefault("rel", "alternate")
        mime = attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        href = fp.resolve(self.base(child), attrs["href"])
        if rel == "alternate" and fp.is_html_type(mime):
            context["link"] = href
        if rel == "enclosure" and entry is not None:
            entry.setdefault("enclosures", []).append({"href": href, "type": mime, "length": attrs.get("length")})


_ITEM_FIELDS = {
    "title": "title", "link": "link", "guid": "id", "description": "summary", CONTENT + "encoded": "content",
    "pubDate": "published", DC + "date": "updated", "author": "author", DC + "creator": "author",
}  # fmt: skip


def _cdf_attrs(el: Any) -> None:
    # mixin._cdf_common reads lastmod/href on channels and items.
    if any(key.lower() in ("lastmod", "href", "base") for key in el.attrib):
        raise Unsupported("CDF attribute")


def _rdf_sequence(items: Any) -> None:
    for seq in items:
        if tag_of(seq) is None:
            continue
        if seq.tag not in (RDF + "Seq", RDF + "Bag"):
            raise Unsupported("RDF items element")
        for li in seq:
            if tag_of(li) is not None and (li.tag != RDF + "li" or len(li)):
                raise Unsupported("RDF sequence element")
