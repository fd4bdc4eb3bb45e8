"""What a site build leaves for the next one (`.feedstation-site.json` in the output folder), and which of
its files are still there.

The manifest holds the files the build owns, each keyed output's input key (page_keys.py), the search
shards' fingerprints, the inputs' fingerprint, the entries it left out, and the folders holding its
files with a stamp: the newest modification time among them when the build ended. A folder whose time
is older than the stamp has had nothing added or removed since, so its files are known to be there
without a listing; checking 100,000 files is then a few thousand stats of folders (issue 19).

It is two lines of JSON: the head (version, inputs, the feeds' health, stamp, folders, the files of the root and of the
folders as new as the stamp, which are always listed, the entries left out) and the body (every output
and its key). A no-change rebuild reads the head alone: parsing the body of a 45,000-item site (5 MB)
cost more than the rest of that rebuild's checks.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from feedstation.models import SkippedEntry

log = logging.getLogger(__name__)

MANIFEST = ".feedstation-site.json"
VERSION = 5


@dataclass(frozen=True)
class Manifest:
    """What the previous build left (empty for none, or one that could not be read)."""

    files: frozenset[str] = frozenset()
    inputs: str | None = None
    health: str | None = None  # the feeds' health it showed on the status page (a fingerprint)
    shards: Mapping[str, str] = field(default_factory=dict)  # shard name → fingerprint
    outputs: Mapping[str, str] = field(default_factory=dict)  # path → input key
    left_out: tuple[SkippedEntry, ...] = ()
    folders: frozenset[str] = frozenset()  # folders (not the root) holding its files
    stamp: int | None = None  # newest modification time (ns) of `folders` when it ended
    listed_files: frozenset[str] = frozenset()  # its files in the root and in the folders as new as `stamp`
    file_count: int = 0  # how many files it owns
    # What the status page needs of the cards (status.py `ChannelDates.to_json`) and its rendered nav, so a
    # change of the feeds' health alone rewrites that page without reading a card (body; None: not kept).
    status_basis: Mapping | None = None
    head_only: bool = False  # read without its body: `files`, `shards` and `outputs` are empty


def read_manifest(out_dir: Path, *, head_only: bool = False) -> Manifest:
    """The previous build's manifest; damaged, missing or of another version means "none". With `head_only`,
    its first line alone (enough to tell that nothing changed)."""
    try:
        with (out_dir / MANIFEST).open(encoding="utf-8") as file:
            head = json.loads(file.readline())
            if head.get("version") != VERSION:
                # An older build's: its files are known (so stale ones can be removed), nothing else is trusted.
                old = head.get("files", ())
                return Manifest(files=frozenset(p for p in old if isinstance(p, str)) if isinstance(old, list)
                                else frozenset())
            body = {} if head_only else json.loads(file.read())
        stamp = head.get("stamp")
        kept = Manifest(
            inputs=head["inputs"] if isinstance(head.get("inputs"), str) else None,
            health=head["health"] if isinstance(head.get("health"), str) else None,
            left_out=tuple(SkippedEntry(*row) for row in head.get("left_out", ())),
            folders=frozenset(f for f in head.get("folders", ()) if isinstance(f, str)),
            stamp=stamp if isinstance(stamp, int) else None,
            listed_files=frozenset(p for p in head["listed_files"] if isinstance(p, str)),
            file_count=head["file_count"] if isinstance(head.get("file_count"), int) else 0, head_only=head_only)
        if head_only:
            return kept
        shards, outputs = body.get("search_shards"), body.get("outputs")
        outputs = {p: k for p, k in outputs.items() if isinstance(k, str)} if isinstance(outputs, dict) else {}
        basis = body.get("status_basis")
        return replace(kept, files=frozenset(outputs).union(p for p in body["other_files"] if isinstance(p, str)),
                       shards={k: v for k, v in shards.items() if isinstance(v, str)} if isinstance(shards, dict)
                       else {}, outputs=outputs, status_basis=basis if isinstance(basis, dict) else None)
    except FileNotFoundError:
        return Manifest()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): stale pages from the previous build will stay", out_dir / MANIFEST, exc)
        return Manifest()


def manifest_bytes(out_dir: Path, *, inputs: str, health: str, shards: Mapping[str, str], outputs: Mapping[str, str],
                   files: Iterable[str], left_out: Iterable[SkippedEntry], status_basis: Mapping | None = None) -> bytes:
    """The manifest of a build that owns `files`, stamped with its folders' times as they are now (after
    every write and removal but this file's own, which goes in the root, left out of the stamp)."""
    files = set(files)
    folders = sorted({path.rpartition("/")[0] for path in files} - {""})
    times = {folder: time for folder in folders if (time := _folder_time(f"{out_dir}/{folder}")) is not None}
    stamp = max(times.values(), default=0)
    listed = {"", *(folder for folder, time in times.items() if time == stamp)}  # never "untouched": listed
    head = {"version": VERSION, "inputs": inputs, "health": health, "stamp": stamp, "folders": folders,
            "listed_files": sorted(path for path in files if path.rpartition("/")[0] in listed),
            "file_count": len(files), "left_out": [list(astuple(s)) for s in left_out]}
    # Files with a key are listed once, under "outputs" (in the order they were made); "other_files" are the
    # rest (search bundle, assets). Only those are sorted: sorting 100,000 paths was a quarter of this.
    body = {"search_shards": dict(shards), "outputs": dict(outputs),
            "other_files": sorted(path for path in files if path not in outputs)}
    if status_basis is not None:
        body["status_basis"] = dict(status_basis)
    return b"".join(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for part in (head, body))


