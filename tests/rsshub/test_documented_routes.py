"""Every RSSHub route the starter config, README, docs and `--help` examples name is live in the real catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedstation.catalog import find_route

REPO = Path(__file__).resolve().parents[2]
# Everything a user reads: the README, the docs, and every file the package ships (starter config, `--help`
# texts, error messages, templates), so a route named in a new place is checked too.
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")),
             *sorted(p for p in (REPO / "src" / "feedstation").rglob("*")
                     if p.is_file() and p.suffix in {".py", ".yaml", ".yml", ".html", ".md", ".txt"})]
_ROUTE = re.compile(r"""rsshub:(/[^\s`'")\]},]+)""")  # rsshub:/zhihu/hot
_COMMAND = re.compile(r"""routes (?:add|show) (/[^\s`'")]+)""")  # feedstation routes add /ithome/soft
PLACEHOLDERS = frozenset({"/path", "/route", "/..."})  # `rsshub:/path` in prose names the form, not a route
_LISTED = re.compile(r"^\s*- (?:\{path: )?(/[\w./-]+)", re.M)  # rsshub.routes entries in YAML examples


def documented_paths() -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for pattern in (_ROUTE, _COMMAND, _LISTED):
            for match in pattern.finditer(text):
                if match.group(1) not in PLACEHOLDERS:
                    found[(document.relative_to(REPO).as_posix(), match.group(1))] = None
    return list(found)


def _raw_route(namespace_json: dict, namespace: str, route_paths: tuple[str, ...]) -> dict:
    for key, raw in namespace_json[namespace]["routes"].items():
        paths = raw.get("path", key)
        if set([paths] if isinstance(paths, str) else paths) & set(route_paths):
            return raw
    raise AssertionError(f"{route_paths} not in the raw namespace {namespace}")


def test_the_documents_name_routes_at_all():
    paths = {path for _, path in documented_paths()}
    assert {"/zhihu/hot", "/ithome/soft", "/36kr/news"} <= paths
    assert "/zhihu/hotlist" not in paths


@pytest.mark.parametrize(("document", "path"), documented_paths(), ids=lambda v: v)
def test_a_documented_route_is_served_by_the_real_rsshub(document, path, real_catalog, real_namespace_json):
    assert ":" not in path, f"{document}: {path} still holds a parameter"
    match = find_route(real_catalog, path)
    assert match is not None, f"{document}: {path} is not a route of the real RSSHub"
    raw = _raw_route(real_namespace_json, match.namespace.key, match.route.paths)
    for name, value in match.params:
        spec = (raw.get("parameters") or {}).get(name)
        options = spec.get("options") if isinstance(spec, dict) else None
        if options:
            assert value in {str(o.get("value")) for o in options}, f"{document}: {path}: {name}={value} is not an option"
