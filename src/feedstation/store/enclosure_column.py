"""Enclosures (audio, video, torrents) in one TEXT column: compact JSON `[[url, type, length], ...]` or NULL."""

from __future__ import annotations

import json

from feedstation.models import Enclosure


def enclosures_to_column(enclosures: tuple[Enclosure, ...]) -> str | None:
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length] for e in enclosures], ensure_ascii=False, separators=(",", ":"))


def enclosures_from_column(value: str | None) -> tuple[Enclosure, ...]:
    """The stored JSON back as Enclosures; a damaged value reads as none (it is shown, never trusted)."""
    if not value:
        return ()
    try:
        rows = json.loads(value)
        return tuple(Enclosure(url=str(u), type=t if isinstance(t, str) else None,
                               length=n if isinstance(n, int) else None) for u, t, n in rows)
    except (ValueError, TypeError):
        return ()
