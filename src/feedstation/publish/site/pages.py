"""Phase two, HTML half: render every page of a SiteContext, one at a time, with one Jinja environment (autoescape on)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from feedstation.publish.enclosure_html import enclosures_html
from feedstation.publish.site import pagination, paths
from feedstation.publish.site.context import Item, Section, SiteContext
from feedstation.publish.site.data import SiteData
from feedstation.publish.site.icons import site_icon
from feedstation.publish.site.page_keys import PageKeys
from feedstation.publish.site.status import StatusReport

BODY_BATCH = 256  # item pages whose bodies are read from the store in one query
CARD_CACHE = 20_000  # rendered list cards kept for reuse (about 1 KB each)
# (path, input key or None, bytes or None): None bytes mean "the file on disk is already this output".
Output = tuple[str, str | None, bytes | None]
Kept = Callable[[str, str], bool]  # (path, key) → the file on disk was made from exactly these inputs
COUNTS_FILE = "static/counts.js"  # generated; linked unversioned (see counts_script)
STATUS_PAGE = "status/index.html"  # the one page that shows the feeds' health
LATEST_DIR = "latest/"  # the home stream's folder when the home page is the board
FEED_FILES = (("atom.xml", "application/atom+xml", "Atom"), ("rss.xml", "application/rss+xml", "RSS"),
              ("feed.json", "application/feed+json", "JSON Feed"))

# Interface words by language; the site's `language` picks one (zh-* → zh), English otherwise.
UI = {
    "zh": {"skip": "跳到正文", "home": "首页", "categories": "分类", "all_categories": "全部分类", "archive": "归档",
           "search": "搜索", "search_placeholder": "搜索文章…", "theme": "切换深色/浅色模式", "newer": "较新",
           "older": "较旧", "original": "阅读原文", "by": "作者", "count_unit": "篇", "page": "第 {n} 页",
           "prev_page": "上一页", "next_page": "下一页", "not_found": "页面不存在",
           "not_found_text": "你要找的页面不存在，可能已被移除。", "subscribe": "订阅", "sources": "订阅源 (OPML)",
           "pages": "分页", "empty": "还没有文章。", "powered": "由 feedstation 生成", "status": "订阅源状态",
           "filter_category": "分类", "filter_site": "站点", "filter_channel": "频道", "meta_date": "日期",
           "meta_source": "来源", "filters": "筛选", "latest": "最新文章", "latest_page": "最新", "more": "全部 {n} 篇 ›",
           "reading": "约 {n} 分钟读完", "in_channel": "本频道", "also_from": "另见：",
           "copies": "同一报道的其他来源", "weekdays": "一二三四五六日",
           "status_summary": "{n} 个订阅源，{failing} 个失败", "status_as_of": "截至", "state_error": "失败",
           "state_warning": "警告", "state_never": "未抓取", "state_ok": "正常", "last_success": "上次成功",
           "recent_items": "近 7 天 / 全部", "next_attempt": "下次抓取", "served_by": "服务实例",
           "failures": "连续失败", "since": "自", "no_feeds": "还没有订阅源。",
           # empty.html: why a site with no items is empty (issue 12.4)
           "empty_why": "{feeds} 个订阅源都还没有抓到文章：{failing} 个抓取失败，{never} 个还没有抓取过。",
           "empty_reason_feeds": "{n} 个源", "empty_fix": "运行 feedstation status 查看每个源的错误；"
           "网络恢复后再运行 feedstation run（加 --force 立即重试所有源）。"},
    "en": {"skip": "Skip to content", "home": "Home", "categories": "Categories", "all_categories": "All categories",
           "archive": "Archive", "search": "Search", "search_placeholder": "Search articles…",
           "theme": "Toggle dark/light mode", "newer": "Newer", "older": "Older", "original": "Read the original",
           "by": "By", "count_unit": "items", "page": "Page {n}", "prev_page": "Previous", "next_page": "Next",
           "not_found": "Page not found", "not_found_text": "The page you are looking for does not exist.",
           "subscribe": "Subscribe", "sources": "Sources (OPML)", "pages": "Pagination", "empty": "No items yet.",
           "powered": "Built with feedstation", "status": "Feed status", "filter_category": "Category",
           "filter_site": "Site", "filter_channel": "Channel", "meta_date": "Date", "meta_source": "Source",
           "filters": "Filters", "latest": "Latest", "latest_page": "Latest", "more": "All {n} ›", "reading": "{n} min read",
           "in_channel": "In this channel", "weekdays": "", "also_from": "Also from: ",
           "copies": "The same story from other feeds",
           "status_summary": "{n} feeds, {failing} failing", "status_as_of": "as of", "state_error": "failing",
           "state_warning": "warning", "state_never": "not fetched yet", "state_ok": "ok",
           "last_success": "Last success", "recent_items": "Last 7 days / all", "next_attempt": "Next attempt",
           "served_by": "Served by", "failures": "Failures in a row", "since": "since", "no_feeds": "No feeds yet.",
           "empty_why": "None of the {feeds} feeds has brought in an item yet: {failing} failed, {never} not fetched yet.",
           "empty_reason_feeds": "{n} feeds", "empty_fix": "Run feedstation status to see each feed's error; once the "
           "network is back, run feedstation run again (--force retries every feed now)."},
}


def load_static(theme_dir: str | None) -> dict[str, bytes]:
    """Built-in static assets, overlaid by the user's `<theme_dir>/static/` files of the same name."""
    files: dict[str, bytes] = {}
    _collect(resources.files("feedstation") / "static", "", files)
    if theme_dir and (Path(theme_dir) / "static").is_dir():
        _collect(Path(theme_dir) / "static", "", files)
    return files


