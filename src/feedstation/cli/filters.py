"""`feedstation filters test`: which stored items each filter rule hides or rewrites (nothing is written)."""

from __future__ import annotations

from pathlib import Path

import click
from rich import box
from rich.table import Table
from rich.text import Text

from feedstation.cli.common import EXIT_CONFIG, config_option, console, fail, load, reports_errors
from feedstation.filters.report import FiltersReport, RuleEffect, explain
from feedstation.store import Store


@click.group("filters")
def filters_group() -> None:
    """Check the `filters:` rules of the config against the stored items."""


@filters_group.command("test")
@config_option
@click.option("--source", "source_path", default=None, metavar="PATH",
              help="Only the items of this part of the tree: CATEGORY, CATEGORY/SITE or CATEGORY/SITE/CHANNEL.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Items listed per rule (the counts are always complete).")
@reports_errors
def test_command(config_path: Path | None, source_path: str | None, limit: int) -> None:
    """Show, per rule, which stored items it hides or rewrites, without changing anything.

    The rules are the config's as they are now, so an edit can be tried before the next
    build. Items are read from the database (fetch first).

    Example:

        feedstation filters test --source 科技/36氪
    """
    cfg = load(config_path)
    prefix = _tree_prefix(source_path, [s.tree for s in cfg.sources()]) if source_path else ()
    with Store.open(cfg.storage) as store:
        entries = (e for e in store.iter_entries() if e.tree[: len(prefix)] == prefix)
        report = explain(cfg.filters, entries)
    if not cfg.filters:
        console.print(Text(f"{cfg.path.name} has no filter rules: every stored item is shown "
                           f"({report.checked} items)"))
        return
    console.print(rules_table(report))
    for effect in report.effects:
        if effect.hidden or effect.rewritten:
            console.print(effect_table(effect, limit))
    console.print(Text(f"{report.checked} stored items checked{' under ' + ' › '.join(prefix) if prefix else ''}: "
                       f"{report.hidden} hidden, {report.checked - report.hidden} shown"))


def _tree_prefix(path: str, trees: list[tuple[str, str, str]]) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in path.replace("›", "/").split("/") if p.strip())
    if not parts or len(parts) > 3 or not any(tree[: len(parts)] == parts for tree in trees):
        known = sorted({" / ".join(tree[:2]) for tree in trees})[:8]
        fail(f"--source {path!r} names no feed of the config; give CATEGORY, CATEGORY/SITE or CATEGORY/SITE/CHANNEL "
             f"(e.g. {', '.join(known) or 'none configured'})", EXIT_CONFIG)
    return parts


def rules_table(report: FiltersReport) -> Table:
    """One line per rule: what it is, where it is written, and how many items it hides or rewrites."""
    table = Table(title="Filter rules", box=box.SIMPLE_HEAD)
    table.add_column("rule", overflow="fold")
    table.add_column("where", overflow="fold")
    table.add_column("hides", justify="right")
    table.add_column("rewrites", justify="right")
    for effect in report.effects:
        table.add_row(Text(effect.label), Text(f"{effect.where} ({effect.key})"), str(len(effect.hidden)),
                      str(len(effect.rewritten)))
    return table


def effect_table(effect: RuleEffect, limit: int) -> Table:
    """The items one rule hides (feed, date, title) or rewrites (feed, before → after), at most `limit`."""
    total = len(effect.hidden) + len(effect.rewritten)
    more = f" (first {limit} of {total})" if total > limit else ""
    table = Table(title=f"{effect.label} — {effect.where}{more}", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("feed", overflow="fold")
    table.add_column("date", no_wrap=True)
    table.add_column("item", overflow="fold")
    for entry in effect.hidden[:limit]:
        table.add_row(Text(" › ".join(entry.tree)), entry.published.strftime("%Y-%m-%d"),
                      Text.assemble(("hidden: ", "red"), entry.title))
    for before, after in effect.rewritten[: max(0, limit - len(effect.hidden))]:
        change = Text.assemble(before.title, (" → ", "cyan"), after.title) if before.title != after.title \
            else Text.assemble(before.title, (" (content rewritten)", "cyan"))
        table.add_row(Text(" › ".join(before.tree)), before.published.strftime("%Y-%m-%d"), change)
    return table
