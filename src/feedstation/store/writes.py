"""One feed's pending write, as a value: what `Store.record_batch` commits for many feeds in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedstation.models import Entry, FeedMeta, Fetched


@dataclass(frozen=True)
class SuccessWrite:
    """A fetched and parsed feed: its entries and its new validators (what `record_success` takes)."""

    feed_id: int
    fetched: Fetched
    meta: FeedMeta
    entries: list[Entry]
    now: datetime


@dataclass(frozen=True)
class NotModifiedWrite:
    """A feed that answered 304: only its health and next attempt change."""

    feed_id: int
    fetched: Fetched
    now: datetime
