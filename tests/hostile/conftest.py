"""Fixtures for hostile-input tests: a real loopback server and compression bombs built once per session."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli
import pytest

from tests.loopback import LoopbackServer

MIB = 1024 * 1024
BOMB_INFLATED = 2 * 1024 * MIB  # what each bomb would inflate to if nobody stopped it: 2 GiB


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    yield from LoopbackServer.fixture()


def _flushed_bomb(wbits: int) -> bytes:
    # After Z_FULL_FLUSH a deflate stream has no back-references into earlier data, so one
    # compressed 1 MiB block of spaces can be repeated: 2 GiB inflated from ~2 MB on the wire,
    # built in milliseconds. The bomb starts like a feed so it is a plausible "feed".
    head = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = head.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
    first += head.compress(b" " * MIB) + head.flush(zlib.Z_FULL_FLUSH)
    block = head.compress(b" " * MIB) + head.flush(zlib.Z_FULL_FLUSH)
    return first + block * (BOMB_INFLATED // MIB - 1) + head.flush()


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    return _flushed_bomb(16 + zlib.MAX_WBITS)


@pytest.fixture(scope="session")
def deflate_bomb() -> bytes:
    return _flushed_bomb(zlib.MAX_WBITS)


@pytest.fixture(scope="session")
def brotli_bomb() -> bytes:
    packer = brotli.Compressor(quality=1)
    parts = [packer.process(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')]
    chunk = b" " * (8 * MIB)
    parts += [packer.process(chunk) for _ in range(BOMB_INFLATED // len(chunk))]
    parts.append(packer.finish())
    return b"".join(parts)
