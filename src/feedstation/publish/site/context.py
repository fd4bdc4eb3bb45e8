"""Phase one of the site build: every entry and section the site shows, computed before anything is rendered.

The context holds cards (entries without their bodies); a body is read only while its own page renders.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from feedstation.models import Card, FeedsOverview, SiteSettings, StoredEntry
from feedstation.normalize.dates import iso_text
from feedstation.normalize.html import force_attributes
from feedstation.publish.site import paths
from feedstation.publish.site.data import SiteData, site_data

# The store's HTML is nh3 output that already carries loading/referrerpolicy; force_attributes
# sets the site's set once per image (issue 11: prefixing them gave every <img> both twice).
_LAZY_IMG = {"img": ' loading="lazy" decoding="async" referrerpolicy="no-referrer"'}
# An image the feed gave no `alt` gets `alt=""` (decorative): screen readers skip it instead of
# reading its URL. nh3 writes URLs encoded, so only a raw `>` in a value could hide a later alt.
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# nh3 writes every URL attribute (href, src, poster) double-quoted; see own_urls_root_relative.
_URL_ATTRIBUTE = r'(\s(?:href|src|poster)=")'


@dataclass(frozen=True)
class _ItemUrls:
    """The URL prefixes every item page shares (item paths are hex and ASCII: nothing in them to escape)."""

    base: str
    site_url: str

    @functools.cached_property
    def relative(self) -> str:
        return paths.href(self.base, "")

    @functools.cached_property
    def absolute(self) -> str:
        return paths.absolute(self.site_url, "")

    @functools.cached_property
    def origin(self) -> str:
        return paths.origin(self.site_url)


@dataclass(frozen=True, slots=True)
class Item:
    """One entry with everything its card and page need; `body` only on the copy its own page renders from.

    One per stored item is held for the whole build, so its URLs are worked out when asked for, from the
    prefixes every item shares, rather than kept (three strings per item).
    """

    entry: Card
    key: str
    local: datetime  # published, in the site's time zone
    where: _ItemUrls
    body: StoredEntry | None = None  # the entry with its body: set on the copy its own page renders from

    @property
    def path(self) -> str:
        """The output path, e.g. item/3f/3f0a….html."""
        return paths.item_file(self.key)

    @property
    def url(self) -> str:
        """Root-relative, percent-encoded."""
        return self.where.relative + paths.item_file(self.key)

    @property
    def abs_url(self) -> str:
        return self.where.absolute + paths.item_file(self.key)

    @property
    def own_origin(self) -> str:
        """scheme://host[:port] of site.url: URLs into the site itself are shown root-relative."""
        return self.where.origin

    @property
    def excerpt(self) -> str:
        """Plain text; autoescape escapes it."""
        return self.entry.excerpt

    @property
    def content(self) -> str:
        """The body as the item page shows it (`page_html`); the excerpt when the body could not be read."""
        if self.body is None:
            return f"<p>{escape(self.entry.excerpt)}</p>"
        return page_html(self.body, self.own_origin)

    @property
    def thumb(self) -> str | None:
        """The card's picture: the item's image, root-relative when it is one of the site's own files."""
        return paths.root_relative(self.entry.image, self.own_origin) if self.entry.image else None

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.body) if self.body is not None else 1

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
    left_out: tuple[tuple[Card, str], ...] = ()

    def section_of(self, names: tuple[str, ...]) -> Section:
        return self.sections[names]

    def copies_of(self, item: Item) -> tuple[tuple[Item, str], ...]:
        """The other copies of `item`'s story with their labels ("知乎", or "BBC News · World" when one site has two)."""
        return self.copies.get(item.key, ())


def page_html(entry: StoredEntry, own_origin: str = "") -> str:
    """Sanitised HTML with lazy, no-referrer images, made when the item's page renders. An image the
    feed gave no `alt` gets `alt=""` (decorative). Links and pictures into the site itself (`own_origin`)
    are root-relative."""
    html = force_attributes(entry.content or entry.summary, _LAZY_IMG)
    html = own_urls_root_relative(html, own_origin)
    return _IMG_NO_ALT.sub('<img alt=""', html) if "<img" in html else html


def reading_minutes(entry: StoredEntry) -> int:
    """Minutes to read the body: 400 CJK characters or 200 other words a minute, at least one.

    CJK characters are counted as UTF-8 takes them, three bytes each (cheap on 20k bodies;
    the few two-byte letters of other scripts count half): (bytes - chars) / 2.
    """
    text = _TAG.sub(" ", entry.content or entry.summary)
    wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2
    words = text.count(" ") - text.count("  ")  # roughly the spaces between words; CJK has none
    return max(1, round(wide / 400 + max(0, words) / 200))


