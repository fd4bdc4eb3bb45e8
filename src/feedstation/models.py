"""Frozen dataclasses that cross stage boundaries: config → fetch → parse → normalise → store → publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class Source:
    """One leaf of the category → site → channel tree.

    `url` is what the user wrote, resolved: an http(s) URL, `rsshub:/path`, or an
    absolute local file path.
    """

    category: str
    site: str
    channel: str
    url: str
    max_items: int | None = None
    full_text: bool = False  # fetch each new item's page and keep the article (full_text/)

    @property
    def tree(self) -> tuple[str, str, str]:
        return (self.category, self.site, self.channel)

    @property
    def label(self) -> str:
        return f"{self.category} › {self.site} › {self.channel}"


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about a feed between runs (validators and back-off)."""

    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    next_attempt_at: datetime | None = None
    last_fetched_at: datetime | None = None


class FetchStatus(str, Enum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True)
class NetworkFailure:
    """A request that never reached a server: its host name did not resolve, or no connection could be made.

    When every feed of a run fails like this at once, the cause is this machine's network,
    not the feeds (issue 12.4): such a run does not push the feeds' back-off.
    """

    kind: str  # "dns" (the name did not resolve) or "connect" (refused, unreachable, timed out)
    host: str


@dataclass(frozen=True)
class Fetched:
    """The outcome of retrieving one source: a body, a 304, or an error (never raised)."""

    source: Source
    status: FetchStatus
    body: bytes = b""
    final_url: str | None = None  # after redirects; the base for relative links
    served_by: str | None = None  # RSSHub instance (or host) that answered
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    retry_after: float | None = None  # seconds, from Retry-After on the final failure
    max_age: float | None = None  # seconds, from Cache-Control: max-age
    network_failure: NetworkFailure | None = None  # set when the request never reached a server


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class ParsedEntry:
    """One item as a format adapter read it: raw strings, nothing cleaned or resolved yet."""

    id: str | None = None
    link: str | None = None
    title: str | None = None
    author: str | None = None
    author_url: str | None = None
    published: datetime | None = None  # aware UTC when the adapter could read it
    updated: datetime | None = None
    summary: str | None = None  # HTML (or text) as in the feed
    content: str | None = None  # HTML (or text) as in the feed
    base: str | None = None  # xml:base or item-level base for relative URLs
    enclosures: tuple[Enclosure, ...] = ()
    thumbnails: tuple[str, ...] = ()  # media:thumbnail / media:content images


@dataclass(frozen=True)
class ParsedFeed:
    """A whole feed as its format adapter read it."""

    format: str  # "rss", "atom", "rdf", "json"
    title: str | None = None
    link: str | None = None
    ttl_minutes: int | None = None
    entries: tuple[ParsedEntry, ...] = ()
    warning: str | None = None  # a recoverable problem (e.g. ill-formed XML parsed loosely)


@dataclass(frozen=True)
class Entry:
    """One item after normalisation: identity fixed, dates UTC, URLs absolute and safe, HTML sanitised."""

    identity: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None  # None: the store uses first-seen time, once
    updated: datetime | None
    summary: str  # sanitised HTML
    content: str  # sanitised HTML
    image: str | None  # lead image, absolute http(s) URL or None
    content_hash: str
    feed_date: datetime | None = None  # the feed's own date when it was implausible (not used)
    warning: str | None = None  # why the feed's date was set aside (normalize/dates.py)
    # The identity an older feedstation gave this item (fallback identities only): the store
    # re-keys a row stored under it rather than storing the item twice.
    former_identity: str | None = None
    enclosures: tuple[Enclosure, ...] = ()  # audio, video, torrents: absolute allow-listed URLs


@dataclass(frozen=True)
class ArticlePage:
    """A stored item whose page is to be fetched for its full text (new, or changed since the last try)."""

    entry_id: int
    link: str
    content_hash: str  # the item's hash now; the result is kept for it, so it is not fetched again
    feed_html: str  # the feed's own content (else summary), sanitised: what the article must beat
    etag: str | None = None  # validators of the page from the last try, for a conditional GET
    last_modified: str | None = None


@dataclass(frozen=True)
class FullText:
    """What fetching one item's page gave: the article, or why the feed's own text is kept."""

    entry_id: int
    for_hash: str  # ArticlePage.content_hash
    status: str  # "ok" (content is the article), "summary_kept" (shorter than the feed's), "failed"
    reason: str | None = None  # why not "ok", for `feedstation status --items`
    content: str | None = None  # sanitised article HTML when "ok"
    image: str | None = None  # the page's og:image (absolute, safe), used when the feed gives none
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False  # the page answered 304: keep the stored article, only for_hash moves


@dataclass(frozen=True)
class FullTextProblem:
    """An item whose full text could not be used, as `feedstation status --items` lists it."""

    feed: str  # "category › site › channel"
    title: str
    link: str | None
    status: str  # "summary_kept" or "failed"
    reason: str


@dataclass(frozen=True)
class FeedMeta:
    """Feed-level facts kept next to the feed row (from the parsed document)."""

    title: str | None = None
    link: str | None = None
    ttl_minutes: int | None = None
    warning: str | None = None  # recoverable parse problem, shown by `feedstation status`


