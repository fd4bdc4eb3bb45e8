"""`feedstation worker`: fetch the batches that runs with `fetch.executor: celery` enqueue."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from rich.text import Text

from feedstation.cli.common import config_option, console, load, reports_errors
from feedstation.errors import ConfigError


@click.command("worker")
@config_option
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Host batches this process fetches at once (each one keeps up to fetch.per_host requests).")
@click.option("--name", default=None, help="Name in `feedstation status` (default: <hostname>-<pid>).")
@reports_errors
def worker_command(config_path: Path | None, concurrency: int, name: str | None) -> None:
    """Run a fetch worker: take batches from the task queue (fetch.broker), fetch, parse and store them.

    Needs `fetch.executor: celery` and a storage every worker and run shares (PostgreSQL for several
    machines). Stop it with SIGTERM or Ctrl-C: running batches finish, reserved ones go back to the queue.

    Example: feedstation worker --config feedstation.yaml --concurrency 4
    """
    cfg = load(config_path)
    if cfg.fetch.executor != "celery":
        raise ConfigError(str(cfg.path), "fetch.executor",
                          f"is {cfg.fetch.executor!r}, so runs fetch in their own process and a worker gets no "
                          "work; set `fetch.executor: celery` (and fetch.broker) to use workers")
    from feedstation.distributed.app import shown_broker
    from feedstation.distributed.worker import run_worker

    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    console.print(Text(f"feedstation worker: {concurrency} batch(es) at a time from {shown_broker(cfg.fetch.broker)}"))
    raise SystemExit(run_worker(cfg, concurrency=concurrency, name=name, loglevel=level))