def build_context(source: SiteData | Sequence[StoredEntry], settings: SiteSettings,
                  overview: FeedsOverview | None = None, order: Sequence[tuple[str, str, str]] = ()) -> SiteContext:
    """Every item and section of the site, sorted newest first; a pure function of its inputs.

    `overview` (the feeds' state) is kept only when there are no items to show. `order` is the tree in
    the config's order (the sources'): categories, sites and channels are listed in it, so the nav of a
    page never changes because another section got more items (issue 19: old pages never change).
    Sections not in `order` follow, by name.
    """
    data = site_data(source)
    zone = ZoneInfo(settings.timezone)
    base = paths.base_path(settings.url)
    where = _ItemUrls(base, settings.url)
    items: list[Item] = []
    left_out: list[tuple[Card, str]] = []
    seen: set[str] = set()
    for card in data.cards():
        key = paths.item_key(card.tree, card.identity)
        if key in seen:  # the store's unique (feed, identity) makes this a bug upstream; never two pages
            continue
        seen.add(key)
        try:
            items.append(_make_item(card, key, zone, where))
        except (ValueError, OverflowError) as exc:
            # A value no page can show (a date beyond the calendar in the site's time zone) leaves this
            # entry out, not the site (issue 11); the reason is reported with the unreadable rows.
            left_out.append((card, f"cannot be shown on the site: {exc}"))
    # Sort here, not by trusting input order: the same entries must give the same bytes.
    items.sort(key=lambda it: (it.entry.published, it.key), reverse=True)

    copies, shown_in = _story_copies(items, data) if settings.dedupe else ({}, {})

    slug_of: dict[str, str] = {}
    home = Section(names=(), folder="", url=paths.href(base, "index.html"))
    sections: dict[tuple[str, ...], Section] = {(): home}
    months: dict[tuple[int, int], list[Item]] = {}
    chains: dict[tuple[str, str, str], tuple[Section, Section, Section]] = {}  # tree → its category, site, channel

    def chain_of(tree: tuple[str, str, str]) -> tuple[Section, Section, Section]:
        """The sections of a tree, made (and added to their parents) when the first item of it is met."""
        parent, chain = home, []
        for depth in range(1, 4):
            names = tree[:depth]
            section = sections.get(names)
            if section is None:
                slugs = [slug_of.get(n) or slug_of.setdefault(n, paths.slugify(n)) for n in names]
                folder = paths.section_dir(slugs)
                section = Section(names=names, folder=folder, url=paths.href(base, folder + "index.html"))
                sections[names] = section
                parent.children.append(section)
            chain.append(section)
            parent = section
        chains[tree] = category, site, channel = chain
        return category, site, channel

    for item in items:
        # A story several feeds carry is listed once per section above the channel: by its earliest
        # copy in that section (home and archive: the earliest copy of all). Channels list every item.
        listed = shown_in.get(item.key)
        if listed is None or () in listed:
            home.items.append(item)
            months.setdefault(item.month, []).append(item)
        tree = item.entry.tree
        category, site, channel = chains.get(tree) or chain_of(tree)
        if listed is None or category.names in listed:
            category.items.append(item)
        if listed is None or site.names in listed:
            site.items.append(item)
        channel.items.append(item)
    rank: dict[tuple[str, ...], int] = {}
    for tree in order:
        for depth in range(1, 4):
            rank.setdefault(tuple(tree[:depth]), len(rank))
    for section in sections.values():
        section.children.sort(key=lambda s: (rank.get(s.names, len(rank)), s.title))

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


def _story_copies(items: Sequence[Item], data: SiteData) -> tuple[dict[str, tuple[tuple[Item, str], ...]],
                                                                  dict[str, frozenset[tuple[str, ...]]]]:
    """For each item that has copies: the other copies with their link labels, and the sections
    (home `()`, categories, sites) that list this item for its story; a section lists a story by its
    earliest copy there."""
    copies: dict[str, tuple[tuple[Item, str], ...]] = {}
    shown_in: dict[str, frozenset[tuple[str, ...]]] = {}
    for group in data.story_groups([item.entry for item in items]):
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


def _make_item(card: Card, key: str, zone: ZoneInfo, where: _ItemUrls) -> Item:
    return Item(entry=card, key=key, local=local_time(card.published, zone), where=where)


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in `zone`; ValueError naming both when the wall time there would fall outside years 1–9999
    (9999-12-31T23:00Z is already year 10000 in Asia/Shanghai)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        raise ValueError(f"its date {iso_text(moment)} falls outside years 1–9999 "
                         f"in the time zone {zone.key}") from None


@functools.lru_cache(maxsize=8)
def _own_url_attribute(own_origin: str) -> re.Pattern[str]:
    return re.compile(_URL_ATTRIBUTE + re.escape(own_origin) + "(?=/)")


def own_urls_root_relative(html: str, own_origin: str) -> str:
    """`href`/`src`/`poster` values that point into the site itself, made root-relative.

    An item may show the site's own files (the demo's pictures live at site.url/static/demo/):
    as absolute URLs they would load only where site.url's host and port answer, so a
    `feedstation serve` on another port, or a copy on another host, would show broken images.
    """
    if not own_origin or own_origin not in html:
        return html
    return _own_url_attribute(own_origin).sub(r"\1", html)
