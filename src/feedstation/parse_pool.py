"""Parse + normalise off the event loop: the worker function, and a process pool that starts in the background."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime

from feedstation.errors import ParseError
from feedstation.models import Entry, FeedMeta
from feedstation.normalize import normalize_entries, normalize_feed_meta
from feedstation.parse import parse_feed

log = logging.getLogger(__name__)

Outcome = tuple[FeedMeta, list[Entry]] | str

# `feedstation.parse` imports its parsers on first use; the workers need them all, so load them up front.
PRELOAD = ["feedstation.parse_pool", "feedstation.parse.fast_xml", "feedstation.parse.xml_feed",
           "feedstation.parse.json_feed"]


def parse_and_normalize(body: bytes, base_url: str, content_type: str | None, now: datetime,
                        max_items: int | None) -> Outcome:
    """Bytes → (feed facts, normalised entries), or the reason the body is not a usable feed.

    Runs in a worker process for big runs, so it returns the failure as a value.
    """
    try:
        parsed = parse_feed(body, url=base_url, content_type=content_type)
    except ParseError as exc:
        return str(exc)
    entries = normalize_entries(parsed, base_url=base_url, now=now, max_items=max_items)
    return normalize_feed_meta(parsed, base_url=base_url), entries


def _ready() -> bool:
    return True


class ParsePool:
    """Worker processes for parsing, started on a background thread while the first fetches wait.

    Starting the pool takes a few hundred milliseconds (a forkserver importing the parsers). Bodies
    that arrive before it is up wait for it (an awaitable, so the event loop goes on fetching): parsing
    them on the loop's thread meanwhile held up every other fetch of the run, ~2.4 ms of CPU per feed
    on the thread that is the fetch stage's bottleneck (issue 19 goal 7). If the pool fails to
    start, they are parsed in this process.
    `forkserver`, not `fork`: a forked worker would inherit the run lock's flock (and the
    SQLite handles), so the orphaned workers of a `kill -9`ed run would keep the lock forever.
    """

    def __init__(self, workers: int):
        context = multiprocessing.get_context("forkserver")
        # Parsers only, not the whole app; imported once in the forkserver, so the workers share them.
        context.set_forkserver_preload(PRELOAD)
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        self._up = threading.Event()
        self._started: Future[None] = Future()  # done when `_up` is set, for awaiting it on the loop
        self._usable = False
        threading.Thread(target=self._start, args=(workers,), name="parse-pool-start", daemon=True).start()

    def _start(self, workers: int) -> None:
        try:
            for future in [self._executor.submit(_ready) for _ in range(workers)]:
                future.result()
            self._usable = True
        except Exception as exc:  # noqa: BLE001 — any failure to start means: parse in-process
            log.warning("parse pool did not start (%s); parsing in the main process", exc)
        finally:
            self._up.set()
            self._started.set_result(None)

    async def run(self, body: bytes, base_url: str, content_type: str | None, now: datetime,
                  max_items: int | None) -> Outcome:
        if not self._up.is_set():
            await asyncio.wrap_future(self._started)
        if not self._usable:
            return parse_and_normalize(body, base_url, content_type, now, max_items)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, parse_and_normalize, body, base_url, content_type, now,
                                          max_items)

    def shutdown(self) -> None:
        self._up.wait()  # never shut down under the starting thread's feet
        self._executor.shutdown(cancel_futures=True)
