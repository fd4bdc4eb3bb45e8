"""A loopback server (port 0) serving the fixture `/api/namespace`, cut from the real RSSHub's
(tests/rsshub/fixture_catalog.py), and the broken answers a real RSSHub never gives."""

from __future__ import annotations

import gzip
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from feedstation.catalog import Catalog, load_catalog, update_catalog

FIXTURE = Path(__file__).parent.parent / "fixtures" / "rsshub" / "namespace.json"
BIG = 300_000  # bytes served by /big and /stream; tests set the cap below it

# Made up, never served by a real RSSHub: a malformed route inside a real namespace (skipped alone, the
# namespace kept) and a category id RSSHub may add after this build (kept as its id, not 其他).
MADE_UP = {
    "sspai": {"/broken": {"path": "/broken", "name": 42, "categories": ["new-media"]}},
    "mystery": {"/x": {"path": "/x", "name": "X", "categories": ["mystery-key"], "example": "/mystery/x"}},
}


def mixed_payload() -> bytes:
    """The fixture with MADE_UP's routes added: what `/mixed/api/namespace` serves."""
    data = json.loads(FIXTURE.read_bytes())
    for key, routes in MADE_UP.items():
        data.setdefault(key, {"name": key.title(), "url": f"{key}.example", "routes": {}})["routes"].update(routes)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.received.append((self.path, dict(self.headers)))
        instance, _, rest = self.path.lstrip("/").partition("/")
        if rest != "api/namespace":
            return self._send(404, b"not found", "text/plain")
        body = FIXTURE.read_bytes()
        if instance == "good":
            self._send(200, body)
        elif instance == "mixed":
            self._send(200, mixed_payload())
        elif instance == "gzip":
            self._send(200, gzip.compress(body), Content_Encoding="gzip")
        elif instance == "fail":
            self._send(500, b"internal error", "text/plain")
        elif instance == "html":
            self._send(200, b"<!doctype html><title>RSSHub</title><p>Welcome", "text/html")
        elif instance == "empty":
            self._send(200, b"{}")
        elif instance == "array":
            self._send(200, b"[1, 2, 3]")
        elif instance == "nested":
            self._send(200, b"[" * 200_000 + b"]" * 200_000)
        elif instance == "big":
            self._send(200, b'{"x": "' + b"a" * BIG + b'"}')
        elif instance == "stream":
            # No Content-Length: only the running count can stop it (HTTP/1.1 close-delimited body).
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"x": "' + b"a" * BIG + b'"}')
            self.close_connection = True
        elif instance == "bomb":
            self._send(200, gzip.compress(b" " * (BIG * 10)), Content_Encoding="gzip")
        else:
            self._send(404, b"no such instance", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # The client hanging up on an over-cap body is the behaviour under test, not a failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def rsshub_server():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def base_url(rsshub_server) -> str:
    rsshub_server.received.clear()
    return f"http://127.0.0.1:{rsshub_server.server_address[1]}"


@pytest.fixture
def catalog(base_url, tmp_path) -> Catalog:
    """The fixture catalog as the product reads it: downloaded, cached, loaded back."""
    path = tmp_path / "rsshub-routes.json"
    update_catalog([f"{base_url}/good"], path)
    return load_catalog(path)


@pytest.fixture
def mixed_catalog(base_url, tmp_path) -> Catalog:
    """The fixture catalog with MADE_UP's entries, as the product reads it."""
    path = tmp_path / "mixed-routes.json"
    update_catalog([f"{base_url}/mixed"], path)
    return load_catalog(path)
