"""Phase one of the site build: every entry and section the site shows, computed before anything is rendered."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from feedstation.dedupe import duplicate_groups
from feedstation.models import FeedsOverview, SiteSettings, StoredEntry
from feedstation.normalize.dates import iso_text
from feedstation.normalize.html import force_attributes
from feedstation.publish.site import paths

EXCERPT_CHARS = 140
_SPACES = re.compile(r"\s+")
# Block ends become spaces so "<p>a.</p><p>B</p>" reads "a. B", while inline tags add
# nothing ("<code>zsh</code>." stays "zsh.") — Chinese text has no spaces to lose.
_BLOCK_END = re.compile(r"(</(?:p|div|li|h[1-6]|blockquote|pre|tr|td|th|dd|dt|figcaption)\s*>|<br\s*/?>)", re.I)
# The store's HTML is nh3 output that already carries loading/referrerpolicy; force_attributes
# sets the site's set once per image (issue 11: prefixing them gave every <img> both twice).
_LAZY_IMG = {"img": ' loading="lazy" decoding="async" referrerpolicy="no-referrer"'}
# An image the feed gave no `alt` gets `alt=""` (decorative): screen readers skip it instead of
# reading its URL. nh3 writes URLs encoded, so only a raw `>` in a value could hide a later alt.
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Item:
    """One entry with everything its card and page need, computed once."""

    entry: StoredEntry
    key: str
    path: str  # output path, e.g. item/3f/3f0a….html
    url: str  # root-relative, percent-encoded
    abs_url: str
    local: datetime  # published, in the site's time zone
    excerpt: str  # plain text; autoescape escapes it

    @property
    def content(self) -> str:
        """Sanitised HTML with lazy, no-referrer images; made when its page renders, so the
        context does not hold a second copy of every body. An image the feed gave no `alt`
        gets `alt=""` (decorative)."""
        html = force_attributes(self.entry.content or self.entry.summary, _LAZY_IMG)
        return _IMG_NO_ALT.sub('<img alt=""', html) if "<img" in html else html

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body: 400 CJK characters or 200 other words a minute, at least one.

        CJK characters are counted as UTF-8 takes them, three bytes each (cheap on 20k bodies;
        the few two-byte letters of other scripts count half): (bytes - chars) / 2.
        """
        text = _TAG.sub(" ", self.entry.content or self.entry.summary)
        wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2
        words = text.count(" ") - text.count("  ")  # roughly the spaces between words; CJK has none
        return max(1, round(wide / 400 + max(0, words) / 200))

    @property
    def iso(self) -> str:
        return self.local.isoformat()

    @property
    def month(self) -> tuple[int, int]:
        return (self.local.year, self.local.month)


@dataclass
class Section:
    """The home page (no names), a category, a site or a channel, with its items newest first."""

    names: tuple[str, ...]
    folder: str  # output folder, "" for home, else c/<slug>/…/
    url: str
    items: list[Item] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def trail(self) -> tuple[str, ...]:
        """Keys of this section and its ancestors below home, outermost first."""
        return tuple(self.names[:depth] for depth in range(1, len(self.names) + 1))


@dataclass
class SiteContext:
    """The whole site as data: settings, items, sections, months and channel neighbours."""

    settings: SiteSettings
    base: str  # URL path prefix of the site ("" at a domain root)
    items: list[Item]
    sections: dict[tuple[str, ...], Section]  # () is the home page
    months: dict[tuple[int, int], list[Item]]
    neighbours: dict[str, tuple[Item | None, Item | None]]  # key → (newer, older) in its channel
    # key → the other copies of its story (other feeds' items of the same story, earliest first; issue 17),
    # each with the label its "also from" link shows. Empty with `site.dedupe: false`.
    copies: dict[str, tuple[tuple[Item, str], ...]] = field(default_factory=dict)
    # Only for a site with no items: how the feeds stand and why they failed, so the empty home
    # page can say why it is empty instead of just "no items yet" (issue 12.4).
    empty_because: FeedsOverview | None = None
    icon_files: dict[str, str] = field(default_factory=dict)  # site name → output path of its stored icon
    # Entries the site cannot show, with the reason (issue 11): left out of every page and reported.
    left_out: tuple[tuple[StoredEntry, str], ...] = ()

    def section_of(self, names: tuple[str, ...]) -> Section:
        return self.sections[names]

    def copies_of(self, item: Item) -> tuple[tuple[Item, str], ...]:
        """The other copies of `item`'s story with their labels ("知乎", or "BBC News · World" when one site has two)."""
        return self.copies.get(item.key, ())


