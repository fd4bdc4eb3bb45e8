"""A real, unmodified RSSHub (npm `rsshub`, toolset tests/npm/rsshub) started on a free 127.0.0.1 port.

No business logic. `RealRSSHub.start()` runs `node serve.mjs PORT` from the installed toolset with the
environment that keeps RSSHub offline: every outgoing request goes through the proxy `127.0.0.1:9`, which
refuses connections, so web-scraping routes fail with RSSHub's own error page and only the built-in `test`
namespace serves items. Every request RSSHub receives is recorded (the launcher appends one JSON line per
request), so tests assert on what the real server saw: paths, counts, `If-None-Match`.

API::

    server = RealRSSHub.start(access_key=None)   # raises RSSHubStartError with node's output if it cannot start
    server.url("/test/1")                         # "http://127.0.0.1:<port>/test/1"
    server.requests()                             # [Request(path, query, headers)], in order received
    server.requests_to("/test/error")
    server.clear_requests()
    server.stop()
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.npm_toolsets import npm_toolset

# Startup imports ~1,600 route modules; on the shared 2-core machine that takes 5-20 s.
START_DEADLINE = 180.0
OFFLINE_ENV = {
    "NODE_ENV": "production",
    "CACHE_TYPE": "memory",
    "UA": "feedstation-tests (RSSHub on loopback)",  # without UA every outgoing request fails before the network
    "PROXY_URI": "http://127.0.0.1:9",  # the discard port: nothing listens, so nothing leaves the machine
    "PROXY_STRATEGY": "all",
    "REQUEST_RETRY": "0",
    "NO_LOGFILES": "true",
}


class RSSHubStartError(RuntimeError):
    """RSSHub did not start; the message carries node's output."""


@dataclass(frozen=True)
class Request:
    """One request as RSSHub received it (header names lower-case)."""

    path: str
    query: str
    headers: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealRSSHub:
    def __init__(self, process: subprocess.Popen, port: int, log: Path, request_log: Path, access_key: str | None):
        self.process = process
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.access_key = access_key
        self._log = log
        self._request_log = request_log

    @classmethod
    def start(cls, work_dir: Path, *, access_key: str | None = None) -> RealRSSHub:
        toolset = npm_toolset("rsshub")
        node = "node"
        work_dir.mkdir(parents=True, exist_ok=True)
        request_log = work_dir / "requests.jsonl"
        request_log.write_text("")
        log = work_dir / "rsshub.log"
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(OFFLINE_ENV, FEEDSTATION_REQUEST_LOG=str(request_log))
        if access_key:
            env["ACCESS_KEY"] = access_key
        port = _free_port()
        with log.open("wb") as out:
            process = subprocess.Popen([node, str(toolset / "serve.mjs"), str(port)], cwd=work_dir, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        server = cls(process, port, log, request_log, access_key)
        server._wait_until_up()
        server.clear_requests()
        return server

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        probe = self.url("/test/1") + (f"?key={self.access_key}" if self.access_key else "")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RSSHubStartError(f"RSSHub exited with {self.process.returncode} while starting:\n{self.output()}")
            try:
                with urllib.request.urlopen(probe, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RSSHubStartError(f"RSSHub did not answer {probe} within {START_DEADLINE:g}s:\n{self.output()}")

    def output(self) -> str:
        return self._log.read_text(errors="replace")[-4000:]

    def url(self, path: str = "") -> str:
        return self.base + path

    def requests(self) -> list[Request]:
        lines = self._request_log.read_text(encoding="utf-8").splitlines()
        return [Request(**json.loads(line)) for line in lines if line.strip()]

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests() if r.path == path]

    def clear_requests(self) -> None:
        self._request_log.write_text("")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
