"""Local preview: serve the built site on 127.0.0.1 and rebuild when watched files change."""

from __future__ import annotations

import errno
import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from feedstation.errors import OutputError

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Static files as a static host serves them, under the site's own path, with the site's own 404 page.

    `mount` is the path of `site.url` ("/news" for https://example.github.io/news): every page
    links to `/news/...`, so the preview serves the folder there, like GitHub Pages serves a
    project site (issue 12.3). `/` redirects to the mount; other paths outside it are 404.
    """

    mount = ""

    def send_head(self):
        path = unquote(urlsplit(self.path).path)
        if self.mount and path in ("/", self.mount):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", quote(self.mount + "/", safe="/-._~"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.mount and not path.startswith(self.mount + "/"):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        if self.mount:
            decoded = unquote(urlsplit(path).path)
            path = quote(decoded[len(self.mount):] if decoded.startswith(self.mount + "/") else "/", safe="/")
        return super().translate_path(path)

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".json": "application/json", ".js": "text/javascript",
                      ".xml": "application/xml", ".opml": "text/x-opml", ".pf_meta": "application/octet-stream"}

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        log.debug("%s - %s", self.address_string(), format % args)


def make_server(out_dir: Path, port: int = 8000, *, mount: str = "") -> ThreadingHTTPServer:
    """An HTTP server for `out_dir` at path `mount` ("" or "/news"), bound to loopback only (port 0: a free port)."""
    handler_class = type("MountedSiteRequestHandler", (SiteRequestHandler,), {"mount": mount.rstrip("/")})
    handler = functools.partial(handler_class, directory=str(out_dir))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        # Port 8000 is every other dev server's default too: say what to do instead of a traceback.
        raise OutputError(f"port {port} on 127.0.0.1 is already in use (another `feedstation serve`, or another "
                          f"program); pass --port with a free one, e.g. --port {port + 1}") from None


def preview_url(server: ThreadingHTTPServer, mount: str = "") -> str:
    """The address to open: loopback, the bound port, the site's path."""
    return f"http://127.0.0.1:{server.server_address[1]}{quote(mount.rstrip('/'), safe='/-._~')}/"


def snapshot(watch: Sequence[Path]) -> dict[str, float]:
    """mtime of every watched file (folders walked); a change in this dict means "rebuild"."""
    stamps: dict[str, float] = {}
    for root in watch:
        root = Path(root)
        if root.is_dir():
            for folder, _dirs, files in os.walk(root):
                for name in files:
                    _stamp(os.path.join(folder, name), stamps)
        else:
            _stamp(str(root), stamps)
            _stamp(f"{root}-wal", stamps)  # SQLite in WAL mode commits into the -wal file first
    return stamps


def _stamp(path: str, stamps: dict[str, float]) -> None:
    try:
        stamps[path] = os.stat(path).st_mtime
    except OSError:
        pass


def _watch_loop(watch: Sequence[Path], marker: Callable[[], object] | None, rebuild: Callable[[], object],
                stop: threading.Event) -> None:
    def state() -> tuple:
        return snapshot(watch), _read_marker(marker)

    last = state()
    while not stop.wait(POLL_SECONDS):
        current = state()
        if current == last:
            continue
        last = current
        try:
            rebuild()
        except Exception:  # a broken template must not kill the preview; the next save retries
            log.exception("rebuild failed; still serving the previous build")
        last = state()  # the rebuild may itself touch watched files (the DB)


def _read_marker(marker: Callable[[], object] | None) -> object:
    if marker is None:
        return None
    try:
        return marker()
    except Exception as exc:  # the database may be restarting: look again at the next poll
        log.debug("change marker unavailable: %s", exc)
        return "unavailable"


def serve_site(out_dir: Path, *, port: int = 8000, mount: str = "", rebuild: Callable[[], object] | None = None,
               watch: Sequence[Path] = (), marker: Callable[[], object] | None = None,
               on_ready: Callable[[str], object] | None = None) -> None:
    """Serve `out_dir` on http://127.0.0.1:<port><mount>/ until interrupted, rebuilding when `watch` paths change
    or `marker()` (a database's change marker, for a database that is not a file) returns something new.

    `on_ready` gets the preview URL once the port is bound.
    """
    server = make_server(Path(out_dir), port, mount=mount)
    stop = threading.Event()
    watcher = None
    if rebuild is not None and (watch or marker is not None):
        watcher = threading.Thread(target=_watch_loop, args=(list(watch), marker, rebuild, stop), daemon=True,
                                   name="feedstation-watch")
        watcher.start()
    log.info("serving %s on %s", out_dir, preview_url(server, mount))
    if on_ready is not None:
        on_ready(preview_url(server, mount))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        if watcher is not None:
            watcher.join(timeout=5)
