"""Source icons: find each site's icon, fetch it through the one Fetcher at most weekly, keep it in the data folder.

A site's home is the most common origin of its items' links; its icon is the best `apple-touch-icon` /
`icon` link on that page, else `/favicon.ico`. Raster images only (PNG, JPEG, GIF, WebP, ICO): an SVG
served from the site's own folder could run script in the site's origin if opened directly. The site
build copies the stored files into `static/icons/` (publish/site), so no page asks another host.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from feedstation.models import FetchSettings, StoredEntry

if TYPE_CHECKING:
    from feedstation.fetch import Fetcher

log = logging.getLogger(__name__)

REFRESH = timedelta(days=7)  # a site's icon (or its failure) is looked up again after a week
MAX_ICON_BYTES = 256 * 1024
MAX_PAGE_BYTES = 1024 * 1024
INDEX = "index.json"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
IMAGE_ACCEPT = "image/png,image/webp,image/x-icon,image/*;q=0.8,*/*;q=0.5"
_SIZES = re.compile(r"(\d+)x(\d+)")
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
          (b"\x00\x00\x01\x00", "ico"))


@dataclass(frozen=True)
class IconRecord:
    """What the data folder knows about one site's icon."""

    site: str
    checked_at: str  # ISO UTC of the last attempt
    file: str | None = None  # file name in the icons folder, e.g. "3f0a….png"
    source: str | None = None  # the URL it came from
    error: str | None = None  # why the last attempt found none


def site_origins(entries: Iterable[StoredEntry]) -> dict[str, str]:
    """Site name → its home origin (`https://host/`): the most common origin of its items' links."""
    counts: dict[str, Counter] = {}
    for entry in entries:
        if entry.link:
            parts = urlsplit(entry.link)
            if parts.scheme in ("http", "https") and parts.hostname:
                counts.setdefault(entry.site, Counter())[f"{parts.scheme}://{parts.netloc}/"] += 1
    return {site: counter.most_common(1)[0][0] for site, counter in counts.items()}


def icon_candidates(page: bytes, page_url: str) -> list[str]:
    """Icon URLs named by a home page, best first (apple-touch-icon, then larger icons), then /favicon.ico."""
    ranked: list[tuple[int, int, str]] = []
    tree = LexborHTMLParser(page.decode("utf-8", "replace"))
    for order, link in enumerate(tree.css("link[rel][href]")):
        rels = set((link.attributes.get("rel") or "").lower().split())
        href = (link.attributes.get("href") or "").strip()
        if not href or not rels & {"icon", "apple-touch-icon", "apple-touch-icon-precomposed"}:
            continue
        if href.lower().split("?")[0].endswith(".svg") or "svg" in (link.attributes.get("type") or ""):
            continue
        size = max((int(w) for w, _h in _SIZES.findall(link.attributes.get("sizes") or "")), default=0)
        score = 1000 if rels & {"apple-touch-icon", "apple-touch-icon-precomposed"} else size
        ranked.append((-score, order, urljoin(page_url, href)))
    urls = [url for _s, _o, url in sorted(ranked)]
    fallback = urljoin(page_url, "/favicon.ico")
    return [u for u in dict.fromkeys([*urls, fallback]) if u.startswith(("http://", "https://"))]


def image_kind(data: bytes) -> str | None:
    """The file extension of a raster image from its first bytes, or None (SVG and HTML included)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def due_sites(origins: Mapping[str, str], records: Mapping[str, IconRecord], now: datetime) -> list[str]:
    """Sites whose icon was never looked up, or not in the last REFRESH."""
    due = []
    for site in sorted(origins):
        record = records.get(site)
        if record is None or datetime.fromisoformat(record.checked_at) + REFRESH <= now:
            due.append(site)
    return due


def read_index(folder: Path) -> dict[str, IconRecord]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        return {row["site"]: IconRecord(**row) for row in data}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("ignoring unreadable %s (%s): every icon will be looked up again", folder / INDEX, exc)
        return {}


def stored_icons(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Site name → (file name, bytes) of every icon on disk, for the site build."""
    icons = {}
    for site, record in read_index(folder).items():
        if record.file and (folder / record.file).is_file():
            icons[site] = (record.file, (folder / record.file).read_bytes())
    return icons


def refresh_icons(entries: Iterable[StoredEntry], folder: Path, settings: FetchSettings, now: datetime) -> list[IconRecord]:
    """Look up the icons of the sites that are due, store them in `folder`; returns the records it wrote."""
    folder = Path(folder)
    records = read_index(folder)
    origins = site_origins(entries)
    due = due_sites(origins, records, now)
    if not due:
        return []
    found = asyncio.run(_fetch_all({site: origins[site] for site in due}, settings))
    stamp = now.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for site, (source, data, error) in found.items():
        file = None
        if data is not None:
            kind = image_kind(data)
            file = f"{hashlib.sha256(data).hexdigest()[:16]}.{kind}"
            _write_atomic(folder / file, data)
        previous = records.get(site)
        if file is None and previous is not None and previous.file:
            file, source = previous.file, previous.source  # keep last week's icon when the site is down
        records[site] = record = IconRecord(site=site, checked_at=stamp, file=file, source=source, error=error)
        written.append(record)
        log.debug("icon for %s: %s", site, file or error)
    rows = [asdict(records[site]) for site in sorted(records)]
    _write_atomic(folder / INDEX, json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
    return written


async def _fetch_all(origins: Mapping[str, str], settings: FetchSettings) -> dict[str, tuple[str | None, bytes | None, str | None]]:
    # The fetch stack (aiohttp) is imported when icons are due, not by every build that copies stored ones.
    from feedstation.fetch import Fetcher

    async with Fetcher(settings) as fetcher:
        results = await asyncio.gather(*(_fetch_one(fetcher, origin) for origin in origins.values()))
    return dict(zip(origins, results))


async def _fetch_one(fetcher: Fetcher, origin: str) -> tuple[str | None, bytes | None, str | None]:
    """(icon URL, bytes, None) or (None, None, why not) for one site's home origin."""
    page = await fetcher.fetch_resource(origin, accept=PAGE_ACCEPT, max_bytes=MAX_PAGE_BYTES)
    candidates = icon_candidates(page.body, page.url) if page.ok else icon_candidates(b"", origin)
    problems = [] if page.ok else [f"{origin}: {page.error}"]
    for url in candidates[:4]:
        attempt = await fetcher.fetch_resource(url, accept=IMAGE_ACCEPT, max_bytes=MAX_ICON_BYTES)
        if attempt.ok and image_kind(attempt.body):
            return url, attempt.body, None
        problems.append(f"{url}: {attempt.error or 'not a PNG, JPEG, GIF, WebP or ICO image'}")
    return None, None, "; ".join(problems)[:500] or "no icon found"


def _write_atomic(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
