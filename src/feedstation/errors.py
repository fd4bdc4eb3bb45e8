"""One exception tree: every error feedstation raises on purpose is a FeedstationError.

Expected per-feed failures (timeouts, 404s, bad XML) are *not* raised across stages: they
become `Fetched(status=ERROR)` / recorded feed errors. These classes are for the edges
(config, locks, output) and for wrapping third-party errors at the boundary.
"""

from __future__ import annotations


class FeedstationError(Exception):
    """Root of every deliberate feedstation error. The CLI prints it without a traceback."""


class ConfigError(FeedstationError):
    """A user mistake in the config file: names the file, the key path and the fix."""

    def __init__(self, file: str, key: str | None, message: str):
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {message}")


class FetchError(FeedstationError):
    """A source could not be retrieved (network, HTTP status, size or time cap, address guard)."""


class ParseError(FeedstationError):
    """A body is not a feed feedstation can read (HTML page, empty, entity bomb, broken JSON)."""


class StoreError(FeedstationError):
    """The database cannot be opened, migrated or written."""


class LockedError(FeedstationError):
    """Another feedstation process holds the lock on the database or output folder."""


class OutputError(FeedstationError):
    """A publisher could not write its output (path outside the root, disk full, ...)."""


class CatalogError(FeedstationError):
    """The RSSHub route catalog is missing, unreadable, or has no such route."""

