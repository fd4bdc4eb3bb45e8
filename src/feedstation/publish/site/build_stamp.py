"""What a site build was made from, kept so that `feedstation build` can tell "nothing changed" before it
imports SQLAlchemy, pydantic or the renderer (issue 19 goal 5: a no-change rebuild at 45,000 items ≤ 0.5 s).

The build's own no-change check (build.py) is cheap: 50 ms at 45,000 items. What a no-change
`feedstation build` paid for was everything before it: importing SQLAlchemy, the config model and the
renderer, opening the store, refreshing cards. ~0.7 s of 0.75 s. So every site publish leaves a stamp in
the data folder (`site-stamps/`, one file per output folder), and the next `feedstation build` compares
it with the world using the standard library alone. Equal means the full build would find every input
unchanged and write nothing; anything else, or any doubt, means the full build runs.

A stamp is, taken after the card refresh and before anything is read for the pages:
- the config: the parse-cache key of the bytes it was loaded from (`Config.source_key`: file bytes, path, home
  folder, Python, feedstation's modules; config_cache.py), not of the file as it is when the stamp is taken,
  which may have been edited while the run went on. For the same reason a `feedstation run` whose sources
  come from OPML lists or the route catalog takes no stamp: it read them at its start;
- the files the site is made from besides the config: sizes and times of the package's templates and
  static files, the theme folder, the stored site icons, local OPML lists, remote lists' copies and the
  route catalog. Which ones is decided by the full build, which knows the config; the check re-reads only those;
- the store (SQLite only): its schema rows (which name the database: their times are its creation), the
  write count that every write a card depends on moves (store/change_count.py, hand edits too), the last
  card check's count, and every feed row (the health the status page shows).
  A stamp is only taken when the last card check saw every write (its count is the store's): a write
  the card refresh did not see makes the check decline, so no new entry waits behind a stamp;
- the manifest head the build then wrote (its inputs, health and folder stamp), so a site folder built by
  anything else since does not match.

The check also asks what the full no-change path would: every file of the manifest is still there
(manifest.py `FilesOnDisk`), and the store's list of skipped rows is the one that build left (a no-change
build writes it back otherwise). PostgreSQL has no write count, so a database URL never takes this path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from feedstation.config import Config
from feedstation.lock import FolderLock
from feedstation.publish.site.manifest import FilesOnDisk, Manifest, read_manifest
from feedstation.publish.site.report import SiteReport
from feedstation.skipped_rows import SkippedRows

log = logging.getLogger(__name__)

FORMAT = 1
FOLDER = "site-stamps"
_PACKAGE = Path(__file__).resolve().parents[2]  # src/feedstation


def take(config: Config, out_dir: Path, *, theme_dir: str | None) -> dict | None:
    """The stamp of the world as a build of `out_dir` is about to read it; None where no later check could
    trust one (not a SQLite file, or a write the last card check did not see), or that cannot be read."""
    try:
        return _take(config, out_dir, theme_dir)
    except OSError as exc:  # only a faster next build is lost
        log.debug("no site stamp for %s: %s", out_dir, exc)
        return None


def _take(config: Config, out_dir: Path, theme_dir: str | None) -> dict | None:
    if config.source_key is None:
        return None  # not loaded from a file
    if config.sources_read() and (config.opml_grafts() or config.fetch_config.routes):
        # Read at the run's start (say, before its fetch): a list changed since would pass the check as seen.
        return None
    store = _store_state(config.storage)
    if store is None:
        return None
    folders = [_PACKAGE / "templates", _PACKAGE / "static", config.data_dir / "icons"]
    if theme_dir:
        folders.append(Path(theme_dir))
    files = _source_files(config)
    folders += [path for path in files if path == config.opml_cache_dir]
    files = [path for path in files if path != config.opml_cache_dir]
    watched = {"folders": [str(p) for p in folders], "files": [str(p) for p in files]}
    return {"format": FORMAT, "site": str(Path(out_dir).resolve()), "config": config.source_key,
            "watched": watched, "files": _files_state(watched), "store": store}


def forget(config: Config, out_dir: Path) -> None:
    """Drop the stamp of `out_dir`: a build is about to change it (one that fails leaves no stamp behind)."""
    file = _stamp_file(config, out_dir)
    try:
        file.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.debug("stale site stamp %s not removed: %s", file, exc)


def record(config: Config, out_dir: Path, stamp: dict | None) -> None:
    """Keep `stamp` (taken before the build that just wrote `out_dir`) with the manifest head it wrote."""
    if stamp is None:
        return
    file = _stamp_file(config, out_dir)
    stamp = {**stamp, "manifest": _manifest_identity(read_manifest(out_dir, head_only=True))}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(stamp, f, ensure_ascii=False)
            os.replace(temp, file)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as exc:  # only a faster next build is lost
        log.debug("site stamp not written for %s: %s", out_dir, exc)


def unchanged_site(config: Config, out_dir: Path) -> SiteReport | None:
    """The report of a build of `out_dir` that would change nothing, if the stamp says so; None: build it."""
    try:
        with open(_stamp_file(config, out_dir), encoding="utf-8") as f:
            kept = json.load(f)
        if kept.get("format") != FORMAT or kept.get("site") != str(Path(out_dir).resolve()):
            return None
        if config.source_key is None or kept.get("config") != config.source_key \
                or kept.get("files") != _files_state(kept["watched"]):
            return None
        with FolderLock(out_dir, f"the site folder {out_dir}"):
            read = _read_store(config.storage)
            if read is None or read[0] != kept.get("store"):
                return None
            head = read_manifest(out_dir, head_only=True)
            if _manifest_identity(head) != kept.get("manifest") or FilesOnDisk(out_dir, head).all_there() is not True:
                return None
            if read[1] != _left_out_rows(head):  # a no-change build would write the site's list back
                return None
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error) as exc:
        log.debug("site stamp of %s not used: %s", out_dir, exc)
        return None
    log.debug("site: the stamp of the last build still holds; %d outputs kept", head.file_count)
    return SiteReport(pages=head.file_count + 1, written=0, unchanged=head.file_count + 1, removed=0,
                      left_out=head.left_out, read_nothing=True)


def _stamp_file(config: Config, out_dir: Path) -> Path:
    name = hashlib.sha256(str(Path(out_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return config.data_dir / FOLDER / f"{name}.json"


def _source_files(config: Config) -> list[Path]:
    """The files the sources are worked out from besides the config (Config.sources)."""
    files = []
    for graft in config.opml_grafts():
        from feedstation.fetch.local import local_path
        from feedstation.importers.opml_sources import is_remote

        if is_remote(graft.location):
            files.append(config.opml_cache_dir)
        else:
            try:
                files.append(local_path(graft.location).resolve())
            except ValueError:
                continue  # a file URL of another host: the config load refuses it
    if config.fetch_config.routes:
        files.append(config.catalog_path)
    return list(dict.fromkeys(files))


def _files_state(watched: dict) -> str:
    """A digest of the sizes and times of the watched folders' files and of the watched files."""
    digest = hashlib.sha256()
    for folder in watched["folders"]:
        digest.update(f"\x1d{folder}".encode("utf-8", "surrogateescape"))
        for parent, subfolders, names in os.walk(folder):
            subfolders.sort()
            for name in sorted(names):
                digest.update(_file_line(os.path.join(parent, name)))
    for file in watched["files"]:
        digest.update(_file_line(file))
    return digest.hexdigest()


