"""One filter pattern as written in the config: a keyword, or `/regex/flags`, compiled once.

Keywords are matched on *folded* text (Unicode NFKC, then case-folded), so `AI` finds `ai` and the
full-width `ＡＩ`, and `广告` finds `广告` in any width. A keyword that starts or ends with a Latin
letter or digit must not touch another one there: `AI` does not match `said`, while `AI芯片` and
`(AI)` do (Chinese has no spaces between words, so nothing else counts as a boundary).

Regexes are Python `re` syntax between slashes, matched on the text as it is (not folded); flags:
`i` (ignore case), `m` (multi-line), `s` (dot matches newline), `x` (verbose).

A pattern that would match every text (an empty keyword, `/.*/`, `/(?:)/`, `/x?/`) is refused:
as an exclude it would hide the whole site, as an include it would do nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_REGEX_FORM = re.compile(r"/(.*)/([A-Za-z]*)", re.DOTALL)
# Texts of different kinds: a regex that matches the empty text and all of these matches anything.
_PROBES = ("", "a", "Z 9", "中文标题", "\n", "-")
_WORD = re.compile(r"[A-Za-z0-9]")


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why and how to write it instead."""


@dataclass(frozen=True)
class Pattern:
    """A compiled keyword or regex. `folded`: search `regex` in `fold(text)` (keywords), else in the text."""

    source: str  # as written in the config
    regex: re.Pattern[str]
    folded: bool

    @property
    def is_keyword(self) -> bool:
        return self.folded

    def search(self, text: str, folded_text: str) -> bool:
        return self.regex.search(folded_text if self.folded else text) is not None


def fold(text: str) -> str:
    """The form keywords are compared in: NFKC (full-width → ASCII, compatibility forms), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def compile_pattern(value: str, *, literal: bool = False) -> Pattern:
    """`value` as a Pattern: `/regex/flags` is a regex (unless `literal`), anything else a keyword."""
    if not isinstance(value, str):
        raise PatternError(f"must be a keyword or /regex/flags, got {value!r}")
    form = None if literal else _REGEX_FORM.fullmatch(value)
    if form is not None:
        return Pattern(value, _compile_regex(form.group(1), form.group(2)), folded=False)
    return Pattern(value, keyword_regex(value), folded=True)


def keyword_regex(keyword: str) -> re.Pattern[str]:
    """The regex that finds `keyword` in folded text (see the module docstring)."""
    folded = fold(keyword).strip()
    if not folded:
        raise PatternError("an empty keyword would match every item; give a word, or remove the rule")
    body = re.escape(folded)
    # The boundary before the word is checked *after* it (a lookbehind over the whole keyword), so the
    # regex starts with the literal and `re` finds candidates with its fast literal scan: a leading
    # lookbehind made every search step through the text one character at a time (10× slower).
    if _WORD.match(folded[0]):
        body += r"(?<![a-z0-9]" + re.escape(folded) + ")"
    if _WORD.match(folded[-1]):
        body += r"(?![a-z0-9])"
    return re.compile(body)


def rewrite_regex(value: str) -> re.Pattern[str]:
    """A rewrite's pattern, found in the text as it is: `/regex/flags`, or literal text (ignoring case).

    Refused when it can match the empty text (it would insert the replacement everywhere).
    """
    if not isinstance(value, str):
        raise PatternError(f"must be text or /regex/flags, got {value!r}")
    form = _REGEX_FORM.fullmatch(value)
    if form is None:
        if not value.strip():
            raise PatternError("an empty pattern would rewrite at every position; give the text to replace")
        return re.compile(re.escape(value), re.IGNORECASE)
    regex = _compile_regex(form.group(1), form.group(2))
    if regex.search("") is not None:
        raise PatternError(f"{value} can match empty text, so it would rewrite at every position; "
                           "make it match at least one character")
    return regex


def _compile_regex(body: str, flags: str) -> re.Pattern[str]:
    value = 0
    for flag in flags:
        if flag not in REGEX_FLAGS:
            raise PatternError(f"unknown regex flag {flag!r} in /{body}/{flags}; flags are "
                               f"{', '.join(REGEX_FLAGS)} (to match this text literally, write it as "
                               f"{{keyword: '/{body}/{flags}'}})")
        value |= REGEX_FLAGS[flag]
    try:
        regex = re.compile(body, value)
    except re.error as exc:
        raise PatternError(f"/{body}/{flags} is not a valid regex: {exc}") from None
    if all(regex.search(probe) is not None for probe in _PROBES):
        raise PatternError(f"/{body}/{flags} matches every text, so the rule would apply to every item; "
                           "make it specific (or remove the rule)")
    return regex
