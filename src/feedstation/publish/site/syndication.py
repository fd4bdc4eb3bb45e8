"""Phase two, machine-readable half: output feeds per section, sitemap, robots.txt and OPML, via their publishers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from feedstation.models import Source
from feedstation.publish.feeds import FeedInfo, also_from_html, render_atom, render_json_feed, render_rss
from feedstation.publish.opml import render_opml
from feedstation.publish.sitemap import plan_sitemaps, render_robots, render_sitemap, render_sitemap_index, sitemap_index_entries
from feedstation.publish.site import paths
from feedstation.publish.site.context import Item, SiteContext
from feedstation.publish.site.data import SiteData
from feedstation.publish.site.page_keys import PageKeys, text_digest
from feedstation.publish.site.pages import Kept, Output

_RENDERERS = (("atom.xml", render_atom), ("rss.xml", render_rss), ("feed.json", render_json_feed))


def feed_files(ctx: SiteContext, data: SiteData, keys: PageKeys, kept: Kept, *, now: datetime) -> Iterator[Output]:
    """Atom, RSS and JSON Feed for the whole site and for every category, site and channel, one file at a time;
    a section's three are rendered only when its newest items changed.

    The site-wide feeds carry full content; section feeds carry each item's excerpt
    (the one its card shows) and a link to its page, see `feedstation.publish.feeds`.
    A story several feeds carry is listed once (as on the section's page) with "also from"
    links to its other copies' pages.
    """
    settings = ctx.settings
    for section in ctx.sections.values():
        newest = section.items[: max(0, settings.feed_items)]
        # `now` only dates an empty feed: otherwise the same entries must give the same bytes.
        key = keys.feed(section.folder, newest) if newest else None
        names = [section.folder + name for name, _render in _RENDERERS]
        if key is not None and all(kept(name, key) for name in names):
            yield from ((name, key, None) for name in names)
            continue
        shown: list = [item.entry for item in newest]
        if not section.names:  # the site-wide feeds carry full content: read these bodies
            bodies = data.bodies(shown)  # (None only for a row broken since its card was read: left out)
            newest = [item for item, body in zip(newest, bodies) if body is not None]
            shown = [body for body in bodies if body is not None]
        pairs = list(zip(shown, (item.abs_url for item in newest)))
        excerpts = [item.excerpt for item in newest] if section.names else None
        notes = [also_from_html([(label, copy.abs_url) for copy, label in ctx.copies_of(item)], settings.language)
                 for item in newest] if ctx.copies else None
        updated = _newest_change(newest) or now
        title = settings.title if not section.names else f"{' › '.join(section.names)} · {settings.title}"
        page_url = paths.absolute(settings.url, section.folder + "index.html")
        for name, render in _RENDERERS:
            info = FeedInfo(title=title, site_url=page_url, feed_url=paths.absolute(settings.url, section.folder + name),
                            language=settings.language, description=settings.description)
            yield section.folder + name, key, render(info, pairs, updated=updated, excerpts=excerpts, notes=notes)


def index_files(ctx: SiteContext, sources: Sequence[Source], keys: PageKeys, kept: Kept, *,
                now: datetime) -> Iterator[Output]:
    """sitemap.xml (home, sections, archive months, items; an index of parts past SITEMAP_PART_URLS URLs, each
    part rendered only when its URLs changed), robots.txt, sources.opml."""
    site_url = ctx.settings.url
    pages: list[tuple[str, datetime | None]] = []
    home = ctx.sections[()]
    pages.append((paths.absolute(site_url, "index.html"), _newest_change(home.items[:1])))
    for names, section in ctx.sections.items():
        if names:
            pages.append((paths.absolute(site_url, section.folder + "index.html"), _newest_change(section.items[:1])))
    for (year, month), listed in sorted(ctx.months.items(), reverse=True):
        pages.append((paths.absolute(site_url, paths.month_dir(year, month) + "index.html"), _newest_change(listed[:1])))
    prefix = paths.absolute(site_url, "")  # every item's URL is this and its file (the items' `abs_url`)
    items = [(prefix + paths.item_file(item.key), item.entry.updated or item.entry.published) for item in ctx.items]
    plan = plan_sitemaps(pages, items)
    for name, urls in plan.items():
        if name.startswith("sitemap-items-"):  # the parts are cut oldest first: all but the last stay as they are
            key = text_digest(name + "".join(f"\x1e{url}\x1f{when.isoformat() if when else ''}"
                                             for url, when in urls))
            yield name, key, None if kept(name, key) else render_sitemap(urls)
        elif name == "sitemap.xml" and len(plan) > 1:
            yield name, None, render_sitemap_index(sitemap_index_entries(plan, site_url))
        else:
            yield name, None, render_sitemap(urls)
    # OPML's dateCreated: when the collection began (the oldest first sighting), so a new
    # item does not rewrite the file; `now` only for an empty site.
    created = min((item.entry.first_seen for item in ctx.items), default=now)
    yield "robots.txt", None, render_robots(site_url)
    yield "sources.opml", None, render_opml(ctx.settings.title, sorted(sources, key=lambda s: s.tree), created=created)


def _newest_change(items: Sequence[Item]) -> datetime | None:
    return max((item.entry.updated or item.entry.published for item in items), default=None)

