"""RSSHub (Hono) path patterns: `:param`, `:param?`, `:param{regex}`, `*`; matching and specificity."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Segment ranks: a router prefers static text over a constrained param over a plain
# one, and a wildcard least, position by position from the left.
STATIC, CONSTRAINED, PARAM, OPTIONAL, WILDCARD = 4, 3, 2, 1, 0
# Constraints come from the downloaded payload; a long one is more likely hostile
# (catastrophic backtracking) than useful. RSSHub's own are a few characters.
_MAX_CONSTRAINT = 200


class PatternError(ValueError):
    """A pattern this module cannot turn into a regex; such a route is only matched exactly."""


@dataclass(frozen=True)
class _Segment:
    rank: int
    groups: tuple[str, ...]  # regex group names captured in this segment
    optional: bool


@dataclass(frozen=True)
class CompiledPattern:
    pattern: str
    regex: re.Pattern[str] | None  # None: not compilable, matches only itself
    segments: tuple[_Segment, ...]
    names: tuple[tuple[str, str], ...]  # (group, param name)


def normalise_path(path: str) -> str:
    """`zhihu/hot/?x=1` → `/zhihu/hot`: leading slash, no query, fragment or trailing slash."""
    path = path.strip().split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


_UNFILLED = re.compile(r"(?:^|/)(:[A-Za-z0-9_]+(?:\{[^/]*\})?\??)")


def unfilled_parameters(path: str) -> tuple[str, ...]:
    """The `:param` segments still in a path one means to fetch (`/test/:id` → (":id",)); () when filled in.

    RSSHub would take `:id` literally as the value, so such a path is a pattern pasted by mistake.
    """
    # `?` also marks an optional param (`:category?`): only a `?name=value` starts the query here.
    route = re.split(r"\?(?=[^/?]*=)", path, maxsplit=1)[0]
    return tuple(match.group(1) for match in _UNFILLED.finditer(route))


def unfilled_message(path: str, unfilled: tuple[str, ...], example: str | None = None,
                     pattern: str | None = None) -> str:
    """`RSSHub route /test/:id still holds the parameter :id: put a value in its place (example: /test/1)`."""
    noun = "parameter" if len(unfilled) == 1 else "parameters"
    what = "put a value in its place" if len(unfilled) == 1 else "put values in their places"
    if all(p.endswith("?") for p in unfilled):
        what += " or leave it out" if len(unfilled) == 1 else " or leave them out"
    shown = f" (example: {example})" if example else f" (route: {pattern})" if pattern and pattern != path else ""
    return f"RSSHub route {path} still holds the {noun} {', '.join(unfilled)}: {what}{shown}"


def _param_end(seg: str, start: int) -> int:
    end = start
    while end < len(seg) and (seg[end].isalnum() or seg[end] == "_"):
        end += 1
    return end


def _constraint_end(seg: str, start: int) -> int:
    """Index of the `}` closing the `{` at `start` (regexes may nest braces, e.g. `\\d{4}`)."""
    depth, i = 0, start
    while i < len(seg):
        if seg[i] == "\\":
            i += 2
            continue
        if seg[i] == "{":
            depth += 1
        elif seg[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise PatternError(f"unclosed {{ in {seg!r}")


def _compile_segment(seg: str, last: bool, counter: list[int], names: list[tuple[str, str]]) -> tuple[str, _Segment]:
    if seg == "*":
        return ("(?:/.*)?" if last else "/[^/]+"), _Segment(WILDCARD, (), last)
    parts: list[str] = []
    groups: list[str] = []
    rank, i, has_static, lone_optional = STATIC, 0, False, False
    while i < len(seg):
        if seg[i] == ":" and i + 1 < len(seg) and (seg[i + 1].isalnum() or seg[i + 1] == "_"):
            end = _param_end(seg, i + 1)
            name, constraint = seg[i + 1:end], None
            if end < len(seg) and seg[end] == "{":
                close = _constraint_end(seg, end)
                constraint = seg[end + 1:close]
                if not constraint or len(constraint) > _MAX_CONSTRAINT:
                    raise PatternError(f"unusable constraint in {seg!r}")
                end = close + 1
            optional = end < len(seg) and seg[end] == "?"
            end += optional
            group = f"p{counter[0]}"
            counter[0] += 1
            groups.append(group)
            names.append((group, name))
            body = f"(?P<{group}>{constraint or '[^/]+'})"
            parts.append(f"(?:{body})?" if optional else body)
            rank = min(rank, CONSTRAINED if constraint else (OPTIONAL if optional else PARAM))
            lone_optional = optional and i == 0 and end == len(seg)
            i = end
        elif seg[i] == "*":
            parts.append(".*")
            rank = WILDCARD
            i += 1
        else:
            parts.append(re.escape(seg[i]))
            has_static = True
            i += 1
    if has_static and rank == PARAM:
        rank = CONSTRAINED  # `:id.json`: the static text constrains the param
    body = "".join(parts)
    if lone_optional:
        return f"(?:/{body})?", _Segment(OPTIONAL, tuple(groups), True)
    return "/" + body, _Segment(rank, tuple(groups), False)


@functools.lru_cache(maxsize=16384)
def compile_pattern(pattern: str) -> CompiledPattern:
    """Compile a full pattern (`/zhihu/hot/:category?`); an unusable one gets `regex=None`."""
    raw = [s for s in pattern.split("/") if s]
    counter, names = [0], []
    try:
        pieces = [_compile_segment(s, k == len(raw) - 1, counter, names) for k, s in enumerate(raw)]
        regex = re.compile("".join(p for p, _ in pieces) or "/")
    except (PatternError, re.error, RecursionError):
        return CompiledPattern(pattern, None, (), ())
    return CompiledPattern(pattern, regex, tuple(s for _, s in pieces), tuple(names))


def match_pattern(pattern: str, path: str) -> tuple[tuple[tuple[str, str], ...], tuple] | None:
    """Captured params and a specificity key (bigger is more specific), or None if no match.

    `path` must already be normalised. The key counts static segments first, then
    compares segment ranks left to right; an optional param that captured nothing is
    left out, so `/zhihu/hot` beats `/zhihu/hot/:category?` for the path `/zhihu/hot`.
    """
    compiled = compile_pattern(pattern)
    if compiled.regex is None:
        return ((), (0, (), 0)) if normalise_path(pattern) == path else None
    found = compiled.regex.fullmatch(path)
    if found is None:
        return None
    ranks: list[int] = []
    for seg in compiled.segments:
        if seg.optional and all(found.group(g) is None for g in seg.groups):
            continue
        ranks.append(seg.rank)
    params = tuple((name, found.group(g)) for g, name in compiled.names if found.group(g) is not None)
    key = (ranks.count(STATIC), tuple(ranks), -len(compiled.segments))
    return params, key
