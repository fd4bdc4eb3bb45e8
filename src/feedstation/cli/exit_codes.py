"""The exit codes and their `--help` text: no imports beyond the standard library, so `--help` stays cheap."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FEEDS_FAILED = 1  # only with --strict
EXIT_CONFIG = 2
EXIT_LOCKED = 3
EXIT_OTHER = 4
EXIT_BUG = 70  # sysexits.h's EX_SOFTWARE: Python's own 1 for an uncaught exception would read as "feeds failed"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

# The one table of exit codes: `feedstation --help` prints it and a test keeps README's copy equal.
EXIT_CODES = {
    EXIT_OK: "done; feeds that failed are listed and recorded, and are no error",
    EXIT_FEEDS_FAILED: "with --strict (fetch, run): at least one feed failed",
    EXIT_CONFIG: "config error (it names file, line, key and fix), or a bad command line",
    EXIT_LOCKED: "another feedstation process holds the database or output folder",
    EXIT_OTHER: "could not do the job; it prints why (no route catalog, port in use, ...)",
    EXIT_BUG: "a bug in feedstation: it prints the traceback; please report it",
    EXIT_INTERRUPTED: "stopped with Ctrl-C (`watch` and `serve` stop cleanly with 0)",
}


def exit_codes_help() -> str:
    """The exit-code table as `--help` text (click keeps `\b` paragraphs unwrapped)."""
    return "Exit codes:\n\n\b\n" + "\n".join(f"{code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
