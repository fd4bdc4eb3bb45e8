"""`feedstation serve` in a subprocess for the browser tests: started on a free port, the URL it prints read back."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SAFETY_NET = 90  # seconds; a hang fails instead of blocking CI, never a timing assertion


@contextmanager
def feedstation_serve(config: Path, env: dict[str, str]) -> Iterator[str]:
    """Run `feedstation serve --port 0` on `config` as a user would; yield the URL it printed on its own line."""
    server = subprocess.Popen([sys.executable, "-m", "feedstation", "serve", "--config", str(config), "--port", "0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + SAFETY_NET
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "serve exited before printing its URL:\n" + "".join(lines)
            lines.append(line)
            if match := re.match(r"^\s+(http://127\.0\.0\.1:\d+\S*)$", line):
                break
        else:
            raise AssertionError("serve printed no URL:\n" + "".join(lines))
        yield match.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
