"""One HTTP attempt: conditional GET, manual guarded redirects, total deadline, capped decoded body."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus

import aiohttp
from yarl import URL

from feedstation.fetch.address_guard import AddressRefused, GuardedResolver
from feedstation.fetch.body import BadEncoding, BodyTooLarge, read_capped
from feedstation.fetch.retry import is_transient_status, parse_retry_after
from feedstation.fetch.rsshub_page import MAX_PAGE, rsshub_error_message
from feedstation.models import FeedState, FetchSettings, FetchStatus, NetworkFailure
from feedstation.parse.sniff import describe_start, detect_format, is_opml, looks_like_feed

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
# RFC 9110 §15.4: the redirect statuses that carry a Location to follow.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt (all redirect hops); `transient` says whether a retry may help."""

    status: FetchStatus
    url: str
    body: bytes = b""
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None
    error: str | None = None
    transient: bool = False
    retry_after: float | None = None
    # RSSHub's own message from its error page on a non-2xx answer (fetch/rsshub_page.py)
    rsshub_message: str | None = None
    network_failure: NetworkFailure | None = None

    @property
    def ok(self) -> bool:
        return self.status is not FetchStatus.ERROR


def conditional_headers(state: FeedState) -> dict[str, str]:
    """Validators from the last 200 (RFC 9110 §13.1.1 If-None-Match, §13.1.3 If-Modified-Since)."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = if_none_match(state.etag)
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def if_none_match(etag: str) -> str:
    """A stored weak ETag in both forms, `W/"x", "x"`; a strong one as it came.

    RSSHub (Hono's etag middleware behind compression) sends `W/"x"` on a gzip response but
    compares If-None-Match against the strong `"x"` only, so the weak tag alone never gets a
    304. RFC 9110 §13.1.2 allows a list, and If-None-Match uses the weak comparison, under
    which both forms name the same representation. A strong tag is sent alone: servers that
    compare the header as one string (many do) keep answering 304.
    """
    etag = etag.strip()
    if etag.startswith('W/"') and etag.endswith('"') and "," not in etag:
        return f"{etag}, {etag[2:]}"
    return etag


def parse_max_age(cache_control: str | None) -> float | None:
    """Seconds from `Cache-Control: max-age=N` (RFC 9111 §5.2.2.1), or None."""
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


def redirect_target(current: URL, location: str, resolver: GuardedResolver) -> URL | str:
    """The next hop for a redirect, or an error message if it may not be followed.

    Location may be relative (RFC 9110 §10.2.2). Only http/https are followed, and
    literal-IP targets are checked here because the connector skips the resolver for them.
    """
    try:
        target = current.join(URL(location))
    except ValueError:
        return f"redirect to an invalid URL: {location!r}"
    if target.scheme not in ("http", "https"):
        return f"refused redirect to a non-HTTP URL: {str(target)[:200]}"
    if not target.host:
        return f"redirect to a URL without a host: {location!r}"
    return resolver.host_refusal(target.host) or target


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _not_a_feed(body: bytes) -> str:
    if detect_format(body) == "html":
        return "the server returned an HTML page, not a feed (login page or error page?)"
    return f"the response is not RSS, Atom or JSON Feed ({describe_start(body)})"


def _error(url: str, message: str, transient: bool, **fields) -> Attempt:
    return Attempt(status=FetchStatus.ERROR, url=url, error=message, transient=transient, **fields)


async def fetch_once(
    session: aiohttp.ClientSession,
    resolver: GuardedResolver,
    url: str,
    state: FeedState,
    settings: FetchSettings,
    now: datetime | None = None,
    *,
    accept: str = ACCEPT,
    redirect_hook: Callable[[URL], URL] | None = None,
) -> Attempt:
    """Make one attempt at `url`, following redirects; never raises for network or HTTP failures.

    With the default `accept` the body must look like a feed; with any other (an icon, a home
    page) the caller judges the bytes itself. `redirect_hook` rewrites each redirect target before
    it is requested (a keyed RSSHub instance signs the new path: fetch/access_key.py).
    """
    try:
        current = URL(url)
    except ValueError as exc:
        return _error(url, f"invalid URL {url[:200]!r}: {exc}", False)
    deadline = asyncio.timeout(settings.timeout)
    try:
        async with deadline:
            return await _follow(session, resolver, current, state, settings, now, accept, redirect_hook)
    except TimeoutError:
        if deadline.expired():
            return _error(url, f"timed out after {settings.timeout:g}s (total deadline for the request)", True)
        raise


async def _follow(
    session: aiohttp.ClientSession,
    resolver: GuardedResolver,
    current: URL,
    state: FeedState,
    settings: FetchSettings,
    now: datetime | None,
    accept: str = ACCEPT,
    redirect_hook: Callable[[URL], URL] | None = None,
) -> Attempt:
    headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate, br", **conditional_headers(state)}
    url = str(current)
    if current.scheme not in ("http", "https") or not current.host:
        return _error(url, f"not an http(s) URL: {url[:200]}", False)
    refusal = resolver.host_refusal(current.host)
    if refusal:
        return _error(url, refusal, False)
    for _hop in range(settings.max_redirects + 1):
        url = str(current)
        try:
            async with session.get(current, headers=headers, allow_redirects=False) as resp:
                if resp.status in _REDIRECTS and "Location" in resp.headers:
                    target = redirect_target(current, resp.headers["Location"], resolver)
                    if isinstance(target, str):
                        return _error(url, target, False, http_status=resp.status)
                    current = redirect_hook(target) if redirect_hook else target
                    continue
                return await _finish(resp, url, settings, now, expect_feed=accept == ACCEPT)
        except AddressRefused as exc:
            return _error(url, str(exc), False)
        except aiohttp.ClientError as exc:
            return _client_error(url, exc, settings)
    return _error(url, f"too many redirects (more than {settings.max_redirects})", False)


async def _finish(
    resp: aiohttp.ClientResponse, url: str, settings: FetchSettings, now: datetime | None, *, expect_feed: bool = True
) -> Attempt:
    fields = {
        "http_status": resp.status,
        "content_type": resp.headers.get("Content-Type"),
        "max_age": parse_max_age(resp.headers.get("Cache-Control")),
    }
    if resp.status == 304:
        return Attempt(status=FetchStatus.NOT_MODIFIED, url=url, **fields)
    if not 200 <= resp.status < 300:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"), now or datetime.now(timezone.utc))
        message = await _error_page_message(resp)
        # RSSHub answers 503 for every route error (upstream down, route broken, bad parameter)
        # and says so on its error page: that is this route's failure on this instance, which
        # asking again within the run will not change. A bare 503 (overload, a proxy) may pass.
        transient = is_transient_status(resp.status) and not (message and resp.status == 503)
        error = f"{resp.status} — {message}" if message else _status_text(resp.status)
        return _error(url, error, transient, retry_after=retry_after, rsshub_message=message, **fields)
    try:
        body = await read_capped(
            resp.content.iter_chunked(_CHUNK), resp.headers.get("Content-Encoding"), settings.max_bytes
        )
    except (BodyTooLarge, BadEncoding) as exc:
        # Stop reading now: closing drops the connection instead of draining a bomb.
        resp.close()
        return _error(url, str(exc), False, **fields)
    if not body.strip():
        return _error(url, "empty response body", False, **fields)
    if expect_feed and not looks_like_feed(body) and not is_opml(body):  # OPML: a list of sources (importers/opml_sources.py)
        return _error(url, _not_a_feed(body), False, **fields)
    return Attempt(
        status=FetchStatus.OK,
        url=url,
        body=body,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
        **fields,
    )


async def _error_page_message(resp: aiohttp.ClientResponse) -> str | None:
    """RSSHub's message from an error page body, read under a small cap; None for any other body."""
    if "html" not in (resp.headers.get("Content-Type") or "").lower():
        return None
    try:
        body = await read_capped(resp.content.iter_chunked(_CHUNK), resp.headers.get("Content-Encoding"), MAX_PAGE)
    except (BodyTooLarge, BadEncoding):
        resp.close()
        return None
    except (aiohttp.ClientError, asyncio.IncompleteReadError):
        return None
    return rsshub_error_message(body)


def _client_error(url: str, exc: aiohttp.ClientError, settings: FetchSettings) -> Attempt:
    """Name what failed in one line; say whether trying again in this run could help."""
    host = URL(url).host
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return _error(url, f"could not connect to {host} within {settings.connect_timeout:g}s", True,
                      network_failure=NetworkFailure("connect", host or ""))
    if isinstance(exc, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError):
        return _error(url, f"{host} sent nothing for {settings.read_timeout:g}s (fetch.read_timeout)", True)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        cause = exc.os_error
        # EAI_AGAIN is a temporary resolver failure; "no such host" will not fix itself.
        transient = isinstance(cause, socket.gaierror) and cause.errno == socket.EAI_AGAIN
        return _error(url, f"DNS lookup failed for {host}: {cause.strerror or cause}", transient,
                      network_failure=NetworkFailure("dns", host or ""))
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return _error(url, f"TLS certificate error for {host}: {exc.certificate_error}", False)
    if isinstance(exc, aiohttp.ClientSSLError) or isinstance(exc.__cause__, ssl.SSLError):
        return _error(url, f"TLS error with {host}: {exc}", False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or str(exc.os_error)
        return _error(url, f"could not connect to {exc.host}:{exc.port}: {reason}", True,
                      network_failure=NetworkFailure("connect", exc.host or host or ""))
    if isinstance(exc, aiohttp.InvalidURL):
        return _error(url, f"invalid URL: {exc}", False)
    if isinstance(exc, aiohttp.ClientResponseError):
        return _error(url, f"bad HTTP response from {host}: {exc.message}", True)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return _error(url, f"connection to {host} broke: {exc}", True)
    return _error(url, f"HTTP client error with {host}: {type(exc).__name__}: {exc}", True)
