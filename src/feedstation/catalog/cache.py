"""The cached catalog file: JSON with its source instance and time, written atomically, read back validated."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from feedstation.catalog.model import Catalog
from feedstation.catalog.payload import Malformed, dump_namespaces, read_namespaces
from feedstation.errors import CatalogError

FORMAT = 1  # bump when the file's shape changes; an older file then asks for an update
NO_CATALOG = "no RSSHub route catalog yet: run `feedstation routes update`"


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write the catalog with temp file + os.replace, so a crash never leaves half a file."""
    document = {
        "format": FORMAT,
        "instance": catalog.instance,
        "fetched_at": catalog.fetched_at.isoformat() if catalog.fetched_at else None,
        "skipped": catalog.skipped,
        "namespaces": dump_namespaces(catalog.namespaces),
    }
    data = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_catalog(path: Path) -> Catalog:
    """Read the cached catalog; CatalogError when it is missing or unreadable (both fixed by an update)."""
    path = Path(path)
    if not path.exists():
        raise CatalogError(NO_CATALOG)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise Malformed("not a feedstation route catalog of this version")
        namespaces, _ = read_namespaces(document.get("namespaces"))
        fetched = document.get("fetched_at")
        skipped = document.get("skipped")
        return Catalog(
            namespaces=namespaces,
            instance=document.get("instance") if isinstance(document.get("instance"), str) else None,
            fetched_at=datetime.fromisoformat(fetched) if isinstance(fetched, str) else None,
            skipped=skipped if isinstance(skipped, int) else 0,
        )
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and Malformed are ValueErrors
        raise CatalogError(
            f"cannot read the RSSHub route catalog {path}: {exc}; run `feedstation routes update` to download it again"
        ) from exc
