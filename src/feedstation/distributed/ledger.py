"""A round's bookkeeping in Redis: which feeds are done (with their reports), and the per-host leases.

A round is one `run`/`fetch` with `executor: celery`. Its keys live under `feedstation:round:<id>`:

- `…` (a string with a TTL the waiting run keeps refreshing): the round is alive. A batch of a round
  that ended (its run finished, was stopped, or died) does nothing.
- `…:done` (a set of feed ids) and `…:reports` (a list of report JSON): a feed's report is pushed only
  the first time its id enters the set (one Lua script, atomic), so a redelivered batch skips the
  feeds already done and can never report a feed twice.
- `…:total`: how many feeds the round waits for (for `feedstation status`).

A host lease (`feedstation:lease:host:<host>`) is held by the one batch fetching that host, renewed while
it runs and released when it ends; a batch whose host is leased waits (Celery retry), so two workers
never fetch one host at once, even when a batch is redelivered while its first worker still runs it.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

import redis

PREFIX = "feedstation:"
ROUND_TTL = 120  # seconds a round stays alive without its run refreshing it
KEEP_FINISHED = 86400  # a round's sets expire a day after their last write, whatever happens to its run

_FINISH_FEED = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 1
end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RoundLedger:
    """The Redis side of one round (see the module docstring)."""

    def __init__(self, client: redis.Redis, round_id: str):
        self.client = client
        self.round_id = round_id
        base = f"{PREFIX}round:{round_id}"
        self._alive, self._done, self._reports, self._total = base, base + ":done", base + ":reports", base + ":total"
        self._finish = client.register_script(_FINISH_FEED)

    @classmethod
    def start(cls, client: redis.Redis, total: int) -> "RoundLedger":
        ledger = cls(client, secrets.token_hex(8))
        client.set(ledger._total, total, ex=KEEP_FINISHED)
        ledger.keep_alive()
        return ledger

    def keep_alive(self) -> None:
        self.client.set(self._alive, "1", ex=ROUND_TTL)

    def alive(self) -> bool:
        return bool(self.client.exists(self._alive))

    def finish_feed(self, feed_id: int, report: dict[str, Any]) -> bool:
        """Record a feed as done with its report; False when it already was (a redelivered batch)."""
        return bool(self._finish(keys=[self._done, self._reports],
                                 args=[feed_id, json.dumps(report, ensure_ascii=False), KEEP_FINISHED]))

    def done_ids(self) -> set[int]:
        return {int(member) for member in self.client.smembers(self._done)}

    def next_report(self, timeout: float) -> dict[str, Any] | None:
        """The next completed feed's report, waiting up to `timeout` seconds."""
        item = self.client.blpop([self._reports], timeout=timeout)
        return None if item is None else json.loads(item[1])

    def progress(self) -> tuple[int, int]:
        """(feeds done, feeds in the round)."""
        return self.client.scard(self._done), int(self.client.get(self._total) or 0)

    def end(self) -> None:
        """The run is over: batches still queued for this round will do nothing."""
        self.client.delete(self._alive, self._done, self._reports, self._total)


def live_rounds(client: redis.Redis) -> list[RoundLedger]:
    """The rounds whose run is waiting right now."""
    rounds = []
    for key in client.scan_iter(match=f"{PREFIX}round:*", count=500):
        name = key.decode() if isinstance(key, bytes) else key
        round_id = name[len(PREFIX) + len("round:"):]
        if ":" not in round_id:
            rounds.append(RoundLedger(client, round_id))
    return rounds


class HostLease:
    """The lease on one host, renewed on a background thread while held (see the module docstring)."""

    def __init__(self, client: redis.Redis, host: str, ttl: float):
        self.client = client
        self.key = f"{PREFIX}lease:host:{host}"
        self.ttl_ms = int(ttl * 1000)
        self._token = secrets.token_hex(8)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        if not self.client.set(self.key, self._token, nx=True, px=self.ttl_ms):
            return False
        self._thread = threading.Thread(target=self._keep, name=f"lease {self.key}", daemon=True)
        self._thread.start()
        return True

    def _keep(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                self._renew(keys=[self.key], args=[self._token, self.ttl_ms])
            except redis.RedisError:
                continue  # the next renewal tries again; an expired lease only lets a duplicate start

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._release(keys=[self.key], args=[self._token])
