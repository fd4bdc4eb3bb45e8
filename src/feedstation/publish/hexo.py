"""Hexo export: one markdown post per stored entry, byte-compatible with the reference format, incremental."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from feedstation.errors import OutputError
from feedstation.models import SkippedEntry, StoredEntry
from feedstation.publish.hexo_inert import neutral_references
from feedstation.publish.hexo_post import HexoOptions, entry_key, placeholder_image, render_post
from feedstation.publish.safe_names import MAX_NAME_BYTES, safe_name, truncate_utf8
from feedstation.publish.writer import OutputWriter

log = logging.getLogger(__name__)

MANIFEST_NAME = ".feedstation-hexo.json"
MANIFEST_VERSION = 1
POST_FORMAT_VERSION = 3  # bump when render_post's output changes, so every post is rewritten once

@dataclass(frozen=True)
class HexoReport:
    """What one export did: posts (re)written, posts left as they were, stale posts removed."""

    written: int
    unchanged: int
    removed: int
    left_out: tuple[SkippedEntry, ...] = ()  # entries no post can be written for (issue 11), with the reason

    @property
    def posts(self) -> int:
        """Posts the export owns after it: every one is either written or unchanged."""
        return self.written + self.unchanged


__all__ = ["HexoOptions", "HexoReport", "MANIFEST_NAME", "entry_key", "export_hexo", "placeholder_image", "render_post"]


def export_hexo(
    entries: Iterable[StoredEntry], out_dir: Path, *, disable_nunjucks: bool = False, options: HexoOptions | None = None
) -> HexoReport:
    """Write every entry to `out_dir/<category>/<site>/<channel>/<title>.md`, incrementally.

    - Paths are safe names (see `safe_names`); two entries never share a file: the later
      claimant of a name (in a fixed order: folder, name, entry key) gets `-<8 hex>` from
      its key.
    - An entry keeps the path it was first given, even if its title changes later, so
      links into the Hexo site stay valid. The manifest `out_dir/.feedstation-hexo.json`
      maps each entry key (tree + identity) to its path, input fingerprint and content hash.
    - Files whose bytes did not change are not touched (mtime kept). A post is re-rendered
      only when its inputs (tree, title, image, date, the store's `content_hash`) or its
      file (size, mtime) changed since the manifest was written. Files of entries no
      longer given are removed; files feedstation did not write are never touched.
    - Nothing is written outside `out_dir` (every write goes through `OutputWriter`).
    - `options` (default: the reference format, `disable_nunjucks` as given) says how posts are
      written; a changed option rewrites every post once.
    """
    options = options or HexoOptions(disable_nunjucks=disable_nunjucks)
    writer = OutputWriter(Path(out_dir))
    root = str(writer.root)
    old = _read_manifest(writer.root)
    planned = _plan_paths(_unique_by_key(entries), old, writer.root, options)
    _write_intent(writer.root, old, planned)

    new: dict[str, dict] = {}
    left_out: list[SkippedEntry] = []
    written = unchanged = 0
    for key, relpath, entry in planned:
        fingerprint = _input_fingerprint(entry, options)
        target = os.path.join(root, relpath)  # str, not Path: pathlib costs more than the stat here
        before = old.get(key)
        if before and before.get("path") == relpath and before.get("input") == fingerprint and _stat_matches(target, before):
            # Same inputs as last run and nobody touched the file since: skip rendering and
            # the writer's read-compare (most of a no-change run's cost on 20k posts).
            new[key] = before
            unchanged += 1
            continue
        try:
            data = _post_bytes(entry, options)
        except (ValueError, OverflowError) as exc:
            # One entry no post can be written for (a date beyond the calendar in hexo.timezone) is left
            # out and reported, not the export (issue 11); a post it had is removed as stale below.
            left_out.append(SkippedEntry.of(entry, f"cannot be written as a Hexo post: {exc}"))
            continue
        if writer.write(relpath, data):
            written += 1
        else:
            unchanged += 1
        stat = os.stat(target)
        new[key] = {
            "path": relpath, "input": fingerprint, "sha256": hashlib.sha256(data).hexdigest(),
            "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        }

    removed = _remove_stale(writer, old, new)
    writer.write(MANIFEST_NAME, _manifest_bytes(new))
    log.debug("hexo export to %s: %d written, %d unchanged, %d removed", writer.root, written, unchanged, removed)
    return HexoReport(written=written, unchanged=unchanged, removed=removed, left_out=tuple(left_out))


def _post_bytes(entry: StoredEntry, options: HexoOptions) -> bytes:
    return render_post(entry, options).encode("utf-8", "replace")


def _input_fingerprint(entry: StoredEntry, options: HexoOptions) -> str:
    """Digest of everything a post is rendered from, without hashing the HTML again.

    The store rewrites an entry's row only when its `content_hash` (title, link, author,
    date, content, image) changes, so that hash stands for the body; the lengths are a
    cheap guard for callers that build entries by hand.
    """
    fields = (
        POST_FORMAT_VERSION, options.fingerprint(), entry.category, entry.site, entry.channel, entry.title,
        entry.image, entry.published.isoformat(), entry.content_hash, len(entry.content), len(entry.summary),
    )
    # repr of a tuple is unambiguous and C-fast; were it ever to change between Python
    # versions, the cost is one re-render whose unchanged bytes the writer still skips.
    return hashlib.sha256(repr(fields).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _unique_by_key(entries: Iterable[StoredEntry]) -> dict[str, StoredEntry]:
    unique: dict[str, StoredEntry] = {}
    for entry in entries:
        key = entry_key(entry)
        if key in unique:
            log.warning("entry %r in %s was given twice; exporting the first", entry.identity, " › ".join(entry.tree))
            continue
        unique[key] = entry
    return unique


def _plan_paths(
    entries: dict[str, StoredEntry], old: dict[str, dict], root: Path, options: HexoOptions
) -> list[tuple[str, str, StoredEntry]]:
    """Give every entry a relative path: its manifest path if still valid, else a free safe name."""
    old_paths = {str(info.get("path", "")).casefold() for info in old.values()}
    claimed: set[str] = set()  # casefolded: a case-insensitive file system sees one file
    planned: list[tuple[str, str, StoredEntry]] = []
    fresh: list[tuple[str, str, str, StoredEntry]] = []
    folders: dict[tuple[str, str, str], str] = {}
    for key in sorted(entries):
        entry = entries[key]
        folder = folders.get(entry.tree)
        if folder is None:
            folder = folders[entry.tree] = "/".join(safe_name(part) for part in entry.tree)
        kept = old.get(key, {}).get("path")
        if isinstance(kept, str) and _is_kept_path_valid(kept, folder) and kept.casefold() not in claimed:
            claimed.add(kept.casefold())
            planned.append((key, kept, entry))
        else:
            fresh.append((folder, safe_name(entry.title), key, entry))

    # A fixed order makes the bare name go to the same entry whatever order the input had.
    for folder, base, key, entry in sorted(fresh, key=lambda item: (item[0], item[1], item[2])):
        for name in _candidate_names(base, key):
            relpath = f"{folder}/{name}.md"
            if relpath.casefold() in claimed:
                continue
            if relpath.casefold() not in old_paths and os.path.lexists(root / relpath):
                # Not ours: never overwrite it, unless it already holds exactly this post
                # (a run that crashed before saving its manifest).
                try:
                    expected = _post_bytes(entry, options)
                except (ValueError, OverflowError):
                    continue  # no post can be written for it, so no file holds it (export_hexo reports it)
                if not _holds(root / relpath, expected):
                    continue
            claimed.add(relpath.casefold())
            planned.append((key, relpath, entry))
            break
    return planned


def register_imported_posts(out_dir: Path, posts: dict[str, str]) -> int:
    """Record files feedstation did not write as the posts of these entry keys ({key: relative path}).

    The next export then owns them: it rewrites such a file in its own format (or moves
    it to the entry's path, removing the old one) instead of leaving it beside a duplicate.
    Keys already in the manifest are left as they are. Returns how many were added.
    """
    root = Path(out_dir).resolve()
    manifest = _read_manifest(root)
    added = {key: {"path": relpath} for key, relpath in posts.items() if key not in manifest}
    if added:
        OutputWriter(root).write(MANIFEST_NAME, _manifest_bytes({**manifest, **added}))
    return len(added)


def owned_paths(out_dir: Path) -> set[str]:
    """Relative paths (casefolded) of the posts the manifest says feedstation owns."""
    return {str(info.get("path", "")).casefold() for info in _read_manifest(Path(out_dir).resolve()).values()}


def _candidate_names(base: str, key: str):
    yield base
    for width in (8, 16, 32):
        suffix = "-" + key[:width]
        yield truncate_utf8(base, MAX_NAME_BYTES - len(suffix)).rstrip(". ") + suffix
    counter = 2
    while True:  # only reachable if hostile titles take every digest-suffixed name
        suffix = f"-{key[:8]}-{counter}"
        yield truncate_utf8(base, MAX_NAME_BYTES - len(suffix)).rstrip(". ") + suffix
        counter += 1


def _is_kept_path_valid(relpath: str, folder: str) -> bool:
    head, _, name = relpath.rpartition("/")
    # The folder check keeps an entry on its category page if naming rules ever change and
    # refuses a tampered manifest entry such as "../x.md" (the writer would refuse it too).
    # A name from before `'` became `’` (issue 14) is given up: Volantis writes the permalink into
    # single-quoted attributes, so the old file is replaced by a safe one and removed.
    return (head == folder and name.endswith(".md") and not name.startswith((".", "_")) and "\\" not in name
            and "'" not in name and neutral_references(name) == name)


def _write_intent(root: Path, old: dict[str, dict], planned: list[tuple[str, str, StoredEntry]]) -> None:
    """Record every new path in the manifest before writing any post (a write-ahead log).

    A run killed midway then leaves no post the next run doesn't know it owns: an entry
    finds its path again (no duplicate under a new title), and a path an entry moved away
    from stays listed under `superseded:<key>` until the next full run removes it.
    """
    intent = dict(old)
    for key, relpath, _entry in planned:
        before = old.get(key)
        if before is not None and before.get("path") == relpath:
            continue
        if before is not None:
            intent[f"superseded:{key}"] = before
        intent[key] = {"path": relpath}
    if intent != old:
        OutputWriter(root).write(MANIFEST_NAME, _manifest_bytes(intent))


def _remove_stale(writer: OutputWriter, old: dict[str, dict], new: dict[str, dict]) -> int:
    live = {info["path"].casefold() for info in new.values()}
    removed = 0
    for _key, info in sorted(old.items()):
        relpath = info.get("path")
        # By path, not key: an entry that was given a new path leaves its old file behind too.
        if not isinstance(relpath, str) or relpath.casefold() in live:
            continue
        try:
            removed += writer.remove(relpath)
        except OutputError as exc:  # a hand-edited manifest must not make us delete elsewhere
            log.warning("not removing stale Hexo post %r: %s", relpath, exc)
    return removed


def _stat_matches(target: str, info: dict) -> bool:
    try:
        stat = os.stat(target)
    except OSError:
        return False
    return stat.st_size == info.get("size") and stat.st_mtime_ns == info.get("mtime_ns")


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.read_bytes() == data
    except OSError:
        return False


def _read_manifest(root: Path) -> dict[str, dict]:
    path = root / MANIFEST_NAME
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        # Starting afresh is safe: without a manifest nothing is removed or overwritten.
        log.warning("ignoring unreadable Hexo manifest %s (%s); no old post will be removed this run", path, exc)
        return {}
    entries = doc.get("entries") if isinstance(doc, dict) and doc.get("version") == MANIFEST_VERSION else None
    if not isinstance(entries, dict):
        log.warning("ignoring Hexo manifest %s of an unknown version", path)
        return {}
    return {key: info for key, info in entries.items() if isinstance(info, dict)}


def _manifest_bytes(entries: dict[str, dict]) -> bytes:
    doc = {"version": MANIFEST_VERSION, "generator": "feedstation", "entries": entries}
    # No indent: json only uses its C encoder without one (10× faster on 20k entries).
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
