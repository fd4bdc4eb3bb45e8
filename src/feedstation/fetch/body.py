"""Read a response body in chunks and decompress it ourselves, under a hard cap on DEcompressed bytes."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, Iterator

import brotli

# Largest piece a decoder hands back at once: a compression bomb never gets to
# materialise more than this beyond the cap, however small its input chunk is.
_PIECE = 64 * 1024


class BodyTooLarge(Exception):
    """The (decompressed) body passed the byte cap; the caller turns it into an error message."""


class BadEncoding(Exception):
    """The body could not be decompressed as its Content-Encoding says."""


class _Identity:
    def feed(self, chunk: bytes) -> Iterator[bytes]:
        yield chunk

    def finish(self) -> None:
        pass


class _Zlib:
    """gzip (RFC 1952) or deflate (RFC 9110 §8.4.1.2: zlib-wrapped, but raw is common too)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._head = b""  # first bytes, kept until we know which deflate flavour this is
        self._obj: zlib._Decompress | None = None
        if encoding == "gzip":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _pick_deflate(self) -> zlib._Decompress:
        # RFC 1950 §2.2: a zlib header has CM=8 and (CMF*256 + FLG) divisible by 31.
        cmf, flg = self._head[0], self._head[1]
        wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._obj is None:
            self._head += chunk
            if len(self._head) < 2:
                return
            self._obj = self._pick_deflate()
            chunk, self._head = self._head, b""
        data = chunk
        try:
            while data:
                # max_length bounds each output piece; the rest of the input waits in
                # unconsumed_tail until the consumer asks for more.
                out = self._obj.decompress(data, _PIECE)
                if out:
                    yield out
                if self._obj.eof and self._obj.unused_data and self._encoding == "gzip":
                    # A gzip body may hold several members back to back (RFC 1952 §2.2).
                    data = self._obj.unused_data
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    continue
                data = self._obj.unconsumed_tail
        except zlib.error as exc:
            raise BadEncoding(f"could not decompress the {self._encoding} response body: {exc}") from exc

    def finish(self) -> None:
        if self._obj is None:
            if self._head:
                raise BadEncoding(f"the {self._encoding} response body ended after one byte")
            return
        if not self._obj.eof:
            raise BadEncoding(f"the {self._encoding} response body was cut off before its end")


class _Brotli:
    """br (RFC 7932), with brotli 1.2's output_buffer_limit bounding each output piece."""

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(chunk, output_buffer_limit=_PIECE)
            if out:
                yield out
            # Once the limit is hit, the decoder must be drained with empty input
            # until it can take more (brotli 1.2 Decompressor.process docs).
            while not self._obj.can_accept_more_data():
                out = self._obj.process(b"", output_buffer_limit=_PIECE)
                if out:
                    yield out
        except brotli.error as exc:
            raise BadEncoding(f"could not decompress the br response body: {exc}") from exc

    def finish(self) -> None:
        if not self._obj.is_finished():
            raise BadEncoding("the br response body was cut off before its end")


def _decoder(content_encoding: str | None) -> _Identity | _Zlib | _Brotli:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) > 1:
        raise BadEncoding(f"unsupported stacked Content-Encoding: {content_encoding}")
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):  # RFC 9110 §8.4.1.3: x-gzip is gzip
        return _Zlib("gzip")
    if coding == "deflate":
        return _Zlib("deflate")
    if coding == "br":
        return _Brotli()
    raise BadEncoding(f"unsupported Content-Encoding: {coding}")


def too_large_message(max_bytes: int, compressed: bool) -> str:
    after = " after decompression" if compressed else ""
    return f"response body exceeds fetch.max_bytes ({max_bytes} bytes{after})"


async def read_capped(
    chunks: AsyncIterable[bytes], content_encoding: str | None, max_bytes: int
) -> bytes:
    """Join the decoded body, raising BodyTooLarge the moment it passes `max_bytes`.

    Memory stays near max_bytes + one piece: pieces are produced lazily and counted
    before the next one is inflated.
    """
    decoder = _decoder(content_encoding)
    compressed = not isinstance(decoder, _Identity)
    parts: list[bytes] = []
    total = 0
    async for chunk in chunks:
        for piece in decoder.feed(chunk):
            total += len(piece)
            if total > max_bytes:
                raise BodyTooLarge(too_large_message(max_bytes, compressed))
            parts.append(piece)
    decoder.finish()
    return b"".join(parts)
