"""Shared CLI plumbing (no business logic): the --config option, error printing, exit codes."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from feedstation.config import DEFAULT_CONFIG, Config, load_config
from feedstation.cli.exit_codes import (  # noqa: F401 — re-exported for the commands
    EXIT_BUG,
    EXIT_CODES,
    EXIT_CONFIG,
    EXIT_FEEDS_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_OTHER,
    exit_codes_help,
)
from feedstation.errors import ConfigError, FeedstationError, LockedError

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

# Re-exported: the codes live in exit_codes.py so that `feedstation --help` needs nothing else.
def config_option(func: Callable) -> Callable:
    return click.option("--config", "-c", "config_path", type=click.Path(path_type=Path), default=None,
                        help=f"Config file (default: ./{DEFAULT_CONFIG}).")(func)


def load(config_path: Path | None) -> Config:
    return load_config(config_path)


def reports_errors(func: Callable) -> Callable:
    """Print a FeedstationError as one clear line (no traceback) and exit with its code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            fail(f"config error: {exc}", EXIT_CONFIG)
        except LockedError as exc:
            fail(str(exc), EXIT_LOCKED)
        except FeedstationError as exc:
            fail(str(exc), EXIT_OTHER)
        except OSError as exc:  # the system said no: a folder that is a file, no permission, a full disk
            fail(os_error_line(exc), EXIT_OTHER)

    return wrapper


def os_error_line(exc: OSError) -> str:
    """`Not a directory: public/x` rather than `[Errno 20] Not a directory: 'public/x'` and a traceback."""
    if exc.strerror is None:
        return str(exc)
    names = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{exc.strerror}: {' → '.join(names)}" if names else exc.strerror


def fail(message: str, code: int) -> None:
    # Text, not markup: messages carry user strings that may contain [brackets].
    err_console.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    sys.exit(code)


def print_hint(label: str, command: str) -> None:
    """A hint with its command on a line of its own, never wrapped: it stays one line to copy and paste."""
    console.print(Text(label))
    console.print(Text("  " + command, style="bold"), soft_wrap=True)


def configure_console() -> None:
    """Take the width from COLUMNS as it is now: rich reads it once, when a console is made, so a second
    command in the same process (tests, an embedding program) would print at the first one's width."""
    columns = os.environ.get("COLUMNS", "")
    for each in (console, err_console):
        each.width = int(columns) if columns.isdigit() and int(columns) > 0 else None


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
