"""The Hexo window (`hexo.keep`): which stored entries a Hexo export carries. Pure: `now` is an argument.

Hexo holds every post in memory while it generates (measured: README "Hexo mode"), and feedstation keeps
history forever, so a Hexo site fed everything outgrows the Node heap within days. The window bounds
what Hexo sees; the database and feedstation's own site still keep everything. Removing the posts that
fell out is `export_hexo`'s ordinary rule: it removes the files of entries it is no longer given, and
only files its manifest says it wrote.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedstation.models import StoredEntry


@dataclass(frozen=True)
class HexoWindow:
    """Newest `posts` entries and/or those published in the last `days`; None means no such limit."""

    posts: int | None = None
    days: int | None = None


def entries_in_window(entries: Iterable[StoredEntry], window: HexoWindow | None, now: datetime) -> Iterator[StoredEntry]:
    """The entries inside `window`, newest first (ties by id); every entry when there is no window.

    Both limits apply when both are set, so `posts` is a hard bound on what Hexo must hold.
    """
    if window is None or (window.posts is None and window.days is None):
        yield from entries
        return
    if window.days is not None:
        cutoff = now - timedelta(days=window.days)
        entries = (e for e in entries if e.published >= cutoff)
    if window.posts is None:
        yield from entries
        return
    # nlargest keeps only `posts` entries at a time, whatever order the store yields them in.
    yield from heapq.nlargest(window.posts, entries, key=lambda e: (e.published, e.id))
