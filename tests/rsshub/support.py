"""Helpers for the real-RSSHub tests (no business logic): a config on disk and the CLI as a user runs it."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from feedstation.cli import main
from tests.rsshub_server import _free_port

# The offline routes of RSSHub's built-in `test` namespace that serve items (the list).
OFFLINE_ROUTES = ("1", "long", "cache", "complicated", "multimedia", "sort", "mess", "json", "filter", "enclosure",
                  "gzip", "current_time", "allow_empty", "redirect")
FAILING_ROUTES = ("empty", "error", "config-not-found-error", "invalid-parameter-error")


def dead_instance() -> str:
    """A loopback URL nothing listens on: connection refused at once."""
    return f"http://127.0.0.1:{_free_port()}"


def write_config(folder: Path, instances: list, channels: dict[str, str], **extra) -> Path:
    """A config whose tree is 测试 › RSSHub Test › <channel> for each (channel, leaf)."""
    data = {
        "rsshub": {"instances": instances},
        "fetch": {"retries": 3, "timeout": 30},
        "storage": "feedstation.db",
        "output": {"site": None},
        "sources": {"测试": {"RSSHub Test": channels}},
        **extra,
    }
    path = folder / "feedstation.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "400", **(env or {})}, catch_exceptions=False)
