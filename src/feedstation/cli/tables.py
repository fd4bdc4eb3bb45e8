"""Rich tables for the CLI: the per-run feed table and the stored health table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text

from feedstation.models import FeedHealth, FeedReport

_STYLE = {"ok": "green", "not_modified": "cyan", "error": "red", "never": "dim"}


def run_table(reports: Sequence[FeedReport]) -> Table:
    table = Table(title="Feeds this run", show_lines=False)
    for column in ("feed", "status", "new", "updated", "HTTP", "time", "instance", "error"):
        table.add_column(column, justify="right" if column in ("new", "updated", "HTTP", "time") else "left",
                         overflow="fold")
    for r in sorted(reports, key=lambda r: (r.status != "error", r.source.tree)):
        table.add_row(
            Text(r.source.label), Text(r.status, style=_STYLE.get(r.status, "")), str(r.new), str(r.updated),
            str(r.http_status or ""), f"{r.elapsed:.2f}s", Text(r.served_by or ""), Text(r.error or "", style="red"),
        )
    return table


def health_table(rows: Sequence[FeedHealth], now: datetime) -> Table:
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


def totals_line(reports: Sequence[FeedReport], skipped: int) -> Text:
    by = {s: sum(1 for r in reports if r.status == s) for s in ("ok", "not_modified", "error")}
    new = sum(r.new for r in reports)
    updated = sum(r.updated for r in reports)
    text = Text(f"{len(reports)} feeds fetched: {by['ok']} ok, {by['not_modified']} unchanged (304), ")
    text.append(f"{by['error']} failed", style="red" if by["error"] else "")
    text.append(f"; {new} new items, {updated} updated")
    if skipped:
        text.append(f"; {skipped} feeds not due yet (back-off or ttl)")
    return text


def status_line(rows: Sequence[FeedHealth], items: int) -> Text:
    """`12 feeds: 9 ok, 2 failing, 1 never fetched; 530 items stored`: the parts add up to the feeds."""
    failing = sum(1 for r in rows if r.status == "error")
    never = sum(1 for r in rows if r.status == "never")
    text = Text(f"{len(rows)} feeds: {len(rows) - failing - never} ok, ")
    text.append(f"{failing} failing", style="red" if failing else "")
    text.append(f", {never} never fetched; {items} items stored")
    return text


def site_line(folder, report) -> Text:
    """`site in public: 129 files (3 written, 126 unchanged); 2 removed`: the parts add up to the total."""
    return Text(f"site in {folder}: {report.pages} files ({report.written} written, {report.unchanged} unchanged); "
                f"{report.removed} old files removed")


def hexo_line(folder, report) -> Text:
    """`Hexo posts in source/_posts: 23 posts (0 written, 23 unchanged); 0 removed`."""
    return Text(f"Hexo posts in {folder}: {report.posts} posts ({report.written} written, {report.unchanged} "
                f"unchanged); {report.removed} old posts removed")


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
