"""Frozen values the importers return: feeds placed in the tree, and notes for the import report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportedFeed:
    """One leaf an importer found: its place in the tree, its location, and where it came from."""

    category: str
    site: str
    channel: str
    url: str  # rsshub:/path, http(s) URL, or (local OPML only) a file location
    origin: str  # e.g. "config.yml:12", shown in the report and as a comment in the written config

    @property
    def tree(self) -> tuple[str, str, str]:
        return (self.category, self.site, self.channel)


@dataclass(frozen=True)
class ImportNote:
    """One line of the import report: something that did not carry over as it was, and why."""

    origin: str  # file:line (or file) the note is about
    kind: str  # a short group name: "duplicate", "param", "renamed", "skipped", "unknown-route", ...
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclass(frozen=True)
class TreeImport:
    """What a tree importer read: the feeds to place, and everything the report must mention."""

    feeds: tuple[ImportedFeed, ...]
    notes: tuple[ImportNote, ...] = ()

    def notes_of(self, kind: str) -> list[ImportNote]:
        return [n for n in self.notes if n.kind == kind]
