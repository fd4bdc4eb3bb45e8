"""Enclosures (podcast audio, video, torrents, files) → safe, typed attachments; images are the lead image's job."""

from __future__ import annotations

import mimetypes
import re

from feedstation.models import Enclosure
from feedstation.normalize.urls import safe_url

MAX_ENCLOSURES = 10
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
_EXTRA_TYPES = {".torrent": "application/x-bittorrent", ".m4a": "audio/mp4", ".opus": "audio/ogg",
                ".webm": "video/webm", ".mkv": "video/x-matroska"}


def normalize_enclosures(raw: tuple[Enclosure, ...], base: str | None) -> tuple[Enclosure, ...]:
    """Non-image enclosures with an allow-listed absolute URL (the same rule as links), a clean MIME type
    (guessed from the file name when the feed gives none) and a sane length; repeats dropped."""
    out: dict[str, Enclosure] = {}
    for enc in raw:
        url = safe_url(enc.url, base)
        if not url or url in out:
            continue
        kind = _mime(enc.type) or _guess(url)
        if kind and kind.startswith("image/"):
            continue
        length = enc.length if isinstance(enc.length, int) and 0 < enc.length < 2**53 else None
        out[url] = Enclosure(url=url, type=kind, length=length)
        if len(out) == MAX_ENCLOSURES:
            break
    return tuple(out.values())


def _mime(value: str | None) -> str | None:
    kind = (value or "").split(";", 1)[0].strip().lower()
    return kind if _MIME.match(kind) else None


def _guess(url: str) -> str | None:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for ext, kind in _EXTRA_TYPES.items():
        if path.endswith(ext):
            return kind
    kind, _ = mimetypes.guess_type(path, strict=False)
    return kind
