"""A real HTTP server on 127.0.0.1 (port 0) in a background thread, for tests of network code.

API::

    from tests.loopback import LoopbackServer, Reply

    with LoopbackServer() as server:              # starts on 127.0.0.1:<free port>
        server.serve("/feed.xml", body=b"<rss/>", headers={"ETag": '"v1"'})   # static reply
        server.serve_sequence("/flaky", [Reply(status=500), Reply(body=b"<rss/>")])  # last repeats
        server.route("/custom", handler)          # async def handler(request: web.Request) -> web.StreamResponse
        server.url("/feed.xml")                   # "http://127.0.0.1:<port>/feed.xml"
        server.requests                           # every request received, in order (Recorded)
        server.requests_to("/feed.xml")           # only those for one path
        server.reset()                            # forget routes and recorded requests

Handlers run on the server's own event loop thread, so a handler may `await asyncio.sleep`
(slow or drip-fed replies) without blocking the code under test. Unknown paths get 404.
A pytest fixture is one line: ``yield from LoopbackServer.fixture()`` or ``with LoopbackServer() as s: yield s``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Reply:
    """A canned response for `serve` / `serve_sequence`."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it (headers are case-insensitive)."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]


class LoopbackServer:
    """See the module docstring."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._routes: dict[str, Handler] = {}
        self._requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.ServerRunner | None = None

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @classmethod
    def fixture(cls) -> Iterator[LoopbackServer]:
        """For a pytest fixture body: `yield from LoopbackServer.fixture()`."""
        with cls() as server:
            yield server

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start_site())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="loopback-http", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("loopback server did not start within 10 s")

    async def _start_site(self) -> None:
        # A short shutdown: tests leave slow/drip handlers running; cancel them, don't wait.
        self._runner = web.ServerRunner(web.Server(self._dispatch), handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        loop = self._loop
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        loop.close()
        self._loop = self._thread = None

    # -- routes --------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests for `path` (query ignored) with `handler`."""
        with self._lock:
            self._routes[path] = handler

    def serve(
        self, path: str, body: bytes = b"", *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer every request for `path` with the same response."""
        self.serve_sequence(path, [Reply(body=body, status=status, headers=dict(headers or {}))])

    def serve_sequence(self, path: str, replies: list[Reply]) -> None:
        """Answer the n-th request for `path` with replies[n]; the last reply repeats."""
        served = 0
        lock = threading.Lock()

        async def handler(request: web.Request) -> web.StreamResponse:
            nonlocal served
            with lock:
                reply = replies[min(served, len(replies) - 1)]
                served += 1
            return web.Response(body=reply.body, status=reply.status, headers=dict(reply.headers))

        self.route(path, handler)

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self._requests.clear()

    # -- what was received --------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        recorded = Recorded(
            method=request.method,
            path=request.path,
            query=request.query_string,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        with self._lock:
            self._requests.append(recorded)
            handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text=f"loopback: no route for {request.path}\n")
        return await handler(request)  # type: ignore[arg-type]
