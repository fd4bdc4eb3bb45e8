"""`feedstation export …`: thin commands that write the stored entries out in other formats."""

from __future__ import annotations

from pathlib import Path

import click

from feedstation import pipeline
from feedstation.cli.common import config_option, console, load, reports_errors
from feedstation.cli.tables import hexo_line, skipped_lines
from feedstation.errors import ConfigError
from feedstation.store import Store
from feedstation.skipped_rows import SkippedRows


@click.group()
def export() -> None:
    """Write the stored entries in another format (Hexo posts, ...)."""


@export.command("hexo")
@config_option
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder for the posts, e.g. a Hexo site's source/_posts (default: output.hexo from the config).",
)
@reports_errors
def hexo(config_path: Path | None, out_dir: Path | None) -> None:
    """Export every stored entry as a Hexo post, in the reference post format.

    Posts go to OUT/<category>/<site>/<channel>/<title>.md. Only changed posts are
    rewritten, posts of entries gone from the database are removed, and files
    feedstation did not write are left alone.

    Example:

        feedstation export hexo --out ../blog/source/_posts
    """
    cfg = load(config_path)
    target = out_dir or cfg.output.hexo
    if target is None:
        raise ConfigError(str(config_path or cfg.path), "output.hexo", "no Hexo output folder: set output.hexo or pass --out DIR")
    skipped = SkippedRows()
    with Store.open(cfg.storage) as store:
        report = pipeline.publish_hexo(cfg, store, Path(target), skipped=skipped)
    console.print(hexo_line(target, report))
    if skipped.rows:
        console.print(skipped_lines(skipped.rows, heading="export hexo"), soft_wrap=True)
