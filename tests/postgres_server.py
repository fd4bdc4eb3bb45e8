"""A real PostgreSQL server for the tests: Debian's `postgresql`, initdb in a temporary folder, loopback only.

No business logic. `PostgresServer.start()` runs `initdb` and `pg_ctl` as the unprivileged `postgres` user
(PostgreSQL refuses to run as root) on a free 127.0.0.1 port with trust authentication, `fsync=off` (a test
cluster needs speed, not durability) and no TCP listener other than loopback. `new_database()` gives each
test its own empty database so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_PG_USER = "postgres"


def _pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is missing: apt-get install postgresql (tests/setup.sh does)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One throwaway cluster; `url(database)` gives a SQLAlchemy URL for psycopg 3."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="feedstation-pg-"))
        self.port = _free_port()
        self._names = itertools.count(1)

    def _as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", _PG_USER, "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:
            account = pwd.getpwnam(_PG_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        data = self.folder / "data"
        self._as_postgres(_pg_bin("initdb"), "-D", str(data), "--auth=trust", "--username=feedstation",
                          "--encoding=UTF8", "--locale=C")
        self._options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self.resume()
        return self

    def halt(self) -> None:
        """Stop the server (fast: active connections are cut), keeping its data; `resume()` starts it again."""
        self._as_postgres(_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._as_postgres(_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-o", self._options,
                          "-l", str(self.folder / "log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._as_postgres(_pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop",
                          check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://feedstation@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(host="127.0.0.1", port=self.port, user="feedstation", dbname="postgres",
                                     autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                return self.url(name)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
