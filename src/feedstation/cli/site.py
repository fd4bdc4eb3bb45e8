"""`feedstation build` and `feedstation serve`: thin commands over feedstation.publish.site."""

from __future__ import annotations

from pathlib import Path

import click

from feedstation.cli.common import (
    config_option,
    console,
    load,
    print_hint,
    reports_errors,
)
from feedstation.cli.tables import site_line, skipped_lines
from feedstation.errors import ConfigError
from feedstation.skipped_rows import SkippedRows


def _site_dir(cfg, config_path: Path | None, out_dir: Path | None) -> Path:
    target = out_dir or cfg.output.site
    if target is None:
        raise ConfigError(str(config_path or cfg.path), "output.site", "no site output folder: set output.site or pass --out DIR")
    return Path(target)


def _build(cfg, target: Path):
    from feedstation import pipeline
    from feedstation.store import Store

    skipped = SkippedRows()
    with Store.open(cfg.storage) as store:
        report = pipeline.publish_site(cfg, store, target, skipped=skipped)
    _print_skipped(skipped)
    return report


def _unchanged(cfg, target: Path):
    """The report of a build that would change nothing, told by the last build's stamp alone; else None."""
    from feedstation.publish.site.build_stamp import unchanged_site

    report = unchanged_site(cfg, target)
    if report is not None:
        skipped = SkippedRows()
        for entry in report.left_out:
            skipped.add(entry)
        _print_skipped(skipped)
    return report


def _print_skipped(skipped: SkippedRows) -> None:
    if skipped.rows:
        console.print(skipped_lines(skipped.rows, heading="build"), soft_wrap=True)


@click.command("build")
@config_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the site (default: output.site from the config).")
@reports_errors
def build_command(config_path: Path | None, out_dir: Path | None) -> None:
    """Build the static website (pages, feeds, search index, OPML, sitemap) from the stored entries.

    Only pages whose bytes changed are rewritten, pages of removed entries are deleted,
    and files feedstation did not write (CNAME, ...) are left alone. Publish the folder
    on any static host, e.g. GitHub Pages.

    Example:

        feedstation build --config feedstation.yaml --out public
    """
    cfg = load(config_path)
    target = _site_dir(cfg, config_path, out_dir)
    # Nothing changed since the last build (its stamp says so): answer before importing the store and renderer.
    report = _unchanged(cfg, target) or _build(cfg, target)
    console.print(site_line(target, report))


@click.command("serve")
@config_option
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1 to serve on.")
@reports_errors
def serve_command(config_path: Path | None, port: int) -> None:
    """Preview the site on http://127.0.0.1:PORT/, rebuilding when the database or theme changes.

    Builds once, then serves the output folder on loopback only, at the path of `site.url`
    (http://127.0.0.1:8000/news/ for https://example.github.io/news), as the real host will;
    edit a template in the theme folder or run `feedstation fetch` in another terminal and
    reload the page.

    Example:

        feedstation serve --config feedstation.yaml --port 8080
    """
    from feedstation.publish.site import serve_site
    from feedstation.publish.site.paths import base_path
    from feedstation.store import Store

    cfg = load(config_path)
    target = _site_dir(cfg, config_path, None)
    _build(cfg, target)
    settings = cfg.site_settings()
    watch = [Path(cfg.storage)] if isinstance(cfg.storage, Path) else []  # serve_site also watches <db>-wal
    if settings.theme_dir:
        watch.append(Path(settings.theme_dir))
    # Pages link to site.url's path (/news/... for https://example.github.io/news): serve them there.
    mount = base_path(settings.url)
    if isinstance(cfg.storage, Path):
        serve_site(target, port=port, mount=mount, rebuild=lambda: _build(cfg, target), watch=watch,
                   on_ready=lambda url: print_hint(f"serving {target} (Ctrl+C to stop) on:", url))
        return
    # A database server (PostgreSQL) is no file to watch: poll its change marker instead.
    with Store.open(cfg.storage) as store:
        serve_site(target, port=port, mount=mount, rebuild=lambda: _build(cfg, target), watch=watch,
                   marker=store.change_marker,
                   on_ready=lambda url: print_hint(f"serving {target} (Ctrl+C to stop) on:", url))
