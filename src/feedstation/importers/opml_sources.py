"""OPML lists as `sources` entries: expanded into leaves when the sources are worked out, remote ones cached.

Config loading stays pure: a local list is read when `Config.sources()` is first asked for
(so the next run sees its changes), and a remote list is read from its last good copy in the
data folder. Only `refresh_remote_lists`, called at the start of a fetch run, touches the
network, through the one `Fetcher` (caps, address guard). A list that cannot be downloaded
keeps its last good copy, so a dead OPML URL does not drop its feeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from feedstation.errors import ConfigError
from feedstation.fetch import Fetcher
from feedstation.fetch.local import local_path
from feedstation.importers.model import TreeImport
from feedstation.importers.opml_in import read_opml
from feedstation.importers.tree import place_feeds
from feedstation.models import FeedState, FetchSettings, FetchStatus, Source
from feedstation.publish.writer import OutputWriter
from feedstation.source_tree import OpmlGraft

log = logging.getLogger(__name__)

MAX_LOCAL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ListRefresh:
    """What downloading one remote OPML list did (a value, never raised)."""

    url: str
    ok: bool
    feeds: int = 0
    error: str | None = None


def is_remote(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def cache_path(cache_dir: Path, url: str) -> Path:
    return Path(cache_dir) / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:16] + ".opml")


def expand_graft(graft: OpmlGraft, cache_dir: Path, config_name: str, *,
                 taken: Iterable[tuple[str, str, str]], known_urls: Iterable[str]) -> list[Source]:
    """The leaves an OPML entry of the tree stands for; its problems are logged, a missing local file is a ConfigError."""
    if is_remote(graft.location):
        path = cache_path(cache_dir, graft.location)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            log.warning("%s: OPML list %s has not been downloaded yet; its feeds join at the next `feedstation run`",
                        graft.key, graft.location)
            return []
        result = read_opml(body, graft.location, from_web=True, prefix=graft.prefix)
    else:
        result = read_opml(_read_local(graft, config_name), graft.location, from_web=False, prefix=graft.prefix)
        if not result.feeds and result.notes_of("malformed"):
            raise ConfigError(config_name, graft.key, f"the OPML list {graft.location} cannot be read: "
                                                      f"{result.notes_of('malformed')[0].message}")
    placed = place_feeds(result.feeds, taken=taken, known_urls=known_urls)
    for note in result.notes + placed.notes:
        log.warning("OPML list in %s: %s", graft.key, note)
    return [Source(f.category, f.site, f.channel, f.url) for f in placed.feeds]


def refresh_remote_lists(grafts: Sequence[OpmlGraft], cache_dir: Path, settings: FetchSettings) -> list[ListRefresh]:
    """Download every remote OPML list; a good answer replaces its cached copy, a bad one leaves it."""
    urls = list(dict.fromkeys(g.location for g in grafts if is_remote(g.location)))
    if not urls:
        return []
    return asyncio.run(_refresh(urls, Path(cache_dir), settings))


async def download_opml(fetcher: Fetcher, url: str) -> tuple[bytes | None, str | None]:
    """(body, None) or (None, reason), through the shared Fetcher."""
    fetched = await fetcher.fetch(Source("opml", "list", url, url), FeedState())
    if fetched.status is not FetchStatus.OK:
        return None, fetched.error or "no answer"
    return fetched.body, None


def fetch_opml(url: str, settings: FetchSettings) -> tuple[bytes | None, str | None]:
    """One OPML list from the web (for `feedstation import opml URL`)."""
    async def one() -> tuple[bytes | None, str | None]:
        async with Fetcher(settings) as fetcher:
            return await download_opml(fetcher, url)
    return asyncio.run(one())


async def _refresh(urls: list[str], cache_dir: Path, settings: FetchSettings) -> list[ListRefresh]:
    async with Fetcher(settings) as fetcher:
        answers = await asyncio.gather(*(download_opml(fetcher, url) for url in urls))
    results = []
    for url, (body, error) in zip(urls, answers):
        result = _keep_if_good(url, body, error, cache_dir)
        if not result.ok:
            kept = "keeping the last good copy" if cache_path(cache_dir, url).exists() else "no copy yet, its feeds are left out"
            log.warning("OPML list %s: %s; %s", url, result.error, kept)
        results.append(result)
    return results


def _keep_if_good(url: str, body: bytes | None, error: str | None, cache_dir: Path) -> ListRefresh:
    if body is None:
        return ListRefresh(url, False, error=error)
    result: TreeImport = read_opml(body, url, from_web=True)
    if not result.feeds:
        reason = result.notes[0].message if result.notes else "it lists no feeds"
        return ListRefresh(url, False, error=f"not a usable OPML list ({reason})")
    path = cache_path(cache_dir, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    OutputWriter(path.parent).write(path.name, body)
    return ListRefresh(url, True, feeds=len(result.feeds))


def _read_local(graft: OpmlGraft, config_name: str) -> bytes:
    try:
        path = local_path(graft.location)
        with path.open("rb") as handle:
            body = handle.read(MAX_LOCAL_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(config_name, graft.key, f"OPML list not found: {graft.location}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(config_name, graft.key, f"cannot read the OPML list {graft.location}: {exc}") from None
    if len(body) > MAX_LOCAL_BYTES:
        raise ConfigError(config_name, graft.key, f"the OPML list {graft.location} is larger than 10 MiB")
    return body