def _folder_time(path: str) -> int | None:
    """A folder's modification time (ns); None when it is not a folder (one stat, on a string path: a
    45,000-item site has thousands of folders)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns if stat.S_ISDIR(found.st_mode) else None


class FilesOnDisk:
    """Which of the previous build's files are still in the output folder.

    A folder last modified before the previous build's stamp still holds all its files; any other folder
    (the root, one changed since, one the manifest does not know) is listed once.
    """

    def __init__(self, root: Path, previous: Manifest):
        self._root = root
        self._previous = previous
        self._listed: dict[str, frozenset[str] | None] = {}  # None: untouched since the stamp

    def __contains__(self, path: str) -> bool:
        folder, _slash, name = path.rpartition("/")
        if folder not in self._listed:
            self._listed[folder] = None if self._untouched(folder) else self._list(folder)
        names = self._listed[folder]
        return path in self._previous.files if names is None else name in names

    def all_there(self) -> bool | None:
        """Every file of the previous build is still there: a stat per folder, and the files of the root and
        of any folder changed since (or in the stamp's own tick: the build's last writes) checked by a listing.
        None when that needs the files of a folder the manifest's head does not list (read `head_only`)."""
        previous = self._previous
        if not previous.listed_files and not previous.files:
            return False
        changed = {folder for folder in previous.folders if not self._untouched(folder)}
        if previous.head_only and not changed <= {path.rpartition("/")[0] for path in previous.listed_files}:
            return None
        return (all(path in self for path in previous.listed_files)
                and all(path in self for path in previous.files if path.rpartition("/")[0] in changed))

    def _untouched(self, folder: str) -> bool:
        stamp = self._previous.stamp
        if stamp is None or not folder or folder not in self._previous.folders:
            return False
        try:
            # Strictly older: file times tick coarsely (a few ms), so a folder changed in the stamp's own tick,
            # after the build ended, has the stamp's time; it is listed.
            # A string path, not a Path: a 45,000-item site has thousands of folders, stated by every rebuild.
            return os.stat(f"{self._root}/{folder}").st_mtime_ns < stamp
        except OSError:
            return False

    def _list(self, folder: str) -> frozenset[str]:
        try:
            with os.scandir(self._root / folder) as found:
                return frozenset(e.name for e in found if e.is_file(follow_symlinks=False))
        except OSError:
            return frozenset()
