"""Retrieve a local feed file (absolute path or file:// URL), size-capped like an HTTP body."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from feedstation.fetch.body import too_large_message
from feedstation.fetch.client import Attempt
from feedstation.models import FetchStatus
from feedstation.parse.sniff import describe_start, detect_format, is_opml, looks_like_feed


OPML_AS_CHANNEL = ("{} is an OPML list of feeds, not one feed: give its location in place of a site "
                   "(`Site: list.opml`), of a category, or as `sources: list.opml`")


def is_local_source(url: str) -> bool:
    """True for `file://` URLs and absolute filesystem paths."""
    return url.startswith("file:") or Path(url).is_absolute()


def local_path(url: str) -> Path:
    """The filesystem path a local source names."""
    if url.startswith("file:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file URL names another host ({parts.netloc}); only local files can be read")
        return Path(url2pathname(unquote(parts.path)))
    return Path(url)


def _read(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        # Read one byte past the cap: that is how we know it was exceeded without
        # reading a huge (or endless, e.g. /dev/zero) file into memory.
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OverflowError(too_large_message(max_bytes, compressed=False))
    return data


async def read_local(url: str, max_bytes: int) -> Attempt:
    """Read a local feed file off the event loop; failures come back as an error Attempt."""
    try:
        path = local_path(url)
    except ValueError as exc:
        return Attempt(status=FetchStatus.ERROR, url=url, error=str(exc))
    shown = str(path)
    try:
        body = await asyncio.to_thread(_read, path, max_bytes)
    except FileNotFoundError:
        return Attempt(status=FetchStatus.ERROR, url=url, error=f"file not found: {shown}")
    except IsADirectoryError:
        return Attempt(status=FetchStatus.ERROR, url=url, error=f"is a directory, not a feed file: {shown}")
    except PermissionError:
        return Attempt(status=FetchStatus.ERROR, url=url, error=f"permission denied reading {shown}")
    except OverflowError as exc:
        return Attempt(status=FetchStatus.ERROR, url=url, error=f"{shown}: {exc}")
    except OSError as exc:
        return Attempt(status=FetchStatus.ERROR, url=url, error=f"could not read {shown}: {exc.strerror or exc}")
    final = path.absolute().as_uri()
    if not body.strip():
        return Attempt(status=FetchStatus.ERROR, url=final, error=f"empty file: {shown}")
    if is_opml(body):
        return Attempt(status=FetchStatus.ERROR, url=final, error=OPML_AS_CHANNEL.format(shown))
    if not looks_like_feed(body):
        kind = ("an HTML page, not a feed" if detect_format(body) == "html"
                else f"not RSS, Atom or JSON Feed ({describe_start(body)})")
        return Attempt(status=FetchStatus.ERROR, url=final, error=f"{shown} is {kind}")
    return Attempt(status=FetchStatus.OK, url=final, body=body)
