"""Fetch stage: retrieve each Source's bytes (HTTP, RSSHub instances, local files) as a Fetched value."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from types import TracebackType

import aiohttp
from yarl import URL

from feedstation.fetch.access_key import InstanceSigner, redact, unsigned
from feedstation.fetch.address_guard import GuardedResolver
from feedstation.fetch.client import ACCEPT, Attempt, fetch_once
from feedstation.fetch.instance_order import instance_order
from feedstation.fetch.local import is_local_source, read_local
from feedstation.fetch.retry import retry_delay
from feedstation.models import FeedState, Fetched, FetchSettings, FetchStatus, Source

__all__ = ["Fetcher", "instance_label"]

log = logging.getLogger(__name__)

_RSSHUB = "rsshub:"

# One try of a retriever: what happened, and who answered (RSSHub instance, host or "file").
Try = Callable[[], Awaitable[tuple[Attempt, str | None]]]


class Fetcher:
    """One per run: owns the HTTP session and the global and per-host concurrency caps.

    `fetch` may be called from many tasks at once; it never raises for expected
    failures (network, HTTP status, caps, address guard) but returns them as
    `Fetched(status=ERROR, error=...)`.
    """

    def __init__(self, settings: FetchSettings, *, trusted_hosts: frozenset[str] = frozenset()) -> None:
        self.settings = settings
        # Hosts exempt from the address guard even when private: the configured RSSHub
        # instances (settings.trusted_hosts) plus any the caller adds (tests use it to start
        # from 127.0.0.1 and check where redirects may go).
        self._trusted_hosts = frozenset(trusted_hosts) | frozenset(settings.trusted_hosts)
        self._session: aiohttp.ClientSession | None = None
        self._resolver: GuardedResolver | None = None
        self._global: asyncio.Semaphore | None = None
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        self._random = random.Random()

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._resolver = GuardedResolver(s.allow_private_addresses, self._trusted_hosts)
        connector = aiohttp.TCPConnector(
            resolver=self._resolver, limit=s.concurrency, limit_per_host=s.per_host, ttl_dns_cache=300
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # total=None: the per-attempt deadline is asyncio.timeout() in client.py,
            # which also covers redirect hops and a drip-fed body.
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=s.connect_timeout, sock_read=s.read_timeout),
            auto_decompress=False,  # we inflate ourselves, under max_bytes (fetch/body.py)
            headers={"User-Agent": s.user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),  # no cookies leaking from one feed to another
            trust_env=False,  # no proxy from the environment bypassing the address guard
        )
        self._global = asyncio.Semaphore(s.concurrency)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def fetch(self, source: Source, state: FeedState) -> Fetched:
        """Retrieve `source` (conditional on `state`'s validators); never raises for expected failures."""
        if self._session is None:
            raise RuntimeError("Fetcher.fetch called outside `async with Fetcher(...)`")
        started = time.monotonic()
        url = source.url
        if url.startswith(_RSSHUB):
            attempt, served_by = await self._fetch_rsshub(url[len(_RSSHUB):], state)
        elif url.startswith(("http://", "https://")):
            attempt, served_by = await self._with_retries(lambda: self._http_try(url, state))
        elif is_local_source(url):
            attempt, served_by = await read_local(url, self.settings.max_bytes), "file"
        else:
            attempt = Attempt(
                status=FetchStatus.ERROR,
                url=url,
                error=f"unsupported source URL {url!r}: use http(s)://, rsshub:/route, or an absolute file path",
            )
            served_by = None
        return _to_fetched(source, attempt, served_by, time.monotonic() - started)

    async def fetch_resource(self, url: str, *, accept: str, max_bytes: int | None = None,
                             state: FeedState | None = None) -> Attempt:
        """GET a non-feed resource (a site's home page, an icon, an article page) under the same caps,
        address guard, redirects and retries as feeds; `max_bytes` may only lower fetch.max_bytes;
        `state`'s validators make it conditional (a 304 is `FetchStatus.NOT_MODIFIED`).
        Never raises for expected failures; the caller judges the bytes."""
        if self._session is None:
            raise RuntimeError("Fetcher.fetch_resource called outside `async with Fetcher(...)`")
        if not url.startswith(("http://", "https://")):
            return Attempt(status=FetchStatus.ERROR, url=url, error=f"not an http(s) URL: {url[:200]!r}")
        settings = self.settings
        if max_bytes is not None and max_bytes < settings.max_bytes:
            settings = replace(settings, max_bytes=max_bytes)
        attempt, _served_by = await self._with_retries(
            lambda: self._http_try(url, state or FeedState(), accept, settings))
        return attempt

    async def _http_try(self, url: str, state: FeedState, accept: str = ACCEPT,
                        settings: FetchSettings | None = None,
                        redirect_hook: Callable[[URL], URL] | None = None) -> tuple[Attempt, str | None]:
        """One attempt under the caps. Per-host first, then global: waiting for a busy host
        must not sit on a global slot that other hosts could use."""
        assert self._session is not None and self._resolver is not None and self._global is not None
        async with self._per_host[_host_of(url)], self._global:
            attempt = await fetch_once(self._session, self._resolver, url, state, settings or self.settings,
                                       accept=accept, redirect_hook=redirect_hook)
        return attempt, _host_of(attempt.url) or None

    async def _with_retries(self, attempt_once: Try) -> tuple[Attempt, str | None]:
        """Retry transient failures with backoff; the waits happen outside every semaphore."""
        s = self.settings
        for n in range(s.retries + 1):
            attempt, served_by = await attempt_once()
            if attempt.ok or not attempt.transient or n == s.retries:
                return attempt, served_by
            delay = retry_delay(n, attempt.retry_after, s.backoff_base, s.backoff_cap, self._random.random())
            if delay is None:
                log.debug("not retrying %s: Retry-After %ss exceeds fetch.backoff_cap", attempt.url, attempt.retry_after)
                return attempt, served_by
            log.debug("retrying %s in %.2fs after: %s", attempt.url, delay, attempt.error)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns on its last iteration")

    async def _fetch_rsshub(self, path: str, state: FeedState) -> tuple[Attempt, str | None]:
        instances = self.settings.rsshub_instances
        if not instances:
            return (
                Attempt(
                    status=FetchStatus.ERROR,
                    url=_RSSHUB + path,
                    error="no RSSHub instance configured for this rsshub: source; set rsshub.instances",
                ),
                None,
            )
        path = path if path.startswith("/") else "/" + path
        instances = instance_order(instances, path, self.settings.rsshub_strategy)
        # Each round tries every instance once, in order: the next instance is a better
        # "retry" than waiting on a failing one. Whole rounds are retried with backoff, but an
        # instance whose failure a retry cannot change (RSSHub's own route error, a 404, a
        # refused address) is settled for this run: later rounds only ask the others.
        settled: dict[str, Attempt] = {}
        return await self._with_retries(lambda: self._rsshub_round(instances, path, state, settled))

    async def _rsshub_round(
        self, instances: tuple[str, ...], path: str, state: FeedState, settled: dict[str, Attempt]
    ) -> tuple[Attempt, str | None]:
        failures: list[tuple[str, Attempt]] = []
        for instance in instances:
            if instance in settled:
                failures.append((instance, settled[instance]))
                continue
            attempt = await self._instance_try(instance, path, state)
            if attempt.ok:
                return attempt, instance
            log.debug("RSSHub instance %s failed for %s: %s", instance_label(instance), path, attempt.error)
            if not attempt.transient:
                settled[instance] = attempt
            failures.append((instance, attempt))
        return _all_instances_failed(path, failures), None


    async def _instance_try(self, instance: str, path: str, state: FeedState) -> Attempt:
        """One request to one instance, signed with its access key if it has one (each redirect hop
        back to the instance too); the key and the codes made from it are removed from the attempt's
        URL and error before anyone sees them."""
        key = dict(self.settings.rsshub_keys).get(instance)
        if not key:
            attempt, _host = await self._http_try(instance.rstrip("/") + path, state)
            return attempt
        signer = InstanceSigner(instance, key)
        attempt, _host = await self._http_try(signer.url(path), state, redirect_hook=signer)
        return dataclasses.replace(attempt, url=redact(unsigned(attempt.url), signer.secrets) or "",
                                   error=redact(attempt.error, signer.secrets))


def _host_of(url: str) -> str:
    """Lower-cased host of `url`, or "" when it has none or cannot be parsed (client.py reports that)."""
    try:
        return (URL(url).host or "").lower()
    except ValueError:
        return ""


def instance_label(instance: str) -> str:
    """An instance as messages name it: `127.0.0.1:1200`, `rsshub.example.org/sub` (no scheme, no userinfo)."""
    try:
        url = URL(instance)
    except ValueError:
        return instance
    host = url.host or ""
    if url.explicit_port:
        host = f"{host}:{url.port}"
    return host + url.path.rstrip("/")


def _all_instances_failed(path: str, failures: list[tuple[str, Attempt]]) -> Attempt:
    """One error naming each instance's failure; retryable if any instance might recover."""
    transient = [a for _i, a in failures if a.transient]
    waits = [a.retry_after for a in transient]
    # Only honour Retry-After as a round delay if every retryable instance asked for one.
    retry_after = min(waits) if waits and all(w is not None for w in waits) else None  # type: ignore[type-var]
    detail = "; ".join(f"{instance_label(instance)}: {a.error}" for instance, a in failures)
    last = failures[-1][1]
    unreached = [a.network_failure for _i, a in failures]
    # Only "never reached a server" if no instance answered at all.
    network_failure = unreached[0] if all(unreached) else None
    return Attempt(
        status=FetchStatus.ERROR,
        url=last.url,
        http_status=last.http_status,
        error=f"{_failed(len(failures))} for {path}: {detail}",
        transient=bool(transient),
        retry_after=retry_after,
        network_failure=network_failure,
    )


def _failed(n: int) -> str:
    return f"all {n} RSSHub instances failed" if n > 1 else "the RSSHub instance failed"


def _to_fetched(source: Source, attempt: Attempt, served_by: str | None, elapsed: float) -> Fetched:
    ok = attempt.status is FetchStatus.OK
    return Fetched(
        source=source,
        status=attempt.status,
        body=attempt.body if ok else b"",
        final_url=attempt.url,
        served_by=served_by,
        http_status=attempt.http_status,
        content_type=attempt.content_type,
        etag=attempt.etag if ok else None,
        last_modified=attempt.last_modified if ok else None,
        error=attempt.error,
        elapsed=elapsed,
        retry_after=attempt.retry_after if attempt.status is FetchStatus.ERROR else None,
        max_age=attempt.max_age,
        network_failure=attempt.network_failure if attempt.status is FetchStatus.ERROR else None,
    )
