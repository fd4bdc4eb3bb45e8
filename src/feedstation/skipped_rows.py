"""The rows one publish left out, collected from its readers and publishers (standard library only: the
no-change check of `feedstation build` reports them without importing the store)."""

from __future__ import annotations

from dataclasses import replace

from feedstation.models import SkippedEntry


class SkippedRows:
    """Rows one publish left out: those its readers could not read (the site and the Hexo export read
    the same rows, so each is listed once) and those a publisher could not render."""

    def __init__(self) -> None:
        self._rows: dict[tuple[int | None, str], SkippedEntry] = {}

    def add(self, skipped: SkippedEntry) -> None:
        key = (skipped.entry_id, skipped.identity)
        known = self._rows.get(key)
        if known is None:
            self._rows[key] = skipped
        elif skipped.reason not in known.reason.split("; "):  # e.g. neither the site nor Hexo could render it
            self._rows[key] = replace(known, reason=f"{known.reason}; {skipped.reason}")

    @property
    def rows(self) -> tuple[SkippedEntry, ...]:
        return tuple(sorted(self._rows.values(), key=lambda s: (s.feed, s.entry_id or 0)))
