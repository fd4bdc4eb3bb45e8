"""What one site build did (kept apart from the build so that a no-change check can report it without
importing the renderer)."""

from __future__ import annotations

from dataclasses import dataclass

from feedstation.models import SkippedEntry


@dataclass(frozen=True)
class SiteReport:
    """What one build did. `pages`: files the site owns after it, each either `written` or `unchanged`;
    `removed`: files of the previous build that are gone (not part of `pages`)."""

    pages: int
    written: int
    unchanged: int
    removed: int
    written_paths: tuple[str, ...] = ()  # sorted; what a deploy or a test needs to know changed
    left_out: tuple[SkippedEntry, ...] = ()  # entries the site cannot show (issue 11), reported like unreadable rows
    read_nothing: bool = False  # the store said nothing changed since the last build: not one card was read
