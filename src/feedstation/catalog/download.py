"""`routes update`: GET `<instance>/api/namespace` from the first instance that answers, validate, cache."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

from feedstation.catalog.cache import save_catalog
from feedstation.catalog.model import Catalog, Namespace, UpdateReport
from feedstation.catalog.payload import Malformed, read_namespaces
from feedstation.errors import CatalogError
from feedstation.fetch.body import BadEncoding, BodyTooLarge, read_capped

logger = logging.getLogger(__name__)

USER_AGENT = "feedstation"
API_PATH = "/api/namespace"
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5


class _Refused(Exception):
    """This instance's answer cannot be used; the next instance is tried."""


def update_catalog(
    instances: Sequence[str], path: Path, *, timeout: float = 30, max_bytes: int = 20_000_000
) -> UpdateReport:
    """Download the route catalog from the first instance that answers with valid JSON and cache it at `path`.

    Instances are tried in order; each failure is kept in the report (or, if all fail,
    in the CatalogError) so the user sees why an instance was passed over.
    """
    if not instances:
        raise CatalogError("no RSSHub instance configured: add one under `rsshub.instances` in the config")
    for instance in instances:
        if not instance.lower().startswith(("http://", "https://")):
            raise CatalogError(f"RSSHub instance {instance!r} is not an http(s) URL: fix `rsshub.instances` in the config")
    instance, namespaces, skipped, failures = asyncio.run(_first_answer(instances, timeout, max_bytes))
    if instance is None:
        reasons = "; ".join(f"{url}: {reason}" for url, reason in failures)
        raise CatalogError(
            f"could not download the RSSHub route catalog from any instance ({reasons}); "
            "check `rsshub.instances` in the config or try again later"
        )
    now = datetime.now(timezone.utc).replace(microsecond=0)
    catalog = Catalog(namespaces=namespaces, instance=instance, fetched_at=now, skipped=skipped)
    save_catalog(catalog, Path(path))
    logger.info("route catalog from %s: %d namespaces, %d routes, %d malformed skipped",
                instance, len(namespaces), catalog.route_count, skipped)
    return UpdateReport(instance=instance, namespaces=len(namespaces), routes=catalog.route_count, skipped=skipped,
                        path=str(path), fetched_at=now, failures=tuple(failures))


async def _first_answer(
    instances: Sequence[str], timeout: float, max_bytes: int
) -> tuple[str | None, tuple[Namespace, ...], int, list[tuple[str, str]]]:
    failures: list[tuple[str, str]] = []
    # auto_decompress=False: read_capped decodes and counts the *decompressed* bytes, so a
    # small gzip bomb cannot get past the cap.
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        auto_decompress=False,
    ) as session:
        for instance in instances:
            url = instance.rstrip("/") + API_PATH
            try:
                body = await _download(session, url, max_bytes)
                namespaces, skipped = _decode(body)
            except _Refused as exc:
                logger.debug("route catalog: %s passed over: %s", instance, exc)
                failures.append((instance, str(exc)))
                continue
            return instance, namespaces, skipped, failures
    return None, (), 0, failures


async def _download(session: aiohttp.ClientSession, url: str, max_bytes: int) -> bytes:
    too_large = f"response is larger than the {max_bytes}-byte cap"
    try:
        async with session.get(url, max_redirects=_MAX_REDIRECTS) as response:
            if response.status != 200:
                raise _Refused(f"HTTP {response.status} from {url}")
            if response.content_length is not None and response.content_length > max_bytes:
                raise _Refused(too_large)
            return await read_capped(response.content.iter_chunked(_CHUNK),
                                     response.headers.get("Content-Encoding"), max_bytes)
    except BodyTooLarge:
        raise _Refused(too_large) from None
    except BadEncoding as exc:
        raise _Refused(str(exc)) from None
    except asyncio.TimeoutError:
        raise _Refused(f"no complete answer from {url} within the time limit") from None
    except aiohttp.TooManyRedirects:
        raise _Refused(f"more than {_MAX_REDIRECTS} redirects from {url}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise _Refused(f"cannot reach {url}: {exc.__class__.__name__}: {exc}") from None


def _decode(body: bytes) -> tuple[tuple[Namespace, ...], int]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays, a cheap attack on json
        raise _Refused("response is not JSON") from None
    try:
        namespaces, skipped = read_namespaces(data)
    except Malformed as exc:
        raise _Refused(f"response is not an RSSHub namespace list: {exc}") from None
    if not namespaces:
        raise _Refused(f"response holds no usable routes ({skipped} malformed)")
    return namespaces, skipped