def _collect(folder, prefix: str, files: dict[str, bytes]) -> None:
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        if child.name.startswith(".") or child.name == "__pycache__":
            continue
        if child.is_dir():
            _collect(child, f"{prefix}{child.name}/", files)
        else:
            files[f"{prefix}{child.name}"] = child.read_bytes()


class PageRenderer:
    """Renders pages; entry cards and nav fragments are rendered once and reused on every page."""

    def __init__(self, ctx: SiteContext, static: dict[str, bytes], template_cache: Path | None = None):
        self.ctx = ctx
        settings = ctx.settings
        # Jinja2 is imported by the renderer alone: a build with nothing to render never loads it (issue 19).
        from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PackageLoader,
                            StrictUndefined)

        loaders = [FileSystemLoader(settings.theme_dir)] if settings.theme_dir else []
        loaders.append(PackageLoader("feedstation", "templates"))  # user theme first: override by name
        # Compiled templates are kept between builds (keyed by each template's source): compiling them
        # again cost ~0.2 s of every build that renders anything.
        cache = None
        if template_cache is not None:
            template_cache.mkdir(parents=True, exist_ok=True)
            cache = FileSystemBytecodeCache(str(template_cache))
        # auto_reload off: a build's templates do not change while it renders, and checking each one's file
        # again at every include cost a `stat` per card and page (240,000 at 45,000 items).
        self.env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, bytecode_cache=cache, auto_reload=False)
        base = ctx.base
        self._feed_links: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
        # A content hash in asset URLs lets hosts cache /static/ forever and still see new versions.
        versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in static.items()}
        self.env.globals.update(
            site=settings, ui=UI["zh" if settings.language.lower().startswith("zh") else "en"],
            asset=lambda name: f"{paths.href(base, 'static/' + name)}?v={versions.get(name, '0')}",
            link=lambda relpath: paths.href(base, relpath),
            site_feeds=self._feeds("", settings.title), home_url=paths.href(base, "index.html"),
            empty_because=ctx.empty_because)
        self.env.filters["fmt_date"] = _date_label
        self.env.globals["enclosure_players"] = lambda encs, body=None: enclosures_html(encs, settings.language, body)
        self.env.filters["zip"] = zip
        zone = ZoneInfo(settings.timezone)
        self.env.filters["local"] = lambda dt: _in_zone(dt, zone)
        self.env.filters["iso_local"] = lambda dt: _in_zone(dt, zone).isoformat()
        self.env.filters["fmt_day"] = _day_label_zh if settings.language.lower().startswith("zh") else _day_label_en
        ui = self.env.globals["ui"]
        self.env.globals["filter_keys"] = (ui["filter_category"], ui["filter_site"], ui["filter_channel"])
        self.env.globals["trail_html"] = self._trail_html
        self._trail_cache: dict[tuple[str, ...], Markup] = {}
        self._card = self.env.get_template("card.html")
        self._nav_cache: dict[tuple[tuple[str, ...], str], Markup] = {}
        self.cards: dict[str, Markup] = {}
        self._icons: dict[str, Markup] = {}

    def _feeds(self, folder: str, title: str) -> list[tuple[str, str, str, str]]:
        """(url, MIME type, format name, link title) of the three feeds in a section folder; made once per
        folder (every item page of a channel links its channel's feeds)."""
        feeds = self._feed_links.get((folder, title))
        if feeds is None:
            feeds = self._feed_links[(folder, title)] = [
                (paths.href(self.ctx.base, folder + name), mime, label, f"{title} ({label})")
                for name, mime, label in FEED_FILES]
        return feeds

    def _trail(self, names: Sequence[str]) -> list[Section]:
        return [self.ctx.sections[tuple(names[:d])] for d in range(1, len(names) + 1)]

    def _trail_html(self, names: Sequence[str]) -> Markup:
        """trail.html for a section's names, rendered once per section: every card and archive row shows its
        item's trail, and including the template anew for each one was a third of a card's time."""
        key = tuple(names)
        html = self._trail_cache.get(key)
        if html is None:
            html = self._trail_cache[key] = Markup(self.env.get_template("trail.html").render(trail=self._trail(key)))
        return html

    def icon(self, names: Sequence[str]) -> Markup:
        """The icon element (icon.html) of the site a section or item belongs to, rendered once per site;
        empty above site level."""
        if len(names) < 2:
            return Markup("")
        html = self._icons.get(names[1])
        if html is None:
            icon = site_icon(names[1], self.ctx.icon_files.get(names[1]))
            html = self._icons[names[1]] = Markup(self.env.get_template("icon.html").render(icon=icon))
        return html

    def card(self, item: Item) -> Markup:
        """The item's list card, rendered on first use (its output is escaped template output, hence Markup)."""
        html = self.cards.get(item.key)
        if html is None:
            if len(self.cards) >= CARD_CACHE:  # each item's card is reused by up to four listings; memory stays bounded
                self.cards.clear()
            html = self.cards[item.key] = Markup(self._card.render(item=item, trail=self._trail(item.entry.tree),
                                                                   icon=self.icon(item.entry.tree),
                                                                   copies=self.ctx.copies_of(item)))
        return html

    def nav(self, current: tuple[str, ...], page: str) -> Markup:
        """The category tree, expanded along `current`, marking `page` ("home", "tree", "archive", "search",
        "status", or "" for a tree section or item) as the current one; one fragment per distinct branch.

        The nav holds no counts (static/counts.js has them, see `counts_script`): with counts in the
        markup every new item would change the nav of every page, and item pages are the bulk of a rebuild.
        """
        cache_key = (current, page)
        html = self._nav_cache.get(cache_key)
        if html is None:
            template = self.env.get_template("nav.html")
            html = Markup(template.render(home=self.ctx.sections[()], sections=self.ctx.sections, current=current,
                                          page=page))
            self._nav_cache[cache_key] = html
        return html

    def render(self, name: str, **values) -> bytes:
        return self.env.get_template(name).render(**values).encode("utf-8")

    def item_pages(self, data: SiteData, keys: PageKeys, kept: Kept) -> Iterator[Output]:
        """Every item page; bodies are read for the pages that render, BODY_BATCH at a time."""
        items = self.ctx.items
        for start in range(0, len(items), BODY_BATCH):
            batch = [(item, keys.item_page(item)) for item in items[start:start + BODY_BATCH]]
            rendering = [item for item, key in batch if not kept(item.path, key)]
            bodies = dict(zip((item.key for item in rendering), data.bodies([item.entry for item in rendering])))
            for item, key in batch:
                if item.key in bodies:
                    yield item.path, key, self.item_page(replace(item, body=bodies[item.key]))
                else:
                    yield item.path, key, None

    def listing_pages(self, section: Section, keys: PageKeys, kept: Kept) -> Iterator[Output]:
        """The pages of a listing (home or a tree section), cards grouped by day: its index (the newest
        items) and its full pages numbered from the oldest (pagination.py), each rendered only when its
        key changed. With the board layout the home page is the board and the home stream moves to `latest/`.
        """
        board = not section.names and self.ctx.settings.layout == "board"
        folder = LATEST_DIR if board else section.folder
        if board:
            yield "index.html", None, self.board_page()
        size = self.ctx.settings.page_size
        total = len(section.items)

        def url_of(number: int) -> str:
            return paths.href(self.ctx.base, paths.page_file(folder, number))

        for number, chunk in pagination.pages(section.items, size):
            pager = pagination.pager(number, total, size, url_of)
            path = paths.page_file(folder, number)
            key = keys.listing_page(folder, number, pager.top if pager else 0, chunk)
            if kept(path, key):
                yield path, key, None
                continue
            feeds = self._feeds(section.folder, " › ".join(section.names)) if section.names else []
            nav = self.nav(section.names, "" if section.names else ("latest" if board else "home"))
            yield path, key, self.render(
                "list.html", section=section, trail=self._trail(section.names), days=self._days(chunk),
                pager=pager, number=number, feeds=feeds, nav=nav, icon=self.icon(section.names), latest=board)

    def _days(self, chunk: Sequence[Item]) -> list[tuple[date, list[Markup]]]:
        days: dict[date, list[Markup]] = {}
        for item in chunk:  # newest first, so days come out newest first too
            days.setdefault(item.local.date(), []).append(self.card(item))
        return list(days.items())

    def board_page(self) -> bytes:
        """The board: under each category heading a card per channel with its newest titles."""
        home = self.ctx.sections[()]
        groups = []
        for cat in home.children:
            channels = [(channel, self.icon(channel.names)) for site in cat.children for channel in site.children]
            groups.append((cat, channels))
        return self.render("board.html", groups=groups, feeds=[], nav=self.nav((), "home"),
                           latest_url=paths.href(self.ctx.base, LATEST_DIR + "index.html"))

    def item_page(self, item: Item) -> bytes:
        newer, older = self.ctx.neighbours.get(item.key, (None, None))
        channel = self.ctx.sections[item.entry.tree]
        return self.render("item.html", item=item, trail=self._trail(item.entry.tree), newer=newer, older=older,
                           icon=self.icon(item.entry.tree), channel=channel, copies=self.ctx.copies_of(item),
                           feeds=self._feeds(channel.folder, " › ".join(channel.names)), nav=self.nav(item.entry.tree, ""))

    def archive_pages(self, keys: PageKeys, kept: Kept) -> Iterator[Output]:
        """The archive's index (every month with its count) and one page per month, rendered when it changed."""
        months = self.ctx.months
        years: dict[int, list[tuple[int, int, str]]] = {}
        for (year, month), listed in sorted(months.items(), reverse=True):
            years.setdefault(year, []).append((month, len(listed), paths.href(self.ctx.base, paths.month_dir(year, month))))
        yield "archive/index.html", None, self.render("archive_index.html", years=years, feeds=[],
                                                       nav=self.nav((), "archive"))
        for (year, month), listed in months.items():
            path, key = paths.month_dir(year, month) + "index.html", keys.month(year, month, listed)
            if kept(path, key):
                yield path, key, None
                continue
            rows = [(item, self._trail(item.entry.tree)) for item in listed]
            yield path, key, self.render(
                "archive_month.html", year=year, month=month, rows=rows, feeds=[], nav=self.nav((), "archive"),
                archive_url=paths.href(self.ctx.base, "archive/index.html"))

    def status_page(self, status: StatusReport, nav: Markup | None = None) -> bytes:
        """The status page; `nav`: the status page's nav as a build of this site rendered it (for a renderer
        made without the site's sections, see build.py `_status_alone`)."""
        return self.render("status.html", report=status, feeds=[], nav=self.nav((), "status") if nav is None else nav)

    def fixed_pages(self, status: StatusReport) -> Iterator[Output]:
        """Pages rendered on every build (one each; the writer keeps their files when the bytes are the same)."""
        home = self.ctx.sections[()]
        yield STATUS_PAGE, None, self.status_page(status)
        yield "c/index.html", None, self.render("tree.html", home=home, feeds=[], nav=self.nav((), "tree"))
        yield "search/index.html", None, self.render("search.html", feeds=[], nav=self.nav((), "search"))
        yield "404.html", None, self.render("404.html", feeds=[], nav=self.nav((), "404"))


