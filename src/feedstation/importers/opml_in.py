"""OPML 1.0/2.0 subscription lists → feeds in the category → site → channel tree (pure: bytes in, feeds out).

How folders map (the README says the same):

- 0 folders: 其他 (or the `category` attribute's first path, e.g. `/Tech/News`) › feed title › feed title
- 1 folder:  folder › feed title › feed title
- 2 folders: outer › inner › feed title (the shape feedstation's own `sources.opml` has)
- 3+ folders: outermost › the others joined with " / " › feed title

When the list is grafted below a category or a site of the config (an OPML location where a
mapping was expected), the given levels come first and the list fills the rest.

A list whose bytes do not match its declared encoding (a GBK export labelled gb2312 or
utf-8, or one with no label at all) is read in the encoding its bytes fit, and says so.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

from lxml import etree

from feedstation.errors import ParseError
from feedstation.importers.model import ImportedFeed, ImportNote, TreeImport
from feedstation.importers.tree import place_feeds
from feedstation.normalize.text import has_visible_character
from feedstation.parse.xml_guard import refuse_declared_entities

DEFAULT_CATEGORY = "其他"  # RSSHub's own "other" category
_WEB_SCHEMES = ("http://", "https://")
_SCRAPED = re.compile(r"xpath|html", re.IGNORECASE)  # FreshRSS `type="HTML+XPath"`: a scraped page
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}?\?>")
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
# A label for a subset names the superset its bytes usually are (WHATWG decodes them so too).
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252", "us-ascii": "cp1252"}
_CJK = re.compile(r"[\u3400-\u9fff]")


def read_opml(body: bytes, name: str, *, from_web: bool, prefix: Sequence[str] = (),
              default_category: str = DEFAULT_CATEGORY) -> TreeImport:
    """Every feed outline of an OPML document, placed in the tree; problems are notes, never exceptions.

    `from_web`: the list came over the network, so `file:` locations in it are refused (a web
    page must not make feedstation read local files); `javascript:`, `data:` and other
    schemes are refused always. Duplicate locations keep the first; clashing names get `(2)`.
    """
    notes: list[ImportNote] = []
    root = _parse(body, name, notes)
    if root is None:
        return TreeImport((), tuple(notes))
    body_node = next((child for child in root if _local(child) == "body"), None)
    if body_node is None:
        notes.append(ImportNote(name, "malformed", "the OPML document has no <body>; nothing to import"))
        return TreeImport((), tuple(notes))
    found: list[ImportedFeed] = []
    _walk(body_node, (), name, from_web, tuple(prefix), default_category, found, notes)
    placed = place_feeds(found)
    return TreeImport(placed.feeds, tuple(notes) + placed.notes)


def _parse(body: bytes, name: str, notes: list[ImportNote]) -> etree._Element | None:
    if not body.strip():
        notes.append(ImportNote(name, "malformed", "the file is empty; nothing to import"))
        return None
    try:
        refuse_declared_entities(body)
    except ParseError as exc:
        notes.append(ImportNote(name, "malformed", f"{exc}; nothing imported"))
        return None
    strict = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, strict)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        reread = _reencoded(body)
        if reread is not None:
            body, codec, declared = reread  # if still not well-formed, the lenient reading gets the names right
            notes.append(ImportNote(name, "read-as", f"its bytes are not in the encoding it declares ({declared}); "
                                                     f"read as {codec}, check the names"))
            try:
                return _opml_root(etree.fromstring(body, strict), name, notes)
            except etree.XMLSyntaxError as again:
                exc, line = again, again.lineno or 1
        loose = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
        try:
            root = etree.fromstring(body, loose)
        except etree.XMLSyntaxError:
            root = None
        if root is None or _local(root) != "opml":
            notes.append(ImportNote(f"{name}:{line}", "malformed", f"not well-formed XML ({exc.msg}); nothing imported"))
            return None
        notes.append(ImportNote(f"{name}:{line}", "malformed",
                                f"not well-formed XML ({exc.msg}); read leniently, check the feeds below"))
    return _opml_root(root, name, notes)


def _opml_root(root: etree._Element, name: str, notes: list[ImportNote]) -> etree._Element | None:
    if _local(root) != "opml":
        notes.append(ImportNote(name, "malformed", f"the root element is <{_local(root)}>, not <opml>; nothing imported"))
        return None
    return root


def _walk(node, folders: tuple[str, ...], name: str, from_web: bool, prefix: tuple[str, ...],
          default_category: str, found: list[ImportedFeed], notes: list[ImportNote]) -> None:
    for outline in node:
        if _local(outline) != "outline":
            continue
        attrs = {str(k).rsplit("}", 1)[-1].lower(): (v or "").strip() for k, v in outline.attrib.items()}
        label = next((" ".join(attrs[a].split()) for a in ("title", "text") if has_visible_character(attrs.get(a, ""))),
                     "")
        origin = f"{name}:{outline.sourceline or 0}"
        children = [c for c in outline if _local(c) == "outline"]
        if attrs.get("xmlurl"):
            _add_feed(attrs, label, origin, folders, from_web, prefix, default_category, found, notes)
        elif not children:
            notes.append(ImportNote(origin, "no-xmlurl", f"outline {label or '(untitled)'!r} has no xmlUrl, "
                                                         "so it is not a feed; skipped"))
        if children:
            # A folder; or a feed that also holds outlines (some readers nest so): they are a folder of it.
            folder = label or (_host(attrs["xmlurl"]) if attrs.get("xmlurl") else "(untitled folder)")
            _walk(outline, folders + (folder,), name, from_web, prefix, default_category, found, notes)


def _add_feed(attrs: dict[str, str], label: str, origin: str, folders: tuple[str, ...], from_web: bool,
              prefix: tuple[str, ...], default_category: str, found: list[ImportedFeed], notes: list[ImportNote]) -> None:
    if _SCRAPED.search(attrs.get("type", "")):
        notes.append(ImportNote(origin, "refused", f"outline {label!r} is a {attrs['type']} web-scraping "
                                                   "subscription (FreshRSS), not a feed; skipped"))
        return
    url, refusal = _location(attrs["xmlurl"], from_web)
    if url is None:
        notes.append(ImportNote(origin, "refused", f"outline {label!r}: {refusal}; skipped"))
        return
    title = label or _host(url)
    own_folders = folders or _category_folders(attrs.get("category", ""))
    tree = _place(prefix, own_folders, title, default_category)
    found.append(ImportedFeed(tree[0], tree[1], tree[2], url, origin))


def _place(prefix: tuple[str, ...], folders: tuple[str, ...], title: str, default_category: str) -> tuple[str, str, str]:
    if len(prefix) >= 2:
        return (prefix[0], prefix[1], title)
    if len(prefix) == 1:
        return (prefix[0], " / ".join(folders) if folders else title, title)
    if not folders:
        return (default_category, title, title)
    if len(folders) == 1:
        return (folders[0], title, title)
    return (folders[0], " / ".join(folders[1:]), title)


def _category_folders(attribute: str) -> tuple[str, ...]:
    """OPML 2.0 `category="/Tech/News,/Other"`: the first slash-delimited path, as folders."""
    first = attribute.split(",")[0]
    return tuple(part.strip() for part in first.split("/") if part.strip())


def _location(raw: str, from_web: bool) -> tuple[str | None, str]:
    value = raw.strip()
    if value.lower().startswith("feed://"):  # some readers export the feed: pseudo-scheme
        value = "http://" + value[len("feed://"):]
    if value.lower().startswith(_WEB_SCHEMES):
        return (value, "") if re.match(r"^https?://[^/\s]+", value, re.IGNORECASE) else (None, f"{raw!r} has no host")
    if value.startswith("rsshub:/"):
        return value, ""
    scheme = _SCHEME.match(value)
    is_file = (scheme is not None and scheme.group(1).lower() == "file") or value.startswith("/")
    if is_file:
        if from_web:
            return None, f"refused the local location {raw!r} in an OPML list from the web"
        return value, ""
    kind = scheme.group(1).lower() if scheme else "no"
    return None, f"refused {raw[:80]!r}: {kind} scheme; only http(s) feeds can be subscribed"


def _reencoded(body: bytes) -> tuple[bytes, str, str] | None:
    """(UTF-8 bytes, codec read with, what the document declared) when its bytes fit another encoding
    than the declared one (else UTF-8); None when they fit that one, so the fault lies elsewhere.

    GB18030 is tried before the single-byte fallbacks and kept only when it yields CJK text:
    a strict GB18030 decode rarely succeeds on other text, so success is good evidence.
    """
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # a BOM settles the encoding
    match = _DECLARED_ENCODING.match(body)
    declared = match.group(1).decode("ascii").lower() if match else None
    as_declared = _codec(declared or "utf-8")
    for label in dict.fromkeys([_SUPERSET.get(declared or "", declared), "utf-8", "gb18030", "cp1252", "latin-1"]):
        codec = _codec(label)
        if codec is None:
            continue
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "gb18030" and not _CJK.search(text):
            continue
        if codec == as_declared:
            return None
        utf8 = _DECLARATION.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1).encode("utf-8")
        return utf8, codec, declared or "no encoding, so UTF-8"
    return None


def _codec(label: str | None) -> str | None:
    try:
        return codecs.lookup(label).name if label else None
    except LookupError:
        return None


def _host(url: str) -> str:
    match = re.match(r"^[a-z]+://([^/:?#]+)", url, re.IGNORECASE)
    return match.group(1) if match else url


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
