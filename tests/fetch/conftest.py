"""Fixtures for fetch tests: a real loopback HTTP server and a helper that runs one Fetcher call."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator

import pytest

from feedstation.fetch import Fetcher
from feedstation.models import FeedState, Fetched, FetchSettings, Source
from tests.loopback import LoopbackServer

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
    b"<item><title>one</title><link>https://example.com/1</link></item></channel></rss>\n"
)

FetchOne = Callable[..., Fetched]


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    yield from LoopbackServer.fixture()


@pytest.fixture
def settings() -> FetchSettings:
    """Loopback-friendly settings: private addresses allowed (the server is 127.0.0.1), quick backoff."""
    return FetchSettings(allow_private_addresses=True, backoff_base=0.01, backoff_cap=2.0, timeout=10.0)


def source(url: str) -> Source:
    return Source(category="c", site="s", channel="ch", url=url)


async def fetch_many(
    settings: FetchSettings, urls: list[str], state: FeedState | None = None, **fetcher_kwargs: object
) -> list[Fetched]:
    async with Fetcher(settings, **fetcher_kwargs) as fetcher:  # type: ignore[arg-type]
        return list(await asyncio.gather(*(fetcher.fetch(source(u), state or FeedState()) for u in urls)))


@pytest.fixture
def fetch_one(settings: FetchSettings) -> FetchOne:
    """`fetch_one(url, state=None, **setting_overrides)` → Fetched, through a fresh Fetcher."""

    def run(url: str, state: FeedState | None = None, trusted_hosts: frozenset[str] = frozenset(), **overrides: object) -> Fetched:
        merged = dataclasses.replace(settings, **overrides)  # type: ignore[arg-type]
        return asyncio.run(fetch_many(merged, [url], state, trusted_hosts=trusted_hosts))[0]

    return run
