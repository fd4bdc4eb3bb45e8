"""Bytes → ParsedFeed: the format is sniffed from the bytes, then one adapter per format reads it."""

from __future__ import annotations

import logging

from feedstation.errors import ParseError
from feedstation.models import ParsedFeed
from feedstation.parse.sniff import describe_start, detect_format
from feedstation.parse.xml_guard import refuse_declared_entities

# The parsers themselves (lxml, feedparser) are imported by the first parse_feed call: the fetcher
# imports `parse.sniff` from this package, and a run where every feed answers 304 parses nothing.

__all__ = ["parse_feed"]

log = logging.getLogger(__name__)


def parse_feed(body: bytes, *, url: str | None = None, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched body into a ParsedFeed, or raise ParseError with a one-line reason.

    The format comes from the bytes, never from `content_type` (servers send RSS as text/html and
    HTML error pages as application/rss+xml); the header is only a charset hint for XML that
    declares none. `url` is used in messages only: relative URLs are resolved in normalise.
    """
    where = f" ({url})" if url else ""
    if not body or not body.strip():
        raise ParseError(f"empty body{where}: the server returned no content")
    fmt = detect_format(body)
    if fmt != "json":
        # Before anything else reads the XML, so a huge internal subset cannot hide behind
        # "unknown format" or reach feedparser's entity expansion.
        refuse_declared_entities(body)
    log.debug("detected %s%s", fmt, where)
    if fmt == "json":
        from feedstation.parse.json_feed import parse_json_feed

        return parse_json_feed(body)
    if fmt in ("rss", "atom", "rdf"):
        from feedstation.parse import fast_xml
        from feedstation.parse.xml_feed import parse_xml_feed

        # lxml first (~10x cheaper); it returns None for anything it cannot read exactly as the
        # feedparser adapter would, and feedparser reads those.
        fast = fast_xml.parse(body, fmt, content_type=content_type)
        return fast if fast is not None else parse_xml_feed(body, fmt, content_type=content_type)
    if fmt == "opml":
        raise ParseError(f"got an OPML list of feeds, not one feed{where}: give its location in place of a site "
                         "(`Site: URL`), of a category, or as `sources: URL`")
    if fmt == "html":
        raise ParseError(f"got an HTML page, not a feed{where}: check the URL or the RSSHub route")
    if fmt == "xml":
        # A root the sniffer does not know (RSS 1.1 <Channel>, a standalone Atom <entry>, ...):
        # feedparser reads more than the sniffer knows, so it gets the last word.
        return _parse_other_xml(body, where, content_type)
    raise ParseError(f"unknown format{where}: the body is neither RSS, Atom, RDF nor JSON Feed "
                     f"({describe_start(body)})")


def _parse_other_xml(body: bytes, where: str, content_type: str | None) -> ParsedFeed:
    from feedstation.parse.xml_feed import parse_xml_feed

    refusal = (f"not RSS, Atom or JSON Feed{where}: {describe_start(body)}, and feedparser found no feed "
               "items in it")
    try:
        feed = parse_xml_feed(body, None, content_type=content_type)
    except ParseError as exc:
        raise ParseError(f"{refusal} ({exc})") from None
    if not feed.entries:
        # Any XML has some title-like element; without items an unknown root is not taken for a feed.
        raise ParseError(refusal)
    return feed