@dataclass(frozen=True)
class StoredEntry:
    """An entry as publishers read it back from the store, with its place in the tree."""

    id: int
    feed_id: int
    category: str
    site: str
    channel: str
    identity: str
    title: str
    link: str | None
    author: str | None
    published: datetime  # effective date: the feed's date, else first-seen (aware UTC)
    updated: datetime | None
    first_seen: datetime
    last_seen: datetime
    summary: str
    content: str
    image: str | None
    content_hash: str
    enclosures: tuple[Enclosure, ...] = ()
    hidden_by: str | None = None  # the filter rule that hid it at the last publish (None: shown)

    @property
    def tree(self) -> tuple[str, str, str]:
        return (self.category, self.site, self.channel)


@dataclass(frozen=True, slots=True)
class Card:
    """An entry as lists, output feeds, the sitemap and neighbour links show it: everything but its body.

    The site build holds one Card per shown entry and reads a body only for the pages it renders
    (issue 19: memory and work grow with what changed, not with history). Title and content hash
    are the published ones (after filter rewrites); `excerpt` is the plain-text lead of the body.
    """

    id: int
    feed_id: int
    category: str
    site: str
    channel: str
    identity: str
    title: str
    link: str | None
    author: str | None
    image: str | None
    published: datetime
    updated: datetime | None
    first_seen: datetime
    content_hash: str  # stands for the body: the store rewrites it whenever the body changes
    excerpt: str
    enclosures: tuple[Enclosure, ...] = ()

    @property
    def tree(self) -> tuple[str, str, str]:
        return (self.category, self.site, self.channel)


@dataclass(frozen=True)
class SkippedEntry:
    """A stored row that publishing could not read or render, and so left out (issue 11)."""

    feed_id: int | None
    feed: str  # "category › site › channel", or the feed id when even that is unreadable
    entry_id: int | None
    identity: str
    reason: str

    @classmethod
    def of(cls, entry: StoredEntry | Card, reason: str) -> SkippedEntry:
        """An entry that was read but cannot be rendered by a publisher, and why."""
        return cls(feed_id=entry.feed_id, feed=" › ".join(entry.tree), entry_id=entry.id, identity=entry.identity,
                   reason=reason)

    def line(self) -> str:
        return f"{self.feed}: entry {self.identity!r} (row {self.entry_id}) skipped: {self.reason}"


@dataclass(frozen=True)
class FeedReport:
    """The per-feed line of a run's health table."""

    source: Source
    status: str  # "ok", "not_modified", "error", "skipped" (backing off)
    new: int = 0
    updated: int = 0
    http_status: int | None = None
    elapsed: float = 0.0
    served_by: str | None = None
    error: str | None = None
    network_failure: NetworkFailure | None = None


@dataclass(frozen=True)
class FeedHealth:
    """A feed row as `feedstation status` shows it."""

    category: str
    site: str
    channel: str
    url: str
    status: str
    http_status: int | None
    error: str | None
    consecutive_failures: int
    failing_since: datetime | None
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    next_attempt_at: datetime | None
    served_by: str | None
    entry_count: int = 0
    warning: str | None = None


@dataclass(frozen=True)
class FeedsOverview:
    """How the configured feeds stand, for a site with no items yet: counts and the commonest failure reasons."""

    feeds: int
    never_fetched: int
    failing: int
    reasons: tuple[tuple[str, int], ...]  # (reason, feeds) most common first, at most a few (outage.TOP_REASONS)


@dataclass(frozen=True)
class FetchSettings:
    """HTTP hygiene settings for one run (from the config's `fetch` section)."""

    concurrency: int = 64
    per_host: int = 6
    timeout: float = 20.0  # total deadline per request attempt: connect + all reads
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # longest silence between two reads
    max_bytes: int = 10 * 1024 * 1024  # cap on the *decompressed* body
    retries: int = 3
    max_redirects: int = 5
    allow_private_addresses: bool = False
    user_agent: str = "feedstation/0.1 (+https://github.com/feedstation/feedstation)"
    rsshub_instances: tuple[str, ...] = ()
    rsshub_strategy: str = "failover"  # fetch/instance_order.py
    # (instance, RSSHub ACCESS_KEY) pairs; never printed (repr=False) and never put in a URL as is
    # (fetch/access_key.py signs each request with a per-path code instead).
    rsshub_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # Hosts the user named in the config (RSSHub instances): exempt from the private-address
    # guard, so a self-hosted RSSHub on localhost works; redirects from them are still checked.
    trusted_hosts: tuple[str, ...] = ()
    backoff_base: float = 0.5  # seconds; retry n waits base * 2**n plus jitter
    backoff_cap: float = 30.0  # longest in-run wait (a longer Retry-After fails the attempt)


@dataclass(frozen=True)
class SiteSettings:
    """What the website and output feeds need from the config's `site` section."""

    title: str = "feedstation"
    url: str = "https://example.com"  # public base URL, no trailing slash needed
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"  # IANA name; dates are shown in it
    description: str = ""
    page_size: int = 50
    feed_items: int = 50  # items per output feed
    theme_dir: str | None = None  # user templates overriding built-in ones by name
    layout: str = "board"  # home page: "board" (a card per channel) or "stream" (newest items)
    board_items: int = 8  # titles per channel card on the board
    dedupe: bool = True  # one story once on list pages and site feeds (feedstation.dedupe)
