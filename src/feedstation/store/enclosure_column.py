"""Enclosures (audio, video, torrents) in one TEXT column: compact JSON `[[url, type, length], ...]` or NULL."""

from __future__ import annotations

import json

from feedstation.models import Enclosure


def enclosures_to_column(enclosures: tuple[Enclosure, ...]) -> str | None:
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length] for e in enclosures], ensure_ascii=False, separators=(",", ":"))


def enclosures_from_column(value: str | None) -> tuple[Enclosure, ...]:
    """The stored JSON back as Enclosures; ValueError saying what is wrong with a damaged value (the reader
    skips and reports that row, like any other unreadable one: issue 11)."""
    if not value:
        return ()
    try:
        rows = json.loads(value)
    except ValueError:
        raise ValueError(f"is not JSON: {value[:60]!r}") from None
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
                                             for r in rows):
        raise ValueError(f"is not a list of [url, type, length]: {value[:60]!r}")
    return tuple(Enclosure(url=u, type=t if isinstance(t, str) else None,
                           length=n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None)
                 for u, t, n in rows)
