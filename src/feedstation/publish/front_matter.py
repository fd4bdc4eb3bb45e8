"""YAML scalar quoting for Hexo front matter that reads back the same in YAML 1.1 (PyYAML) and 1.2 (js-yaml)."""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

# Line breaks in YAML 1.1 (PyYAML) include NEL, LS and PS; js-yaml (1.2) only \r and \n.
# Folding all of them to one space gives the same one-line value in both parsers.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

# Outside YAML's printable set (YAML 1.2 §5.1: C0 except tab/LF/CR, DEL, C1 except NEL,
# surrogates, U+FFFE/U+FFFF), plus the BOM, which parsers strip or refuse mid-stream.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")

_NEEDS_FOLDING = re.compile(f"[\t\r\n\x85\u2028\u2029]|{_UNPRINTABLE.pattern}")

# Characters that make a plain scalar mean something else somewhere in it (flow indicators
# matter to js-yaml inside flow collections, quotes and `\` to readers of the file); a value
# containing any of them is quoted, which is always correct, just less pretty.
_RISKY_ANYWHERE = frozenset(":#,[]{}&*!|>'\"%@`\\\t")
# YAML's indicator characters (1.2 §5.3) and the block-sequence/mapping starters.
_INDICATOR_START = frozenset("-?:,[]{}#&*!|>'\"%@`~=<. +")

# Words typed by YAML 1.1 (bool/null, any case a resolver accepts) or by the 1.2 core schema.
_TYPED_WORDS = frozenset("y n yes no on off true false null ~ nan inf".split())

# ASCII-only values starting like a number, date, time or sexagesimal are quoted: the
# 1.1 and 1.2 int/float/timestamp grammars differ (0o17, 0x1F, 1_000, 1e3, 12:30, 2024-01-01)
# and a conservative test is simpler and safer than reproducing both.
_NUMBER_LIKE = re.compile(r"[-+.]?[0-9][0-9A-Za-z_.:+\- ]*\Z|[-+]?\.(?:inf|nan)\Z", re.IGNORECASE)


def fold_text(value: str) -> str:
    """Make `value` one YAML-printable line: line breaks become spaces, unprintables go.

    Tabs become spaces too, because Hexo rewrites tabs that follow a newline and some YAML
    readers refuse tabs in places a value may land.
    """
    if _NEEDS_FOLDING.search(value) is None:  # the common case: one cheap scan
        return value
    value = _LINE_BREAKS.sub(" ", value)
    value = value.replace("\t", " ")
    return _UNPRINTABLE.sub("", value)


def single_quoted(value: str) -> str:
    """`value` as a single-quoted YAML scalar (newlines folded to spaces, `'` doubled)."""
    return "'" + fold_text(value).replace("'", "''") + "'"


@lru_cache(maxsize=4096)  # tree names repeat across thousands of posts
def scalar(value: str) -> str:
    """`value` as a plain scalar when both YAML 1.1 and 1.2 read it back as that string, else single-quoted.

    Plain output keeps ordinary names (知乎, Hacker News) byte-identical to the reference
    format; anything a parser would type (yes, null, 2024, 1e3, ~) or misread is quoted.
    """
    value = fold_text(value)
    return value if _is_plain_safe(value) else single_quoted(value)


@lru_cache(maxsize=4096)
def _is_plain_safe(value: str) -> bool:
    if not value or value != value.strip(" "):
        return False
    if value[0] in _INDICATOR_START:
        return False
    if any(ch in _RISKY_ANYWHERE for ch in value):
        return False
    if value.lower() in _TYPED_WORDS or _NUMBER_LIKE.match(value):
        return False
    # Belt and braces: PyYAML's 1.1 resolvers are the broader set; if it types the value
    # or reads it differently, quote it.
    try:
        return yaml.safe_load("- " + value) == [value]
    except yaml.YAMLError:
        return False
