"""The `feedstation` command: thin commands that load the config, call the pipeline and print.

Commands are imported only when invoked (`LazyGroup`): `feedstation --help` imports click and this
file, and `feedstation fetch` never imports the site builder, Jinja2 or the route catalog. It also
keeps the parse workers small: a worker started from the `feedstation` console script re-imports
that script, which imports this module and nothing more.
"""

from __future__ import annotations

import gc
import importlib
import traceback

import click

from feedstation.cli.exit_codes import EXIT_BUG, EXIT_INTERRUPTED, exit_codes_help

YOUNG_COLLECTION_EVERY = 50_000  # new container objects between garbage collections (CPython's default: 700)

# name → (module, attribute, first paragraph of its help). The summaries let `--help` list the
# commands without importing them; a test keeps each one equal to the command's own docstring.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("feedstation.cli.core", "init_command",
             "Write a commented starter config with a dozen real RSSHub routes."),
    "sources": ("feedstation.cli.core", "sources_command",
                "Print the source tree with each feed's resolved URL and last status."),
    "fetch": ("feedstation.cli.core", "fetch_command",
              "Fetch every source and store new and changed items; print a table per feed."),
    "status": ("feedstation.cli.core", "status_command",
               "Show each feed's health from the database, without fetching."),
    "run": ("feedstation.cli.run", "run_command",
            "Fetch every source, store new items, then write Hexo posts and/or the site."),
    "demo": ("feedstation.cli.run", "demo_command",
             "Build a complete site from sample feeds shipped inside feedstation (no network needed)."),
    "watch": ("feedstation.cli.run", "watch_command",
              "Run `feedstation run` on a schedule in this process until Ctrl-C."),
    "build": ("feedstation.cli.site", "build_command",
              "Build the static website (pages, feeds, search index, OPML, sitemap) from the stored entries."),
    "serve": ("feedstation.cli.site", "serve_command",
              "Preview the site on http://127.0.0.1:PORT/, rebuilding when the database or theme changes."),
    "export": ("feedstation.cli.export", "export", "Write the stored entries in another format (Hexo posts, ...)."),
    "routes": ("feedstation.cli.routes", "routes", "Find RSSHub routes and place them in the tree."),
    "import": ("feedstation.cli.importing", "import_group",
               "Move in from the reference system or another reader, with a report of what did not carry over."),
    "filters": ("feedstation.cli.filters", "filters_group",
                "Check the `filters:` rules of the config against the stored items."),
    "worker": ("feedstation.cli.worker", "worker_command",
               "Run a fetch worker: take batches from the task queue (fetch.broker), fetch, parse and store them."),
}


def load_command(name: str) -> click.Command:
    """Import the module of one command and return it."""
    module, attribute, _summary = COMMANDS[name]
    return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """click's group with commands imported on first use; Ctrl-C exits 130 (click's own `Aborted!`
    exits 1, which means "feeds failed"); a bug (an exception no command handles) prints its traceback and exits 70."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `--help` from the summaries, importing no command."""
        rows = []
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        for name in self.list_commands(ctx):
            rows.append((name, click.utils.make_default_short_help(COMMANDS[name][2], limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def __call__(self, *args, **kwargs):
        """The console script's entry: run the command, then leave the exit to the operating system's cleanup."""
        try:
            return super().__call__(*args, **kwargs)
        finally:
            # The process ends next. Its last garbage collections would walk every object the run's
            # imports made (~100k) only to free them with the process: freezing them skips that
            # (~0.15 s of CPU at each exit, issue 19); objects are still finalised, files closed.
            gc.freeze()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception:  # everything a command expects is handled by reports_errors: this is a bug
            traceback.print_exc()
            click.echo("error: a bug in feedstation: please report it with the traceback above",
                       err=True)
            raise click.exceptions.Exit(EXIT_BUG) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=exit_codes_help())
@click.option("-v", "--verbose", count=True, help="More log output (-v: a line per feed, -vv: decisions).")
@click.version_option(package_name="feedstation")
def main(verbose: int) -> None:
    """feedstation: turn a list of feeds into a self-updating news site (and Hexo posts).

    Start with `feedstation demo` (offline sample site) or `feedstation init`.
    """
    from feedstation.cli.common import configure_console, configure_logging

    configure_console()
    configure_logging(verbose)
    # A command holds tens of thousands of long-lived objects (a site's cards and items, a fetch's entries).
    # At CPython's default (a young collection every 700 new objects) the collector walked them again and
    # again: 0.45 of a 45,000-item site's 4.1 s one-new-item build. Collections still run, 70 times rarer.
    gc.set_threshold(YOUNG_COLLECTION_EVERY)
