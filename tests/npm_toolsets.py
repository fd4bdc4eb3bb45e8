"""npm toolsets for the tests, installed once into a cache folder outside the checkout.

No business logic. A toolset is a folder `tests/npm/<name>/` holding a `package.json` (and, when
present, a `package-lock.json` and any launcher scripts). It is copied to
`<cache>/npm/<name>-<digest of its files>/` and installed there, so an unchanged toolset is reused by every
later test session and CI run, and a changed one gets a fresh folder. `python -m tests.npm_toolsets` installs
every toolset (tests/setup.sh runs it so that the npm time is spent before pytest starts).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from tests.corpora import CacheLock, cache_root

TOOLSETS = Path(__file__).resolve().parent / "npm"


def _digest(source: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        h.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def npm_toolset(name: str) -> Path:
    """The installed folder of toolset `name` (its `node_modules/` inside); installs it on first use.

    Raises RuntimeError with npm's own output when npm is missing or the install fails, so a test that
    needs the toolset fails loudly instead of skipping.
    """
    source = TOOLSETS / name
    if not (source / "package.json").is_file():
        raise RuntimeError(f"no npm toolset {name!r}: {source}/package.json is missing")
    target = cache_root() / "npm" / f"{name}-{_digest(source)}"
    with CacheLock(target):
        if (target / ".complete").exists():
            return target
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"npm is not installed: toolset {name!r} needs Node.js and npm (tests/setup.sh installs them)")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        command = "ci" if (target / "package-lock.json").exists() else "install"
        done = subprocess.run([npm, command, "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=target, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"npm {command} of toolset {name!r} failed in {target}:\n"
                               f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        (target / ".complete").write_text("ok")
    return target


def main() -> int:
    names = sys.argv[1:] or sorted(p.name for p in TOOLSETS.iterdir() if (p / "package.json").is_file())
    for name in names:
        print(f"npm toolset {name}: {npm_toolset(name)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
