"""What a user actually types: `run` (fetch → store → publish), `demo` (offline sample) and `watch`."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path

import click
from rich.text import Text

from feedstation import pipeline
from feedstation.cli.common import EXIT_FEEDS_FAILED, config_option, console, load, print_hint, reports_errors
from feedstation.cli.core import fetch_with_progress, new_progress, print_run
from feedstation.cli.tables import hexo_line, site_line, skipped_lines
from feedstation.config import Config
from feedstation.demo import write_demo_config
from feedstation.errors import FeedstationError
from feedstation.store import Store
from feedstation.watch import StopFlag, parse_interval


@click.command("run")
@config_option
@click.option("--strict", is_flag=True, help="Exit with status 1 when any feed failed.")
@click.option("--force", is_flag=True, help="Fetch every feed now, ignoring back-off and ttl hints.")
@click.option("--demo", is_flag=True, help="Build the offline demo site instead (same as `feedstation demo`).")
@reports_errors
def run_command(config_path: Path | None, strict: bool, force: bool, demo: bool) -> None:
    """Fetch every source, store new items, then write Hexo posts and/or the site.

    Hexo posts are written when `output.hexo` is set, the site when `output.site` is set.
    Feeds that fail are listed and recorded; what is already stored is still published.

    Example: feedstation run --config feedstation.yaml
    """
    if demo:
        config_path = write_demo_config(demo_folder(None))
    cfg = load(config_path)
    run = run_once(cfg, force=force)
    if demo:
        console.print(Text(f"demo folder: {cfg.base_dir} (config, database, site and Hexo posts)"))
    if strict and run.failed:
        raise SystemExit(EXIT_FEEDS_FAILED)


@click.command("demo")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None,
              help="Folder for the demo config, database and outputs (default: a new temporary folder).")
@reports_errors
def demo_command(folder: Path | None) -> None:
    """Build a complete site from sample feeds shipped inside feedstation (no network needed).

    Everything goes into one folder (a new temporary one unless --dir is given), never into
    the current directory; the last lines say where, and how to preview it.

    \b
    Example:
      feedstation demo --dir /tmp/fs-demo
      feedstation serve --config /tmp/fs-demo/feedstation.yaml
    """
    cfg = load(write_demo_config(demo_folder(folder)))
    run_once(cfg, force=True)
    console.print(Text(f"demo folder: {cfg.base_dir} (config, database, site and Hexo posts)"))
    # Not ".../index.html": opened as a file, its root-relative links (/static/site.css) find nothing.
    console.print(Text(f"demo site: {cfg.output.site} (its links start at /: open it through a web server, "
                       "not as a file)"))
    print_hint("preview it with:", f"feedstation serve --config {cfg.path}")


@click.command("watch")
@config_option
@click.option("--every", "every", default="30m", show_default=True,
              help="Time between runs: 90s, 30m, 2h, 1d.")
@reports_errors
def watch_command(config_path: Path | None, every: str) -> None:
    """Run `feedstation run` on a schedule in this process until Ctrl-C.

    Each feed's own back-off and ttl/Cache-Control hints are respected (a feed that is not
    due is skipped). Ctrl-C finishes the current stage and stops cleanly; a second Ctrl-C
    stops at once (every feed update and file write is atomic either way).

    Example: feedstation watch --every 30m
    """
    interval = parse_interval(every)
    cfg = load(config_path)
    stop = StopFlag.install(signal.SIGINT, signal.SIGTERM)
    while not stop.requested:
        started = time.monotonic()
        try:
            run_once(cfg, stop=stop)
        except FeedstationError as exc:  # e.g. disk full: report, keep watching
            console.print(Text(f"run failed: {exc}", style="red"))
        if stop.wait(max(0.0, interval - (time.monotonic() - started))):
            break
    console.print(Text("watch stopped"))


def demo_folder(folder: Path | None) -> Path:
    """The folder the user chose, else a new private temporary one (never a folder in the current directory)."""
    if folder is not None:
        return folder
    return Path(tempfile.mkdtemp(prefix="feedstation-demo-"))


def run_once(cfg: Config, *, force: bool = False, stop: StopFlag | None = None) -> pipeline.FetchRun:
    """One full run with one progress display across the stages, then the health table."""
    with pipeline.run_lock(cfg), Store.open(cfg.storage) as store:
        progress = new_progress()
        with progress:
            run = fetch_with_progress(cfg, store, force=force, progress=progress)
            if stop is not None and stop.requested:
                return run
            stage = progress.add_task("publish", total=None)
            published = pipeline.publish_all(cfg, store)
            progress.update(stage, total=1, completed=1)
    print_run(run)
    if published.hexo is not None:
        console.print(hexo_line(cfg.output.hexo, published.hexo))
    if published.site is not None:
        console.print(site_line(cfg.output.site, published.site))
    if published.skipped:
        console.print(skipped_lines(published.skipped, heading="publish"), soft_wrap=True)
    return run
