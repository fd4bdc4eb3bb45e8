"""Atom 1.0 for the lxml fast path: feed and entry fields exactly as feedparser's Atom handlers leave them."""

from __future__ import annotations

from typing import Any

from feedstation.parse import feedparser_rules as fp
from feedstation.parse.feedparser_rules import Unsupported, attributes, finish, leaf, leaf_tree, parse_date, tag_of

ATOM = "{http://www.w3.org/2005/Atom}"
_XML_ATTR = "{http://www.w3.org/XML/1998/namespace}"
_TEXT_TYPES = {"text/plain", "text/html", "application/xhtml+xml"}
_FEED_IGNORED = {ATOM + n for n in ("updated", "subtitle", "rights", "generator", "icon", "logo", "category")}
_PERSON_KEYS = {ATOM + "name": "name", ATOM + "email": "email", ATOM + "uri": "href"}
# Declaring one of these before Atom's would make feedparser guess another version (mixin.track_namespace).
_VERSION_NAMESPACES = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")


def read_atom(reader: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(feed fields, entry dicts) in the shape the feedparser adapter reads; `reader` gives bases and media."""
    if any(uri.lower() in _VERSION_NAMESPACES for uri in reader.root.nsmap.values()):
        raise Unsupported("namespace that changes feedparser's version guess")
    feed: dict[str, Any] = {}
    entries = []
    seen: set[str] = set()
    for child in reader.root:
        tag = tag_of(child)
        if tag is None:
            continue
        if tag == ATOM + "entry":
            entries.append(_entry(reader, child))
        elif tag == ATOM + "link":
            reader.atom_link(child, feed, None)
        elif tag in (ATOM + "title", ATOM + "id"):
            if tag in seen:
                raise Unsupported("repeated feed field")
            seen.add(tag)
            if tag == ATOM + "title":
                feed["title"] = _typed(child, "text/plain")[0]
            else:
                atom_id(reader, child, feed)
        elif tag in (ATOM + "author", ATOM + "contributor"):
            _person(reader, child)
        elif tag in _FEED_IGNORED:
            leaf_tree(child)
        else:
            raise Unsupported(f"feed element {tag}")
    return feed, entries


def _entry(reader: Any, entry: Any) -> dict[str, Any]:
    if any(not key.startswith(_XML_ATTR) for key in entry.attrib):
        raise Unsupported("entry attribute")
    e: dict[str, Any] = {}
    seen: set[str] = set()
    for child in entry:
        tag = tag_of(child)
        if tag is None:
            continue
        if tag == ATOM + "link":
            reader.atom_link(child, e, e)
            continue
        if tag in (ATOM + "category", ATOM + "rights"):
            leaf_tree(child)
            continue
        if tag == ATOM + "contributor":
            _person(reader, child)
            continue
        if not tag.startswith(ATOM):
            reader.media(child, e)
            continue
        name = tag[len(ATOM):]
        if name in seen:
            raise Unsupported(f"repeated entry field {name}")
        seen.add(name)
        if name == "title":
            e["title"], _ = _typed(child, "text/plain")
            e["title_detail"] = {"base": reader.base(child)}
        elif name == "id":
            atom_id(reader, child, e)
        elif name in ("published", "updated"):
            e[name + "_parsed"] = parse_date(finish(leaf(child)))
        elif name == "author":
            e["author"], e["author_detail"] = _person(reader, child)
        elif name == "summary":
            value, mime = _typed(child, "text/plain")
            e["summary"] = value
            e["summary_detail"] = {"type": mime, "base": reader.base(child)}
        elif name == "content":
            value, mime = _typed(child, "text/plain")
            e["content"] = [{"value": value, "type": mime, "base": reader.base(child)}]
            e.setdefault("summary", value)  # mixin._end_content: text, HTML and XHTML are all copied
        else:
            raise Unsupported(f"entry element {name}")
    return e


def atom_id(reader: Any, child: Any, context: dict[str, Any]) -> None:
    """An Atom <id> (or RSS <guid>): resolved and saved as the link when feedparser deems it a permalink."""
    permalink = attributes(child).get("ispermalink", "true") == "true"
    value = finish(leaf(child, ("ispermalink",)), reader.base(child), resolve=permalink)
    context["id"] = value
    if permalink:
        context.setdefault("link", value)  # mixin._end_guid saves a permalink id as the link


def _typed(el: Any, default: str) -> tuple[str, str]:
    """An Atom text construct's value and content type (mixin.push_content / pop)."""
    attrs = attributes(el) if el.attrib else {}
    if set(attrs) - {"type"}:
        raise Unsupported("attribute on a text construct")
    mime = fp.map_content_type(attrs.get("type", default))
    if mime not in _TEXT_TYPES:
        raise Unsupported("text construct feedparser would base64-decode")
    if mime == "application/xhtml+xml":
        return finish(fp.xhtml_value(el, atom10=True)), mime
    return finish(leaf(el, ("type",))), mime


def _person(reader: Any, el: Any) -> tuple[str, dict[str, str]]:
    """(author, detail) after mixin._sync_author_detail: "name (email)", name or email."""
    if (el.text or "").strip() or el.attrib and set(attributes(el)):
        raise Unsupported("text or attributes on an Atom person")
    detail: dict[str, str] = {}
    for part in el:
        if (part.tail or "").strip():
            raise Unsupported("text in an Atom person")
        tag = tag_of(part)
        if tag is None:
            continue
        key = _PERSON_KEYS.get(tag)
        if key is None or key in detail:
            raise Unsupported("unknown or repeated element in an Atom person")
        text = leaf(part)
        # name and email are pushed with expecting_text=0: stripped only, no other fix-ups.
        detail[key] = finish(text, reader.base(part), resolve=True) if key == "href" else text.strip()
    name, email = detail.get("name"), detail.get("email")
    return (f"{name} ({email})" if name and email else (name or email or "")), detail
