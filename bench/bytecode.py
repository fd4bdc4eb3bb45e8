"""Compile a checkout's modules before timing it, as `pip install` does for an installed package.

The benchmarks run feedstation from a source folder (PYTHONPATH=src). Where nothing writes bytecode
(PYTHONDONTWRITEBYTECODE is set on the development machines, or the folder is read-only), every timed
process compiled the ~90 modules it imports from source again: ~0.1 s per `feedstation` process, which a
user's installed copy never pays and the peers (reader from PyPI, osmosfeed on Node) never paid either.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path


def compile_tree(src: str | Path) -> None:
    """Write `__pycache__` for every module under `src` (ignored by git), with this interpreter."""
    if not compileall.compile_dir(str(src), quiet=1, workers=1):
        print(f"warning: some modules under {src} did not compile", file=sys.stderr)
