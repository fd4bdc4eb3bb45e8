"""Filters (issue 17): include / exclude / rewrite rules at every level of the sources tree.

- `patterns.py`: a keyword or `/regex/flags`, compiled once; refuses patterns that match everything
- `fields.py`: the texts rules look at (title, content as visible text, author, link)
- `rules.py`: compiled rules, their combination per tree position, and the verdict for one entry
- `parsing.py`: the config's `filters:` mappings → a `FilterSet` (errors name the key path)
- `screen.py`: the publish-time pass: entries to show, hidden marks that changed
- `report.py`: what each rule hides or rewrites among the stored entries (`feedstation filters test`)
"""

from feedstation.filters.rules import FilterSet, RuleSet, Verdict
from feedstation.filters.screen import Screen

__all__ = ["FilterSet", "RuleSet", "Screen", "Verdict", "build_filter_set"]


def __getattr__(name: str):
    # `parsing` (and the source tree it checks keys against) only when a config is parsed (PEP 562), so
    # importing `Screen` for a publish does not import the config parser (issue 19).
    if name == "build_filter_set":
        from feedstation.filters.parsing import build_filter_set

        return build_filter_set
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
