"""Commands for the core pipeline: init, sources, fetch, status."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from rich.tree import Tree

from feedstation import pipeline
from feedstation.cli.common import EXIT_FEEDS_FAILED, config_option, console, load, print_hint, reports_errors
from feedstation.cli.item_status import full_text_lines
from feedstation.cli.tables import (
    counted,
    health_table,
    network_failure_line,
    run_table,
    skipped_lines,
    status_line,
    totals_line,
)
from feedstation.config import DEFAULT_CONFIG, Config
from feedstation.errors import FeedstationError
from feedstation.store import Store


@click.command("init")
@click.option("--path", "target", type=click.Path(path_type=Path), default=Path(DEFAULT_CONFIG),
              show_default=True, help="Where to write the config.")
@click.option("--force", is_flag=True, help="Overwrite an existing config.")
@click.option("--github-actions", is_flag=True, help="Also write .github/workflows/feedstation.yml (scheduled deploy).")
@click.option("--hexo-branch", default=None, metavar="BRANCH",
              help="With --github-actions: commit Hexo posts to BRANCH instead of deploying to GitHub Pages.")
@reports_errors
def init_command(target: Path, force: bool, github_actions: bool, hexo_branch: str | None) -> None:
    """Write a commented starter config with a dozen real RSSHub routes.

    Example: feedstation init && feedstation run
    """
    if target.exists() and not force:
        raise FeedstationError(f"{target} already exists; use --force to overwrite it")
    text = resources.files("feedstation").joinpath("starter/feedstation.yaml").read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    console.print(Text(f"wrote {target}"))
    run = "feedstation run" if target == Path(DEFAULT_CONFIG) else f"feedstation run --config {target}"
    print_hint("edit `sources` in it, then run:", run)
    if github_actions:
        from feedstation.scaffold import write_github_workflow

        workflow = write_github_workflow(target.parent, force=force, hexo_branch=hexo_branch)
        console.print(Text(f"wrote {workflow}: push to GitHub and enable Pages (Settings → Pages → GitHub Actions)"))


@click.command("sources")
@config_option
@reports_errors
def sources_command(config_path: Path | None) -> None:
    """Print the source tree with each feed's resolved URL and last status.

    Example: feedstation sources --config feedstation.yaml
    """
    cfg = load(config_path)
    status = {}
    if not isinstance(cfg.storage, Path) or cfg.storage.exists():
        with Store.open(cfg.storage) as store:
            status = {(h.category, h.site, h.channel): h for h in store.health()}
    root = Tree(Text(str(cfg.path), style="bold"))
    branches: dict[tuple, Tree] = {}
    served = {tree: h.served_by for tree, h in status.items()}
    for source in pipeline.resolved_sources(cfg, served):
        if (source.category,) not in branches:
            branches[(source.category,)] = root.add(Text(source.category, style="bold"))
        category = branches[(source.category,)]
        if source.tree[:2] not in branches:
            branches[source.tree[:2]] = category.add(Text(source.site))
        site = branches[source.tree[:2]]
        health = status.get(source.tree)
        label = Text(f"{source.channel}  ")
        label.append(source.url, style="cyan")
        if source.full_text:
            label.append("  (full text)", style="magenta")
        if health is not None:
            style = {"ok": "green", "not_modified": "green", "error": "red"}.get(health.status, "dim")
            label.append(f"  [{health.status}, {counted(health.entry_count, 'item')}]", style=style)
            if health.error:
                label.append(f" {health.error}", style="red")
        else:
            label.append("  [never fetched]", style="dim")
        site.add(label)
    console.print(root)


@click.command("fetch")
@config_option
@click.option("--strict", is_flag=True, help="Exit with status 1 when any feed failed.")
@click.option("--force", is_flag=True, help="Fetch every feed now, ignoring back-off and ttl hints.")
@reports_errors
def fetch_command(config_path: Path | None, strict: bool, force: bool) -> None:
    """Fetch every source and store new and changed items; print a table per feed.

    Exit status is 0 when the run completed, even if some feeds failed (they are listed);
    use --strict to get 1 in that case.

    Example: feedstation fetch --config feedstation.yaml --strict
    """
    cfg = load(config_path)
    with pipeline.run_lock(cfg), Store.open(cfg.storage) as store:
        run = fetch_with_progress(cfg, store, force=force)
    print_run(run)
    if strict and run.failed:
        raise SystemExit(EXIT_FEEDS_FAILED)


@click.command("status")
@config_option
@click.option("--items", "show_items", is_flag=True,
              help="Also list items whose full text (full_text: true sources) failed or kept the feed's text.")
@reports_errors
def status_command(config_path: Path | None, show_items: bool) -> None:
    """Show each feed's health from the database, without fetching.

    Example: feedstation status --items
    """
    cfg = load(config_path)
    with Store.open(cfg.storage) as store:
        rows = store.health()
        count = store.entry_count()
        hidden = store.hidden_count()
        skipped = store.skipped()
        date_warnings = store.date_warnings()
        full_text = (store.full_text_counts(), store.full_text_problems()) if show_items else None
    console.print(health_table(rows, pipeline.utc_now(), console.width))
    console.print(status_line(rows, count, hidden))
    for feed, n in date_warnings:
        console.print(Text(f"{feed}: {n} item(s) dated by first-seen time: the feed's own date was more than a day "
                           "in the future or before 1990 (kept in entries.feed_date)", style="yellow"), soft_wrap=True)
    if skipped:
        console.print(skipped_lines(skipped, heading="last publish"), soft_wrap=True)
    if full_text is not None:
        console.print(full_text_lines(*full_text), soft_wrap=True)
    if cfg.fetch.executor == "celery":
        print_queue_status(cfg)


def print_queue_status(cfg: Config) -> None:
    """The task queue and the workers' progress; an unreachable broker is one line, not a failure of `status`."""
    from feedstation.distributed.app import redis_client
    from feedstation.distributed.status import queue_status, status_lines

    try:
        status = queue_status(redis_client(cfg.fetch.broker))
    except FeedstationError as exc:
        console.print(Text(str(exc), style="yellow"), soft_wrap=True)
        return
    for line in status_lines(status):
        console.print(Text(line), soft_wrap=True)


