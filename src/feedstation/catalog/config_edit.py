"""`routes add`: append an entry to the config's `rsshub.routes`, keeping the file's comments and order."""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

from feedstation.catalog.model import RouteSpec
from feedstation.catalog.patterns import normalise_path
from feedstation.config_roundtrip import dump_for_edit, load_for_edit
from feedstation.errors import ConfigError


def listed_paths(routes: list) -> list[str]:
    """The paths already in an `rsshub.routes` list (plain strings or {path: ...} entries)."""
    paths = []
    for entry in routes:
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str):
            paths.append(path)
    return paths


def add_route_to_config(config_file: Path, spec: RouteSpec) -> None:
    """Append `spec` to `rsshub.routes` (created if absent); ConfigError on a duplicate or a bad shape.

    A round-trip load/dump keeps comments, key order and quoting; the indentation is
    guessed from the file so an untouched list is not re-indented.
    """
    name = str(config_file)
    loaded = load_for_edit(config_file, missing="no such config file; run `feedstation init` or pass --config")
    data, text = loaded.data, loaded.text
    rsshub = data.get("rsshub")
    if rsshub is None:
        rsshub = data["rsshub"] = CommentedMap()
    if not isinstance(rsshub, dict):
        raise ConfigError(name, "rsshub", "must be a mapping with `instances` and `routes`")
    routes = rsshub.get("routes")
    if routes is None:
        routes = rsshub["routes"] = CommentedSeq()
    if not isinstance(routes, list):
        raise ConfigError(name, "rsshub.routes", "must be a list of route paths")
    wanted = normalise_path(spec.path)
    if any(normalise_path(path) == wanted for path in listed_paths(routes)):
        raise ConfigError(name, "rsshub.routes", f"{spec.path} is already listed; edit that entry instead")
    trailing = _take_trailing_comment(routes)
    routes.append(_entry(spec))
    if trailing:
        _give_trailing_comment(routes, trailing)
    _write(config_file, dump_for_edit(data, _mapping_indent(text), loaded.seq_indent, loaded.offset))


def _entry(spec: RouteSpec) -> str | CommentedMap:
    overrides = {k: v for k, v in (("category", spec.category), ("site", spec.site), ("channel", spec.channel)) if v}
    if not overrides:
        return spec.path
    entry = CommentedMap(path=spec.path)
    entry.update(overrides)
    return entry



def _mapping_indent(text: str) -> int:
    """Indent of the first nested key (ruamel guesses the sequence indent, not the mapping one)."""
    match = re.search(r"^[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( +)[^\s#-]", text, re.M)
    return len(match.group(1)) if match else 2


# ruamel keeps the comment lines that follow a list's last item *on* that item (the
# slot after its value), so a plain append would put the new entry below a comment
# that introduces the next section. These two move that block below the new entry.
def _last_comment_slot(node: Any) -> tuple[list, int] | None:
    """(comment list, index) holding the comment after the innermost last value of `node`."""
    if isinstance(node, list) and node:
        last = node[-1]
        if isinstance(last, dict | list) and last:
            return _last_comment_slot(last)
        return (node.ca.items.setdefault(len(node) - 1, [None, None, None, None]), 0) if hasattr(node, "ca") else None
    if isinstance(node, dict) and node:
        key = list(node)[-1]
        value = node[key]
        if isinstance(value, dict | list) and value:
            return _last_comment_slot(value)
        return (node.ca.items.setdefault(key, [None, None, None, None]), 2) if hasattr(node, "ca") else None
    return None


def _take_trailing_comment(routes: list) -> CommentToken | None:
    """Cut the lines after the last item's own line from its comment; return them as a token."""
    slot = _last_comment_slot(routes)
    token = slot[0][slot[1]] if slot else None
    if token is None or "\n" not in token.value:
        return None
    own, rest = token.value.split("\n", 1)
    if not rest:
        return None
    token.value = own + "\n"
    moved = copy.copy(token)
    moved.value = "\n" + rest  # the new item has no comment of its own on its line
    return moved


def _give_trailing_comment(routes: list, token: CommentToken) -> None:
    slot = _last_comment_slot(routes)
    if slot is not None:
        slot[0][slot[1]] = token




def _write(path: Path, text: str) -> None:
    """temp file + os.replace: an interrupted edit never leaves a truncated config."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
