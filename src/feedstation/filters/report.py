"""What each filter rule does to the stored entries, for `feedstation filters test` (nothing is written).

Every exclude rule lists every entry it matches (an entry two excludes match is under both); the
include rules of a tree position together hide the entries that match none of them; a rewrite rule
lists the shown entries whose title or content it changes, before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from feedstation.filters.fields import EntryTexts
from feedstation.filters.rules import FilterSet, MatchRule, RewriteRule, rewritten_entry
from feedstation.models import StoredEntry


@dataclass
class RuleEffect:
    """One rule (or one group of include rules) and the entries it hides or rewrites."""

    label: str  # what the rule is, e.g. exclude '广告' in title/content
    key: str  # config key path
    where: str  # file:line
    hidden: list[StoredEntry] = field(default_factory=list)
    rewritten: list[tuple[StoredEntry, StoredEntry]] = field(default_factory=list)  # (stored, published)


@dataclass
class FiltersReport:
    effects: list[RuleEffect]
    checked: int = 0  # entries looked at
    hidden: int = 0  # distinct entries hidden


def explain(filters: FilterSet, entries: Iterable[StoredEntry]) -> FiltersReport:
    """Every rule's effect on `entries`, in config order (top level first)."""
    effects: dict[object, RuleEffect] = {}
    for rule in filters.rules():
        effects[id(rule)] = RuleEffect(rule.shown, rule.key, rule.where)
    report = FiltersReport(list(effects.values()))
    misses: dict[str, RuleEffect] = {}
    for entry in entries:
        report.checked += 1
        rules = filters.for_tree(entry.tree)
        if not rules:
            continue
        texts = EntryTexts(entry)
        excluded = [rule for rule in rules.excludes if rule.matches(texts)]
        for rule in excluded:
            effects[id(rule)].hidden.append(entry)
        if not excluded and rules.includes and not any(rule.matches(texts) for rule in rules.includes):
            reason = rules.no_include_reason
            if reason not in misses:
                misses[reason] = RuleEffect(f"include: {reason}", ", ".join(rules.include_keys),
                                            _where_of(rules.includes))
            misses[reason].hidden.append(entry)
            excluded = [True]  # hidden
        if excluded:
            report.hidden += 1
            continue
        texts = {"title": entry.title, "summary": entry.summary, "content": entry.content}
        before = entry
        for rule in rules.rewrites:
            if rule.apply(texts):
                after = rewritten_entry(entry, texts)
                effects[id(rule)].rewritten.append((before, after))
                before = after
    report.effects += misses.values()
    return report


def _where_of(rules: tuple[MatchRule | RewriteRule, ...]) -> str:
    return ", ".join(dict.fromkeys(rule.where for rule in rules))