def build_context(entries: Sequence[StoredEntry], settings: SiteSettings,
                  overview: FeedsOverview | None = None) -> SiteContext:
    """Every item and section of the site, sorted newest first; a pure function of its inputs.

    `overview` (the feeds' state) is kept only when there are no items to show.
    """
    zone = ZoneInfo(settings.timezone)
    base = paths.base_path(settings.url)
    items: list[Item] = []
    left_out: list[tuple[StoredEntry, str]] = []
    seen: set[str] = set()
    for entry in entries:
        key = paths.item_key(entry.tree, entry.identity)
        if key in seen:  # the store's unique (feed, identity) makes this a bug upstream; never two pages
            continue
        seen.add(key)
        try:
            items.append(_make_item(entry, key, zone, base, settings.url))
        except (ValueError, OverflowError) as exc:
            # A value no page can show (a date beyond the calendar in the site's time zone) leaves this
            # entry out, not the site (issue 11); the reason is reported with the unreadable rows.
            left_out.append((entry, f"cannot be shown on the site: {exc}"))
    # Sort here, not by trusting input order: the same entries must give the same bytes.
    items.sort(key=lambda it: (it.entry.published, it.key), reverse=True)

    copies, shown_in = _story_copies(items) if settings.dedupe else ({}, {})

    slug_of: dict[str, str] = {}
    home = Section(names=(), folder="", url=paths.href(base, "index.html"))
    sections: dict[tuple[str, ...], Section] = {(): home}
    months: dict[tuple[int, int], list[Item]] = {}
    for item in items:
        # A story several feeds carry is listed once per section above the channel: by its earliest
        # copy in that section (home and archive: the earliest copy of all). Channels list every item.
        listed = shown_in.get(item.key)
        if listed is None or () in listed:
            home.items.append(item)
            months.setdefault(item.month, []).append(item)
        parent = home
        tree = item.entry.tree
        for depth in range(1, 4):
            names = tree[:depth]
            section = sections.get(names)
            if section is None:
                slugs = [slug_of.get(n) or slug_of.setdefault(n, paths.slugify(n)) for n in names]
                folder = paths.section_dir(slugs)
                section = Section(names=names, folder=folder, url=paths.href(base, folder + "index.html"))
                sections[names] = section
                parent.children.append(section)
            if listed is None or depth == 3 or names in listed:
                section.items.append(item)
            parent = section
    for section in sections.values():
        section.children.sort(key=lambda s: (-len(s.items), s.title))  # busiest first, then by name

    neighbours: dict[str, tuple[Item | None, Item | None]] = {}
    for names, section in sections.items():
        if len(names) == 3:
            listed = section.items
            for index, item in enumerate(listed):
                newer = listed[index - 1] if index > 0 else None
                older = listed[index + 1] if index + 1 < len(listed) else None
                neighbours[item.key] = (newer, older)
    return SiteContext(settings=settings, base=base, items=items, sections=sections, months=months,
                       neighbours=neighbours, empty_because=None if items else overview, copies=copies,
                       left_out=tuple(left_out))


def _story_copies(items: Sequence[Item]) -> tuple[dict[str, tuple[tuple[Item, str], ...]],
                                                  dict[str, frozenset[tuple[str, ...]]]]:
    """For each item that has copies: the other copies with their link labels, and the sections
    (home `()`, categories, sites) that list this item for its story; a section lists a story by its
    earliest copy there."""
    groups = duplicate_groups([item.entry for item in items])
    copies: dict[str, tuple[tuple[Item, str], ...]] = {}
    shown_in: dict[str, frozenset[tuple[str, ...]]] = {}
    for group in groups.groups:
        members = [items[index] for index in group]  # earliest first
        sites = [m.entry.site for m in members]
        labels = {m.key: m.entry.site if sites.count(m.entry.site) == 1 else f"{m.entry.site} · {m.entry.channel}"
                  for m in members}
        taken: dict[tuple[str, ...], str] = {}
        for member in members:
            tree = member.entry.tree
            for names in ((), tree[:1], tree[:2]):
                taken.setdefault(names, member.key)
        for member in members:
            copies[member.key] = tuple((other, labels[other.key]) for other in members if other is not member)
            shown_in[member.key] = frozenset(names for names, key in taken.items() if key == member.key)
    return copies, shown_in


def _make_item(entry: StoredEntry, key: str, zone: ZoneInfo, base: str, site_url: str) -> Item:
    path = paths.item_file(key)
    return Item(entry=entry, key=key, path=path, url=paths.href(base, path), abs_url=paths.absolute(site_url, path),
                local=local_time(entry.published, zone), excerpt=excerpt(entry.summary or entry.content))


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in `zone`; ValueError naming both when the wall time there would fall outside years 1–9999
    (9999-12-31T23:00Z is already year 10000 in Asia/Shanghai)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        raise ValueError(f"its date {iso_text(moment)} falls outside years 1–9999 "
                         f"in the time zone {zone.key}") from None


def excerpt(html: str, limit: int = EXCERPT_CHARS) -> str:
    """Plain text of an HTML fragment, whitespace collapsed, cut at `limit` characters with an ellipsis."""
    if not html:
        return ""
    if "<" in html or "&" in html:
        body = LexborHTMLParser(_BLOCK_END.sub(r"\1 ", html)).body
        text = body.text(separator="") if body is not None else ""
    else:
        text = html
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
