"""Compiled filter rules and what they decide for one stored entry.

Every level of the tree (top, category, site, channel) may carry rules; an entry is judged by the
rules of every level above it, outer first (`FilterSet.for_tree`, worked out once per tree):

- an entry matching any `exclude` rule is hidden (exclude wins over include);
- when any `include` rule applies, an entry matching none of them is hidden;
- `rewrite` rules of a shown entry run in order, outer levels first, on the published copy only:
  the stored row keeps the feed's text.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from feedstation.filters.fields import TAG, EntryTexts
from feedstation.filters.patterns import Pattern
from feedstation.models import StoredEntry

Tree = tuple[str, str, str]


@dataclass(frozen=True)
class MatchRule:
    """One include or exclude rule: a pattern looked for in some fields."""

    action: str  # "include" or "exclude"
    pattern: Pattern
    fields: tuple[str, ...]
    key: str  # config key path, e.g. sources.科技.filters.exclude[0]
    where: str  # file:line

    def matches(self, texts: EntryTexts) -> bool:
        if self.pattern.folded:
            return any(self.pattern.regex.search(texts.folded(f)) for f in self.fields)
        return any(self.pattern.regex.search(texts.plain(f)) for f in self.fields)

    @property
    def shown(self) -> str:
        return f"{self.action} «{self.pattern.source}» in {'/'.join(self.fields)}"


@dataclass(frozen=True)
class RewriteRule:
    """A regex replace on the published title or content (the text between tags, never the markup)."""

    fields: tuple[str, ...]  # "title" and/or "content"
    regex: re.Pattern[str]
    replace: str
    source: str  # the pattern as written
    key: str
    where: str

    def apply(self, texts: dict[str, str]) -> bool:
        """Rewrite `texts` (title, summary, content) in place; True when anything changed."""
        changed = False
        if "title" in self.fields:
            title = " ".join(self.regex.sub(self.replace, texts["title"]).split())
            if title and title != texts["title"]:  # a rewrite never leaves an item without a title
                texts["title"] = title
                changed = True
        if "content" in self.fields:
            for name in ("content", "summary"):
                markup = texts[name]
                if self.may_match_markup(markup):
                    rewritten = rewrite_markup(self.regex, self.replace, markup)
                    if rewritten != markup:
                        texts[name] = rewritten
                        changed = True
        return changed

    def may_match_markup(self, markup: str) -> bool:
        """False when no text run of `markup` can match, decided by one search of the whole (cheap) text.

        A run's decoded text is a stretch of the whole markup's decoded text (entities never span a tag),
        so a pattern without anchors or lookarounds that matches no part of the whole matches no run.
        """
        if not markup:
            return False
        if not self._substring_closed:
            return True
        return self.regex.search(html.unescape(markup) if "&" in markup else markup) is not None

    @cached_property
    def _substring_closed(self) -> bool:
        return _ASSERTION.search(self.regex.pattern) is None

    @property
    def shown(self) -> str:
        return f"rewrite «{self.source}» → «{self.replace}» in {'/'.join(self.fields)}"


# Anchors, word boundaries and lookarounds see a text run's edges differently from the whole text's.
_ASSERTION = re.compile(r"[\^$]|\(?[<=!]")


def rewrite_markup(regex: re.Pattern[str], replacement: str, markup: str) -> str:
    """`regex` replaced in each text run between tags of sanitised HTML; tags are kept byte for byte."""
    if not markup:
        return markup
    out: list[str] = []
    position = 0
    changed = False
    for tag in TAG.finditer(markup):
        changed |= _rewrite_run(regex, replacement, markup[position:tag.start()], out)
        out.append(tag.group(0))
        position = tag.end()
    changed |= _rewrite_run(regex, replacement, markup[position:], out)
    return "".join(out) if changed else markup


def _rewrite_run(regex: re.Pattern[str], replacement: str, run: str, out: list[str]) -> bool:
    if not run:
        return False
    text = html.unescape(run) if "&" in run else run
    rewritten = regex.sub(replacement, text)
    if rewritten == text:
        out.append(run)
        return False
    out.append(html.escape(rewritten, quote=False))
    return True


@dataclass(frozen=True)
class FilterLevel:
    """The rules written at one place in the tree: () for the top, (category,), (category, site), or a leaf."""

    prefix: tuple[str, ...]
    key: str  # where the `filters` mapping is, e.g. sources.科技.filters
    includes: tuple[MatchRule, ...] = ()
    excludes: tuple[MatchRule, ...] = ()
    rewrites: tuple[RewriteRule, ...] = ()

    def covers(self, tree: Tree) -> bool:
        return tree[: len(self.prefix)] == self.prefix


@dataclass(frozen=True)
class Verdict:
    """What the rules decided for one entry: hidden (and by what), or shown as `entry` (rewritten if so)."""

    entry: StoredEntry
    hidden_by: str | None = None
    rewritten_by: tuple[RewriteRule, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one tree position, outer levels first."""

    includes: tuple[MatchRule, ...] = ()
    excludes: tuple[MatchRule, ...] = ()
    rewrites: tuple[RewriteRule, ...] = ()
    include_keys: tuple[str, ...] = ()  # the include lists' keys, for the reason an entry matched none

    def __bool__(self) -> bool:
        return bool(self.includes or self.excludes or self.rewrites)

    def decide(self, entry: StoredEntry) -> Verdict:
        texts = EntryTexts(entry)
        for rule in self.excludes:
            if rule.matches(texts):
                return Verdict(entry, hidden_by=f"{rule.key}: {rule.pattern.source}")
        if self.includes and not any(rule.matches(texts) for rule in self.includes):
            return Verdict(entry, hidden_by=self.no_include_reason)
        return self.rewrite(entry)

    def rewrite(self, entry: StoredEntry) -> Verdict:
        if not self.rewrites:
            return Verdict(entry)
        texts = {"title": entry.title, "summary": entry.summary, "content": entry.content}
        applied = tuple(rule for rule in self.rewrites if rule.apply(texts))
        if not applied:
            return Verdict(entry)
        return Verdict(rewritten_entry(entry, texts), rewritten_by=applied)

    @cached_property
    def no_include_reason(self) -> str:
        return f"matches no include rule of {', '.join(self.include_keys)}"

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything the rules decide and rewrite with (patterns, fields, keys; not the file
        lines they were written on): a stored verdict made under another fingerprint must be made again."""
        matches = [(rule.action, rule.pattern.regex.pattern, rule.pattern.regex.flags, rule.pattern.folded,
                    rule.pattern.source, rule.fields, rule.key) for rule in (*self.excludes, *self.includes)]
        rewrites = [(rule.fields, rule.regex.pattern, rule.regex.flags, rule.replace, rule.source, rule.key)
                    for rule in self.rewrites]
        text = repr((matches, rewrites, self.include_keys)).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=12).hexdigest()


def rewritten_entry(entry: StoredEntry, texts: dict[str, str]) -> StoredEntry:
    """The published copy with the rewritten texts; its content_hash names the new text, so the
    publishers' caches (Hexo manifest, site fingerprints) see the change."""
    digest = hashlib.blake2b(digest_size=8)
    for name in ("title", "summary", "content"):
        digest.update(texts[name].encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return replace(entry, **texts, content_hash=f"{entry.content_hash}+rewrite:{digest.hexdigest()}")


@dataclass
class FilterSet:
    """Every level's rules, compiled once per loaded config."""

    levels: tuple[FilterLevel, ...] = ()
    _by_tree: dict[Tree, RuleSet] = field(default_factory=dict, repr=False)

    def __bool__(self) -> bool:
        return any(level.includes or level.excludes or level.rewrites for level in self.levels)

    def for_tree(self, tree: Tree) -> RuleSet:
        rules = self._by_tree.get(tree)
        if rules is None:
            rules = self._by_tree[tree] = _combine(level for level in self.levels if level.covers(tree))
        return rules

    def rules(self) -> Iterable[MatchRule | RewriteRule]:
        for level in self.levels:
            yield from level.excludes
            yield from level.includes
            yield from level.rewrites


def _combine(levels: Iterable[FilterLevel]) -> RuleSet:
    ordered = sorted(levels, key=lambda level: len(level.prefix))  # outer first
    return RuleSet(includes=tuple(r for level in ordered for r in level.includes),
                   excludes=tuple(r for level in ordered for r in level.excludes),
                   rewrites=tuple(r for level in ordered for r in level.rewrites),
                   include_keys=tuple(f"{level.key}.include" for level in ordered if level.includes))
