"""Scheduling pieces for `feedstation watch`: interval parsing and a Ctrl-C flag that stops between stages."""

from __future__ import annotations

import re
import signal
import threading

from feedstation.errors import FeedstationError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_interval(text: str) -> float:
    """'90s', '30m', '2h', '1d' (or bare seconds) → seconds; at least one second."""
    match = _INTERVAL.match(text)
    if not match:
        raise FeedstationError(f"--every {text!r}: expected a number with a unit, e.g. 90s, 30m, 2h or 1d")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 1:
        raise FeedstationError(f"--every {text!r}: must be at least one second")
    return seconds


class StopFlag:
    """Set by the first Ctrl-C/SIGTERM; the run loop checks it between stages.

    A second signal raises KeyboardInterrupt at once: every feed update is one transaction
    and every file write is temp + rename, so even that leaves no half-written state.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    @classmethod
    def install(cls, *signals: int) -> "StopFlag":
        flag = cls()
        for signum in signals:
            signal.signal(signum, flag._handle)
        return flag

    def _handle(self, signum, frame) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if a stop was requested meanwhile."""
        return self._event.wait(seconds)