def fetch_with_progress(cfg: Config, store: Store, *, force: bool = False,
                        progress: Progress | None = None) -> pipeline.FetchRun:
    own = progress is None
    progress = progress or new_progress()
    task = progress.add_task("fetch", total=None)

    def on_start(count: int) -> None:
        progress.update(task, total=count)

    def on_done(report) -> None:
        progress.update(task, advance=1, description=f"fetch {report.source.site}")

    if own:
        with progress:
            return pipeline.fetch_all(cfg, store, force=force, on_start=on_start, on_feed_done=on_done)
    return pipeline.fetch_all(cfg, store, force=force, on_start=on_start, on_feed_done=on_done)


def new_progress() -> Progress:
    return Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def print_run(run: pipeline.FetchRun) -> None:
    # Only feeds that changed or failed get a row: the totals line counts the unchanged ones, and a
    # table of 500 unchanged rows was both unread and a third of a no-change run's time (issue 19).
    listed = [r for r in run.reports if r.status == "error" or r.new or r.updated]
    if listed:
        console.print(run_table(listed, console.width))
    console.print(totals_line(run.reports, run.skipped, run.next_due, pipeline.utc_now()))
    if run.common_failure is not None:
        console.print(network_failure_line(run.common_failure))
    for failure in run.lists_failed:
        console.print(Text(f"OPML list not refreshed (last good copy used): {failure}", style="yellow"))
    if run.retention_removed:
        console.print(Text(f"retention removed {counted(run.retention_removed, 'old item')}"))