def counts_script(ctx: SiteContext) -> bytes:
    """`static/counts.js`: items per section, keyed by its link, which init.js writes into the nav's count spans.

    Pages link it without a version query, so its changing bytes change no page.
    """
    counts = {section.url: len(section.items) for section in ctx.sections.values()}
    return f"window.feedstationCounts = {json.dumps(counts, ensure_ascii=False, separators=(',', ':'))};\n".encode()


def _day_label_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{UI['zh']['weekdays'][day.weekday()]}"


def _day_label_en(day: date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def html_pages(renderer: PageRenderer, data: SiteData, status: StatusReport, keys: PageKeys,
               kept: Kept) -> Iterator[Output]:
    """Every HTML page of the site as (path, key, bytes), rendered one at a time as the caller asks for it.

    A page whose key `kept(path, key)` says is already on disk is not rendered: its bytes are None.
    Pages rendered on every build have no key (None).
    """
    yield from renderer.item_pages(data, keys, kept)
    for section in renderer.ctx.sections.values():
        yield from renderer.listing_pages(section, keys, kept)
    yield from renderer.archive_pages(keys, kept)
    yield from renderer.fixed_pages(status)


def _date_label(moment: datetime) -> str:
    """`2022-01-06 18:32`; the year always has four digits (strftime's %Y writes year 103 as `103`)."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in the site's zone. A feed's bookkeeping date the zone cannot hold (a hand-edited
    9999-12-31T23:00Z is year 10000 in Asia/Shanghai) is shown in UTC instead of stopping the status
    page (issue 11); entries with such dates are left out earlier (context.local_time)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment
