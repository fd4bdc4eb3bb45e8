"""`routes update`: GET `<instance>/api/namespace` from the first instance that answers, validate, cache."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from yarl import URL

from feedstation.catalog.cache import save_catalog
from feedstation.catalog.model import Catalog, Namespace, UpdateReport
from feedstation.catalog.payload import Malformed, read_namespaces_reporting
from feedstation.errors import CatalogError
from feedstation.fetch import Fetcher
from feedstation.fetch.access_key import redact, signed_url
from feedstation.models import FeedState, FetchSettings, FetchStatus, Source

logger = logging.getLogger(__name__)

USER_AGENT = FetchSettings.user_agent
API_PATH = "/api/namespace"


class _Refused(Exception):
    """This instance's answer cannot be used; the next instance is tried."""


def update_catalog(
    instances: Sequence[str], path: Path, *, timeout: float = 30, max_bytes: int = 20_000_000,
    user_agent: str = USER_AGENT, access_keys: Mapping[str, str] | None = None,
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
    settings = FetchSettings(timeout=timeout, connect_timeout=min(10.0, timeout), read_timeout=min(15.0, timeout),
                             max_bytes=max_bytes, retries=0, user_agent=user_agent,
                             trusted_hosts=tuple((urlsplit(i).hostname or "") for i in instances))
    instance, namespaces, skipped, failures = asyncio.run(_first_answer(instances, settings, dict(access_keys or {})))
    if instance is None:
        reasons = "; ".join(f"{url}: {reason}" for url, reason in failures)
        raise CatalogError(
            f"could not download the RSSHub route catalog from any instance ({reasons}); "
            "check `rsshub.instances` in the config or try again later"
        )
    now = datetime.now(timezone.utc).replace(microsecond=0)
    catalog = Catalog(namespaces=namespaces, instance=instance, fetched_at=now, skipped=len(skipped))
    save_catalog(catalog, Path(path))
    logger.info("route catalog from %s: %d namespaces, %d routes, %d malformed entries skipped",
                instance, len(namespaces), catalog.route_count, len(skipped))
    for reason in skipped:
        logger.debug("route catalog: skipped %s", reason)
    return UpdateReport(instance=instance, namespaces=len(namespaces), routes=catalog.route_count,
                        skipped=len(skipped), path=str(path), fetched_at=now, failures=tuple(failures),
                        skipped_reasons=skipped)


async def _first_answer(
    instances: Sequence[str], settings: FetchSettings, access_keys: dict[str, str]
) -> tuple[str | None, tuple[Namespace, ...], tuple[str, ...], list[tuple[str, str]]]:
    failures: list[tuple[str, str]] = []
    # The same Fetcher as feeds use: timeouts, the decompressed-size cap, redirects and
    # the address guard all live in fetch/, once.
    async with Fetcher(settings) as fetcher:
        for instance in instances:
            key = access_keys.get(instance)
            url = signed_url(instance, API_PATH, key) if key else instance.rstrip("/") + API_PATH
            fetched = await fetcher.fetch(Source("rsshub", "catalog", instance, url), FeedState())
            if key:  # the code opens this path: it must not reach a message
                fetched = replace(fetched, error=redact(fetched.error, (key, URL(url).query.get("code", ""))))
            try:
                if fetched.status is not FetchStatus.OK:
                    raise _Refused(fetched.error or "no answer")
                namespaces, skipped = _decode(fetched.body)
            except _Refused as exc:
                logger.debug("route catalog: %s passed over: %s", instance, exc)
                failures.append((instance, str(exc)))
                continue
            return instance, namespaces, skipped, failures
    return None, (), (), failures


def _decode(body: bytes) -> tuple[tuple[Namespace, ...], tuple[str, ...]]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays, a cheap attack on json
        raise _Refused("response is not JSON") from None
    try:
        namespaces, skipped = read_namespaces_reporting(data)
    except Malformed as exc:
        raise _Refused(f"response is not an RSSHub namespace list: {exc}") from None
    if not namespaces:
        raise _Refused(f"response holds no usable routes ({len(skipped)} malformed)")
    return namespaces, skipped
