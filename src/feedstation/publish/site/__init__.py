"""feedstation's own static website: context → pages, feeds, search → OutputWriter; plus a local preview server.

The names below are imported on first use: `feedstation build` checks whether anything changed (build_stamp.py)
before it pays for the renderer's imports.
"""

from __future__ import annotations

import importlib

__all__ = ["MANIFEST", "SiteReport", "build_site", "serve_site"]

_WHERE = {"MANIFEST": "manifest", "SiteReport": "report", "build_site": "build", "serve_site": "serve"}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
