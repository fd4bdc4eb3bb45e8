"""The parse cache of `feedstation.yaml`: a config that loaded cleanly, kept in the data folder, keyed by its bytes.

Parsing a config costs far more than reading it back: ruamel's round-trip loader (~50 ms for 500 feeds on an
idle machine, ~1 s under load) and the imports of ruamel, pydantic and the config model (~200 ms) were a
fifth of a run where every feed answered 304 (issue 19 goal 5). A file that loaded without error is kept
here as the loaded `Config`; the next run with the same bytes reads it back in about a millisecond and
imports neither. A file with a mistake is never cached, so every error is found by the real loader, with
its line number.

The key is everything the loaded config depends on: the file's bytes, its resolved path (relative paths
resolve against its folder), the home folder (`~` in paths), the Python version and the feedstation code
(size and mtime of every module: a new version replaces them, and so does any edit to a development
checkout). A hit must match all of it; anything else is a miss, and a cache that cannot be read or written
is silently skipped, never an error.

Where: `config-cache/` in the data folder, beside the database (never in an output folder). The data
folder is named by the config itself (`storage`), so its location is read from the text with a plain
pattern first; a config whose data folder the pattern does not find (say `storage` inside a flow mapping)
is simply not cached, because the cache is written only where the next run will look.

The file is a pickle, read with an unpickler that builds only the few classes a `Config` is made of, and
only from a file of this user that no one else can write.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import re
import sys
import tempfile
from pathlib import Path

from feedstation.config import Config

log = logging.getLogger(__name__)

FORMAT = 1  # the layout of a cache file; raise it when that changes
FOLDER = "config-cache"
DEFAULT_STORAGE = "feedstation.db"

# A top-level `storage:` line (block style), with an optional quoted value and comment.
_STORAGE_LINE = re.compile(r"""^storage[ \t]*:[ \t]*(?:"([^"\\]*)"|'([^']*)'|([^#\s][^#]*?))?[ \t]*(?:#.*)?$""",
                           re.MULTILINE)

# The classes a cached Config is made of (everything else in it is a str, number, tuple, list or dict).
_ALLOWED = frozenset({
    ("feedstation.config", "Config"), ("feedstation.config", "FetchConfig"),
    ("feedstation.config", "_ResolvedOutput"), ("feedstation.models", "Source"),
    ("feedstation.models", "FetchSettings"), ("feedstation.source_tree", "OpmlGraft"),
    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
})


def load_cached(data: bytes, config_path: Path) -> Config | None:
    """The Config last loaded from exactly these bytes at `config_path`, or None."""
    file = cache_file(data, config_path)
    if file is None:
        return None
    try:
        with open(file, "rb") as f:
            stat = os.fstat(f.fileno())
            if stat.st_uid != os.geteuid() or stat.st_mode & 0o022:
                return None  # not ours alone: never unpickle it
            # One unpickler per pickle (a second load on one would reuse the first one's memo); the
            # key is read and compared before any class is built.
            if _ConfigUnpickler(f).load() != cache_key(data, config_path):
                return None
            config = _ConfigUnpickler(f).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file is a miss, never a failure of the run
        log.debug("config cache %s not used: %s", file, exc)
        return None
    return config if isinstance(config, Config) and config.data_dir == file.parent.parent else None


def save(data: bytes, config: Config) -> None:
    """Keep `config`, loaded cleanly from `data`, for the next run (best effort, atomic)."""
    file = cache_file(data, config.path)
    if file is None or file.parent.parent != config.data_dir:
        return  # the next run would look elsewhere
    buffer = io.BytesIO()
    try:
        pickle.dump(cache_key(data, config.path), buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(config, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(buffer.getvalue())
            os.replace(temp, file)
        except BaseException:
            os.unlink(temp)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        log.debug("config cache not written for %s: %s", config.path, exc)


def cache_file(data: bytes, config_path: Path) -> Path | None:
    """Where the cache of the config at `config_path` lives: `config-cache/` in its data folder."""
    data_dir = guessed_data_dir(data, config_path.parent)
    if data_dir is None:
        return None
    name = hashlib.sha256(str(config_path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return data_dir / FOLDER / f"{name}.pickle"


def guessed_data_dir(data: bytes, config_dir: Path) -> Path | None:
    """The data folder named by a top-level `storage:` line (as `Config.data_dir` works it out), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    found = _STORAGE_LINE.findall(text)
    if len(found) > 1:
        return None
    value = next((part for part in found[0] if part), "") if found else DEFAULT_STORAGE
    if not value or "://" in value:
        return config_dir  # a database URL: the config's folder holds feedstation's own files
    path = Path(value).expanduser()
    return (path if path.is_absolute() else config_dir / path).parent


def key_digest(data: bytes, config_path: Path) -> str:
    """`cache_key` as one hex digest (how the site's build stamp names a loaded config)."""
    return hashlib.sha256(repr(cache_key(data, config_path)).encode("utf-8", "surrogatepass")).hexdigest()


def cache_key(data: bytes, config_path: Path) -> tuple:
    """Everything a loaded config depends on besides the classes: see the module docstring."""
    return (FORMAT, sys.version, hashlib.sha256(data).hexdigest(), str(config_path),
            os.path.expanduser("~"), code_fingerprint())


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Size and mtime of every module of the feedstation package (~1 ms for ~140 files)."""
    global _fingerprint
    if _fingerprint is None:
        root = Path(__file__).parent
        parts = []
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    parts.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{stat.st_size}:{stat.st_mtime_ns}")
        _fingerprint = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return _fingerprint


class _ConfigUnpickler(pickle.Unpickler):
    """Builds only the classes a Config is made of; anything else in the file makes it a miss."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached config")
        return super().find_class(module, name)
