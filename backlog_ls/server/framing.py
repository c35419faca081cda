"""LSP's base protocol: ``Content-Length`` framed messages, read from a byte stream that may lie.

pygls's reader trusts its input: one header it cannot parse (``Content-Length: abc``, a
negative length, a header block without a length) leaves it reading every later message
as part of a header, deaf for good, and a large length is read into memory at once (a
header claiming gigabytes ends the process with a MemoryError). This reader keeps its
own bounded buffer and, after any malformed frame, resynchronises at the next header:

- a header block without a valid ``Content-Length`` is logged and dropped; the body that
  followed it becomes bytes before the next header, which the search skips;
- garbage between frames is skipped: the length is the last ``Content-Length`` in the
  header block, wherever it starts;
- a length over ``MAX_CONTENT_LENGTH`` is refused: the body is discarded in bounded chunks
  as it arrives, and reading resumes early at a header line found inside it. This is safe
  because ``Content-Length: 12\\r\\n`` cannot occur in a JSON text: raw CR and LF are not
  allowed inside a JSON string, and outside strings the words are not JSON.

Memory stays under the cap plus one read chunk. No pygls here: the source is any
``async (max_bytes) -> bytes`` that returns b"" at the end of the stream.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # bytes; a 10 MB document is one didOpen of ~11 MB
READ_CHUNK = 64 * 1024
# A header block is two short lines; garbage longer than this without a blank line is skipped
# (keeping a tail, so a header that is arriving is not cut in half).
MAX_HEADER_BYTES = 64 * 1024
_KEPT_TAIL = 1024
_MAX_LOGGED_PROBLEMS = 20

_HEADER_END = b"\r\n\r\n"
# Anywhere in a header block, not only at a line start: garbage before a header is skipped.
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
# A complete length header line, the point to resynchronise at inside a refused body.
_HEADER_LINE = re.compile(rb"content-length[ \t]*:[ \t]*\d{1,20}[ \t]*\r\n", re.IGNORECASE)
_DIGITS = re.compile(rb"\d{1,20}")

ReadSome = Callable[[int], Awaitable[bytes]]


class FrameReader:
    """Yields the body of each well-framed message; skips, logs and survives the rest."""

    def __init__(self, read_some: ReadSome, max_content_length: int = MAX_CONTENT_LENGTH):
        self._read_some = read_some
        self._max = max_content_length
        self._buffer = bytearray()
        self._eof = False
        self._problems = 0

    async def next_body(self) -> bytes | None:
        """The next message body, or None at the end of the stream."""
        searched = 0  # the buffer before this holds no header end: a trickling client costs no rescans
        while True:
            header_end = self._buffer.find(_HEADER_END, searched)
            if header_end < 0:
                searched = max(0, len(self._buffer) - len(_HEADER_END) + 1)
                if len(self._buffer) > MAX_HEADER_BYTES:
                    dropped = len(self._buffer) - _KEPT_TAIL
                    del self._buffer[:dropped]
                    searched -= dropped
                    self._problem("Skipped %d bytes between LSP messages that are no header", dropped)
                if not await self._fill():
                    return None
                continue
            header = bytes(self._buffer[:header_end])
            del self._buffer[: header_end + len(_HEADER_END)]
            searched = 0
            length = self._content_length(header)
            if length is None:
                continue
            if length > self._max:
                self._problem(
                    "Refused an LSP message of %d bytes (the limit is %d): its body is discarded", length, self._max, level=logging.ERROR
                )
                if not await self._discard(length):
                    return None
                continue
            while len(self._buffer) < length:
                if not await self._fill():
                    return None
            body = bytes(self._buffer[:length])
            del self._buffer[:length]
            return body

    def _content_length(self, header: bytes) -> int | None:
        found = _CONTENT_LENGTH.findall(header)
        if not found:
            self._problem("Skipped an LSP header without a Content-Length: %r", header[-200:])
            return None
        value = found[-1].strip()
        if not _DIGITS.fullmatch(value):
            self._problem("Skipped an LSP message whose Content-Length is not a length: %r", value[:40])
            return None
        return int(value)

    async def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        chunk = await self._read_some(READ_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def _discard(self, length: int) -> bool:
        """Drop ``length`` bytes as they arrive, or up to a header line found among them."""
        remaining = length
        while True:
            found = _HEADER_LINE.search(self._buffer, 0, remaining + 64)
            if found is not None:
                del self._buffer[: found.start()]
                return True
            if len(self._buffer) >= remaining:
                del self._buffer[:remaining]
                return True
            # Keep a short tail: a header line may be split between two chunks.
            keep = min(len(self._buffer), 64)
            dropped = len(self._buffer) - keep
            del self._buffer[:dropped]
            remaining -= dropped
            if not await self._fill():
                return False

    def _problem(self, message: str, *args: object, level: int = logging.WARNING) -> None:
        # A client that sends garbage may send a lot of it: log the first few, then say so once.
        self._problems += 1
        if self._problems <= _MAX_LOGGED_PROBLEMS:
            logger.log(level, message, *args)
        elif self._problems == _MAX_LOGGED_PROBLEMS + 1:
            logger.warning("More malformed LSP messages; no longer logging them")
