"""The status page's data: every feed with its place in the tree and its health, failing feeds first.

A pure function of the sources, the store's feed health and what the page needs of the site's cards
(`ChannelDates`: each channel's link and its items' dates). "Items in the last 7 days" counts back from the
newest fetch the store recorded (not the build's clock), so the same data always gives the same page and a
rebuild with nothing new writes nothing.

`ChannelDates` is small (one integer per item) and kept in the site's manifest with the status page's nav, so
a run whose feeds had nothing new (only the health moved) rewrites this page without reading a card
(build.py `_status_alone`).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from feedstation.models import FeedHealth, Source
from feedstation.publish.site.context import SiteContext

WINDOW = timedelta(days=7)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
# Order on the page: what needs the reader's attention first.
_RANK = {"error": 0, "warning": 1, "never": 2, "ok": 3, "not_modified": 3}


@dataclass(frozen=True)
class FeedStatus:
    """One feed as the status page shows it."""

    tree: tuple[str, str, str]
    url: str
    state: str  # "error", "warning", "never" (not fetched yet) or "ok"
    http_status: int | None
    reason: str | None  # the last error (RSSHub's or the server's words), or the last good fetch's warning
    consecutive_failures: int
    failing_since: datetime | None
    last_success_at: datetime | None
    last_fetched_at: datetime | None
    next_attempt_at: datetime | None
    served_by: str | None
    recent_items: int  # items published in the WINDOW up to `as_of`
    total_items: int
    url_path: str | None  # the channel page, when it has items


@dataclass(frozen=True)
class StatusReport:
    feeds: list[FeedStatus]
    as_of: datetime | None  # the newest fetch the store recorded (else the newest item), the window's end

    @property
    def failing(self) -> int:
        return sum(1 for f in self.feeds if f.state == "error")


@dataclass(frozen=True)
class ChannelDates:
    """What the status page needs of the cards: each channel's link and its items' publication times
    (microseconds since 1970, sorted), and the newest first-seen time (the window's end when nothing was fetched)."""

    channels: Mapping[tuple[str, str, str], tuple[str, list[int]]]
    newest_first_seen: datetime | None

    @classmethod
    def of(cls, ctx: SiteContext) -> ChannelDates:
        channels = {names: (section.url, sorted(_micros(i.entry.published) for i in section.items))
                    for names, section in ctx.sections.items() if len(names) == 3}
        return cls(channels, max((i.entry.first_seen for i in ctx.items), default=None))

    def to_json(self) -> dict:
        return {"channels": [[*tree, url, dates] for tree, (url, dates) in self.channels.items()],
                "newest_first_seen": None if self.newest_first_seen is None else _micros(self.newest_first_seen)}

    @classmethod
    def from_json(cls, data: Mapping) -> ChannelDates:
        """The dates `to_json` kept; ValueError, KeyError or TypeError for anything else."""
        channels = {}
        for category, site, channel, url, dates in data["channels"]:
            if not all(isinstance(v, str) for v in (category, site, channel, url)) or \
                    not all(type(d) is int for d in dates):
                raise ValueError("not the channel dates a build keeps")
            channels[(category, site, channel)] = (url, list(dates))
        newest = data["newest_first_seen"]
        return cls(channels, None if newest is None else _EPOCH + timedelta(microseconds=int(newest)))


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def status_report(sources: Sequence[Source], health: Sequence[FeedHealth], dates: ChannelDates) -> StatusReport:
    """Every configured feed (and any stored one the config lost) with its health, failing feeds first."""
    by_tree = {(h.category, h.site, h.channel): h for h in health}
    trees = {s.tree: s.url for s in sources}
    for tree, h in by_tree.items():
        trees.setdefault(tree, h.url)
    fetched = [h.last_fetched_at for h in health if h.last_fetched_at is not None]
    as_of = max(fetched, default=None) or dates.newest_first_seen
    # Integers, not `as_of - WINDOW`: that overflows when the newest date is in year 1 (issue 11).
    end = _micros(as_of) if as_of is not None else None
    feeds = []
    for tree, url in trees.items():
        h = by_tree.get(tree)
        url_path, published = dates.channels.get(tree, (None, []))
        recent = 0 if end is None else \
            bisect_right(published, end) - bisect_left(published, end - WINDOW // _MICROSECOND)
        state = "never" if h is None or h.status == "never" else ("error" if h.status == "error" else
                                                                     "warning" if h.warning else "ok")
        reason = (h.error if state == "error" else h.warning) if h is not None else None
        feeds.append(FeedStatus(
            tree=tree, url=url, state=state, http_status=h.http_status if h else None, reason=reason,
            consecutive_failures=h.consecutive_failures if h else 0, failing_since=h.failing_since if h else None,
            last_success_at=h.last_success_at if h else None, last_fetched_at=h.last_fetched_at if h else None,
            next_attempt_at=h.next_attempt_at if h else None, served_by=h.served_by if h else None,
            recent_items=recent, total_items=len(published), url_path=url_path))
    feeds.sort(key=lambda f: (_RANK.get(f.state, 3), -f.consecutive_failures, f.tree))
    return StatusReport(feeds=feeds, as_of=as_of)


def render_status_json(report: StatusReport) -> bytes:
    """`status.json`: the same rows for scripts and monitors (times ISO 8601 UTC)."""
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z") if value else None

    rows = [{"category": f.tree[0], "site": f.tree[1], "channel": f.tree[2], "url": f.url, "state": f.state,
             "http_status": f.http_status, "reason": f.reason, "consecutive_failures": f.consecutive_failures,
             "failing_since": iso(f.failing_since), "last_success_at": iso(f.last_success_at),
             "last_fetched_at": iso(f.last_fetched_at), "next_attempt_at": iso(f.next_attempt_at),
             "served_by": f.served_by, "items_last_7_days": f.recent_items, "items": f.total_items}
            for f in report.feeds]
    data = {"as_of": iso(report.as_of), "feeds": len(rows), "failing": report.failing, "rows": rows}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
