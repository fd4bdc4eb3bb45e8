"""Rich tables for the CLI: the per-run feed table and the stored health table (wide, or compact when narrow)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich import box
from rich.table import Table
from rich.text import Text

from feedstation.models import FeedHealth, FeedReport, SkippedEntry
from feedstation.outage import CommonNetworkFailure, failure_reason

_STYLE = {"ok": "green", "not_modified": "cyan", "error": "red", "never": "dim"}
# Below this many columns the full tables fold every cell over several lines (issue 12.8):
# narrow terminals get one line per feed instead.
WIDE = 120


def compact_table(title: str, rows: Sequence[tuple[str, str, str, str]], width: int, count: str) -> Table:
    """One line per feed: status, feed, a count, the error cut to what fits (the full text is in `feedstation status`)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=True)
    table.add_column("status", no_wrap=True)
    table.add_column("feed", no_wrap=True, overflow="ellipsis", max_width=max(12, width // 3))
    table.add_column(count, justify="right", no_wrap=True)
    table.add_column("error", no_wrap=True, overflow="ellipsis", ratio=1)
    for status, feed, number, error in rows:
        table.add_row(Text(status, style=_STYLE.get(status, "")), Text(feed), number, Text(error, style="red"))
    return table


def run_table(reports: Sequence[FeedReport], width: int = WIDE) -> Table:
    ordered = sorted(reports, key=lambda r: (r.status != "error", r.source.tree))
    if width < WIDE:
        return compact_table("Feeds this run", [
            (r.status, f"{r.source.site} › {r.source.channel}", str(r.new), failure_reason(r.error or ""))
            for r in ordered], width, "new")
    table = Table(title="Feeds this run", show_lines=False)
    for column in ("feed", "status", "new", "updated", "HTTP", "time", "instance", "error"):
        table.add_column(column, justify="right" if column in ("new", "updated", "HTTP", "time") else "left",
                         overflow="fold")
    for r in ordered:
        table.add_row(
            Text(r.source.label), Text(r.status, style=_STYLE.get(r.status, "")), str(r.new), str(r.updated),
            str(r.http_status or ""), f"{r.elapsed:.2f}s", Text(r.served_by or ""), Text(r.error or "", style="red"),
        )
    return table


def health_table(rows: Sequence[FeedHealth], now: datetime, width: int = WIDE) -> Table:
    if width < WIDE:
        return compact_table("Feed health", [
            (h.status, f"{h.site} › {h.channel}", str(h.entry_count), failure_reason(h.error or h.warning or ""))
            for h in rows], width, "items")
    table = Table(title="Feed health")
    for column in ("feed", "status", "items", "last fetch", "failing since", "next try", "instance",
                   "last error / warning"):
        table.add_column(column, overflow="fold", justify="right" if column == "items" else "left")
    for h in rows:
        failing = ""
        if h.failing_since:
            failing = f"{_ago(h.failing_since, now)} ({h.consecutive_failures}×)"
        next_try = ""
        if h.next_attempt_at and h.next_attempt_at > now:
            next_try = f"in {_span(h.next_attempt_at - now)}"
        table.add_row(
            Text(f"{h.category} › {h.site} › {h.channel}"), Text(h.status, style=_STYLE.get(h.status, "")),
            str(h.entry_count), _ago(h.last_fetched_at, now) if h.last_fetched_at else "never",
            failing, next_try, Text(h.served_by or ""),
            Text(h.error, style="red") if h.error else Text(h.warning or "", style="yellow"),
        )
    return table


def counted(number: int, noun: str) -> str:
    """`1 feed`, `2 feeds`: English nouns of the summary lines ("new item", "file", "post")."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def totals_line(reports: Sequence[FeedReport], skipped: int, next_due: datetime | None = None,
                now: datetime | None = None) -> Text:
    """`12 feeds fetched: 9 ok, 2 unchanged (304), 1 failed; 30 new items, 2 updated` (the parts add up to the
    feeds fetched), and on a line of its own the feeds that were not due, when the next one is and how to override."""
    by = {s: sum(1 for r in reports if r.status == s) for s in ("ok", "not_modified", "error")}
    new = sum(r.new for r in reports)
    updated = sum(r.updated for r in reports)
    text = Text(f"{counted(len(reports), 'feed')} fetched: {by['ok']} ok, {by['not_modified']} unchanged (304), ")
    text.append(f"{by['error']} failed", style="red" if by["error"] else "")
    text.append(f"; {counted(new, 'new item')}, {updated} updated")
    if skipped:
        text.append(f"\n{counted(skipped, 'feed')} not due yet (back-off or ttl)")
        if next_due is not None and now is not None:
            text.append(f", the next at {_clock(next_due, now)} (in {_span(next_due - now)})")
        text.append("; --force fetches them now")
    return text


def skipped_lines(skipped: Sequence[SkippedEntry], *, heading: str) -> Text:
    """One line per stored row left out of publishing (unreadable, or a publisher could not render it):
    feed, identity, reason."""
    text = Text(f"{heading}: {len(skipped)} stored item(s) could not be read or rendered and were left out "
                "(fix or delete these rows; everything else was published):", style="yellow")
    for s in skipped:
        text.append("\n  " + s.line(), style="yellow")
    return text


def network_failure_line(common: CommonNetworkFailure) -> Text:
    """One line for many feeds failing alike: `no network? every request failed to resolve rsshub.app ...`."""
    hosts = ", ".join(common.hosts[:3]) + (f" and {len(common.hosts) - 3} more hosts" if len(common.hosts) > 3 else "")
    if common.network_down:
        what = f"every request failed to resolve {hosts}" if common.kind == "dns" else \
            f"no request could connect to {hosts}"
        return Text(f"no network? {what} ({common.feeds} of {common.total} feeds). Check this machine's connection "
                    "and DNS (or list a reachable instance under rsshub.instances); these feeds were not put into "
                    "back-off, so the next run retries them all.", style="yellow")
    what = "failed to resolve" if common.kind == "dns" else "could not connect to"
    return Text(f"{common.feeds} of {common.total} feeds {what} {hosts}: is it down or blocked from here? "
                "They back off as usual; --force retries them now.", style="yellow")


def _clock(when: datetime, now: datetime) -> str:
    local, today = when.astimezone(), now.astimezone()
    return local.strftime("%H:%M" if local.date() == today.date() else "%Y-%m-%d %H:%M")


def status_line(rows: Sequence[FeedHealth], items: int, hidden: int = 0) -> Text:
    """`12 feeds: 9 ok, 2 failing, 1 never fetched; 530 items stored`: the parts add up to the feeds
    (`hidden`: items the filters hid at the last publish, said only when there are any)."""
    failing = sum(1 for r in rows if r.status == "error")
    never = sum(1 for r in rows if r.status == "never")
    text = Text(f"{counted(len(rows), 'feed')}: {len(rows) - failing - never} ok, ")
    text.append(f"{failing} failing", style="red" if failing else "")
    text.append(f", {never} never fetched; {counted(items, 'item')} stored")
    if hidden:
        text.append(f" ({hidden} hidden by filters at the last publish; `feedstation filters test` shows why)")
    return text


def site_line(folder, report) -> Text:
    """`site in public: 129 files (3 written, 126 unchanged); 2 removed`: the parts add up to the total."""
    return Text(f"site in {folder}: {counted(report.pages, 'file')} ({report.written} written, {report.unchanged} "
                f"unchanged); {counted(report.removed, 'old file')} removed")


def hexo_line(folder, report) -> Text:
    """`Hexo posts in source/_posts: 23 posts (0 written, 23 unchanged); 0 removed`."""
    return Text(f"Hexo posts in {folder}: {counted(report.posts, 'post')} ({report.written} written, "
                f"{report.unchanged} unchanged); {counted(report.removed, 'old post')} removed")


def _ago(when: datetime, now: datetime) -> str:
    return f"{_span(now - when)} ago"


def _span(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 90:
        return f"{max(seconds, 0)}s"
    if seconds < 90 * 60:
        return f"{seconds // 60}m"
    if seconds < 36 * 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