def _file_line(path: str) -> bytes:
    try:
        stat = os.stat(path)
        state = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
    except OSError:
        state = "missing"
    return f"\x1e{path}\x1f{state}".encode("utf-8", "surrogateescape")


def _connect(storage: str | Path) -> sqlite3.Connection | None:
    """A read-only connection to the SQLite file `storage` names; None for a database URL."""
    if not isinstance(storage, Path) or not storage.is_file():
        return None
    return sqlite3.connect(f"file:{quote(str(storage))}?mode=ro", uri=True)


def _store_state(storage: str | Path) -> list | None:
    """The store's identity, write counts and feed rows; None where they cannot vouch for the cards (no count,
    or writes the last card check did not see)."""
    read = _read_store(storage)
    return None if read is None else read[0]


def _read_store(storage: str | Path) -> tuple[list, set[tuple]] | None:
    """`_store_state` and the stored list of skipped rows, read in one transaction."""
    try:
        conn = _connect(storage)
    except sqlite3.Error:
        return None
    if conn is None:
        return None
    try:
        with conn:
            conn.execute("BEGIN")
            schema = conn.execute("SELECT version, applied_at FROM schema_version ORDER BY version").fetchall()
            count = conn.execute("SELECT count FROM store_changes WHERE id = 1").fetchone()
            check = conn.execute("SELECT changes, rules FROM card_check WHERE id = 1").fetchone()
            digest = hashlib.sha256()
            for row in conn.execute("SELECT * FROM feeds ORDER BY id"):
                digest.update(repr(row).encode("utf-8", "surrogatepass"))
            skipped = {tuple(row) for row in
                       conn.execute("SELECT feed_id, entry_id, identity, reason FROM skipped_entries")}
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if count is None or check is None or check[0] != count[0]:
        return None
    return [[list(row) for row in schema], count[0], check[1], digest.hexdigest()], skipped


def _manifest_identity(head: Manifest) -> list:
    return [head.inputs, head.health, head.stamp, head.file_count]


def _left_out_rows(head: Manifest) -> set[tuple]:
    """The skipped rows the last build recorded in the store (merged as `SkippedRows` merges them)."""
    wanted = SkippedRows()
    for entry in head.left_out:
        wanted.add(entry)
    return {(s.feed_id, s.entry_id, s.identity, s.reason) for s in wanted.rows}
