"""Shared CLI plumbing (no business logic): the --config option, error printing, exit codes."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from feedstation.config import DEFAULT_CONFIG, Config, load_config
from feedstation.errors import ConfigError, FeedstationError, LockedError

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_FEEDS_FAILED = 1  # only with --strict
EXIT_CONFIG = 2
EXIT_LOCKED = 3
EXIT_OTHER = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

# The one table of exit codes: `feedstation --help` prints it and a test keeps README's copy equal.
EXIT_CODES = {
    EXIT_OK: "done; feeds that failed are listed and recorded, and are no error",
    EXIT_FEEDS_FAILED: "with --strict (fetch, run): at least one feed failed",
    EXIT_CONFIG: "config error (it names file, line, key and fix), or a bad command line",
    EXIT_LOCKED: "another feedstation process holds the database or output folder",
    EXIT_OTHER: "could not do the job, for the reason it prints (no route catalog, ...)",
    EXIT_INTERRUPTED: "stopped with Ctrl-C (`watch` and `serve` stop cleanly with 0)",
}


def exit_codes_help() -> str:
    """The exit-code table as `--help` text (click keeps `\b` paragraphs unwrapped)."""
    return "Exit codes:\n\n\b\n" + "\n".join(f"{code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())


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

    return wrapper


def fail(message: str, code: int) -> None:
    # Text, not markup: messages carry user strings that may contain [brackets].
    err_console.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    sys.exit(code)


def print_hint(label: str, command: str) -> None:
    """A hint with its command on a line of its own, never wrapped: it stays one line to copy and paste."""
    console.print(Text(label))
    console.print(Text("  " + command, style="bold"), soft_wrap=True)


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
