"""The `feedstation` command: thin commands that load the config, call the pipeline and print."""

from __future__ import annotations

import click

from feedstation.cli import export, filters, importing, routes, run, site
from feedstation.cli.common import EXIT_INTERRUPTED, configure_logging, exit_codes_help
from feedstation.cli.core import fetch_command, init_command, sources_command, status_command


class FeedstationGroup(click.Group):
    """click's group, except that Ctrl-C exits 130 (click's own `Aborted!` exits 1, which means "feeds failed")."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@click.group(cls=FeedstationGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=exit_codes_help())
@click.option("-v", "--verbose", count=True, help="More log output (-v: a line per feed, -vv: decisions).")
@click.version_option(package_name="feedstation")
def main(verbose: int) -> None:
    """feedstation: turn a list of feeds into a self-updating news site (and Hexo posts).

    Start with `feedstation demo` (offline sample site) or `feedstation init`.
    """
    configure_logging(verbose)


for command in (init_command, sources_command, fetch_command, status_command, run.run_command, run.demo_command,
                run.watch_command, site.build_command, site.serve_command, export.export, routes.routes,
                importing.import_group, filters.filters_group):
    main.add_command(command)
