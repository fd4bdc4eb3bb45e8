"""The run lock on PostgreSQL: a session advisory lock on the database itself, naming its holder.

A lock file only keeps apart runs that share a folder; runs on several hosts (or from several config
folders) that share one PostgreSQL database must be kept apart by the database. The lock lives as long
as the connection that took it, so a killed run's lock is freed by the server when its connection drops.
The holder is named through the connection's `application_name`, which `pg_stat_activity` shows to the
run that is refused.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import datetime, timezone

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from feedstation.errors import LockedError, StoreError

# Advisory-lock key of feedstation's run lock (any constant; distinct from the migration lock's).
RUN_LOCK_KEY = 0x66737275_6E6C6B  # "fsrunlk"
_NAME_LIMIT = 63  # PostgreSQL truncates application_name to NAMEDATALEN - 1 bytes


def holder_name() -> str:
    """`feedstation <command> pid N on HOST since HH:MM UTC`, short enough for application_name."""
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    since = datetime.now(timezone.utc).strftime("%H:%M UTC")
    name = f"feedstation {command} pid {os.getpid()} on {socket.gethostname()} since {since}"
    return name.encode("utf-8")[:_NAME_LIMIT].decode("utf-8", "ignore")


def shown_url(url: str) -> str:
    """The database URL with any password replaced by `***`, for messages."""
    return make_url(url).render_as_string(hide_password=True)


class DatabaseRunLock:
    """Context manager: hold PostgreSQL advisory lock RUN_LOCK_KEY for one run, or raise LockedError."""

    def __init__(self, url: str, what: str):
        self.url = url
        self.what = what
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> "DatabaseRunLock":
        name = holder_name()
        try:
            self._engine = create_engine(self.url, poolclass=NullPool, connect_args={"application_name": name})
            self._conn = self._engine.connect()
            taken = self._conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": RUN_LOCK_KEY}).scalar_one()
            self._conn.commit()
            if not taken:
                holder = self._holder()
                self._release()
                raise LockedError(f"another feedstation process is using {self.what}: {holder}. "
                                  "Wait for it to finish (or stop it) and run again.")
        except SQLAlchemyError as exc:
            self._release()
            raise StoreError(f"cannot lock {self.what}: {getattr(exc, 'orig', None) or exc}") from exc
        return self

    def __exit__(self, *exc_info) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RUN_LOCK_KEY})
                self._conn.commit()
            except SQLAlchemyError:
                pass  # the server is gone: so is the lock
        self._release()

    def _holder(self) -> str:
        assert self._conn is not None
        row = self._conn.execute(text(
            "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = :key"), {"key": RUN_LOCK_KEY}).first()
        if row is None:
            return "a process that has just finished"
        name, addr = row
        return f"{name or 'unknown process'}" + (f" (from {addr})" if addr else "")

    def _release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
