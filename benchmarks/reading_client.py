"""The benchmarks' LSP client: lspbench's, but it decodes a big answer only when it is read.

lspbench's client decodes every message in its one reader thread before it reads the next.
Python's json takes 29 ms for the 1.3 MB documentSymbol answer of a 2,000-task backlog (about
290 ms at 20,000 tasks), so every answer read after it was stamped late by the client's own
decoding, and a server that answered big lists looked slower than it was. VS Code decodes in
V8, several times faster (``benchmarks/floor.py`` prints both costs).

Here a response of more than ``_DECODE_LATER`` bytes is stamped when its last byte arrives
and decoded on first use (``Waiter.result``); smaller messages, notifications and the
server's requests are decoded at once, as before, so nothing else changes.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "tools"))

import lspbench  # noqa: E402

_DECODE_LATER = 16 * 1024
# A response whose top-level "id" comes before its result or error, as every server measured
# here writes it ({"jsonrpc":"2.0","id":7,"result":...} or {"id":7,"jsonrpc":"2.0",...}).
_RESPONSE_HEAD = re.compile(
    rb'\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(\d+)\s*,\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"(?:result|error)"'
)


class _DecodedOnUse(Mapping):
    """A message body decoded the first time anything reads it."""

    __slots__ = ("_body", "_message")

    def __init__(self, body: bytes):
        self._body = body
        self._message: dict | None = None

    def _decoded(self) -> dict:
        if self._message is None:
            self._message = json.loads(self._body)
            self._body = b""
        return self._message

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self):
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __bool__(self) -> bool:
        return True


def bodies(stream) -> Iterator[bytes]:
    """Each message's body read from ``stream`` (LSP base-protocol framing), until it ends."""
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return
            line = line.strip()
            if not line:
                if length is not None:
                    break
                continue
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length":
                length = int(value.strip())
        body = stream.read(length)
        if len(body) < length:
            raise EOFError("short read")
        yield body


class Client(lspbench.LspClient):
    def _read_loop(self) -> None:
        try:
            for body in bodies(self.proc.stdout):
                arrived = time.perf_counter()
                head = _RESPONSE_HEAD.match(body, 0, 200) if len(body) > _DECODE_LATER else None
                if head is None:
                    self._dispatch(json.loads(body), arrived, len(body))
                    continue
                with self.lock:
                    waiter = self.pending.pop(int(head.group(1)), None)
                if waiter is not None:
                    waiter.t_recv, waiter.msg, waiter.nbytes = arrived, _DecodedOnUse(body), len(body)
                    waiter.ev.set()
            raise EOFError("server closed stdout")
        except Exception as error:  # noqa: BLE001 - the reader must never die silently
            self.dead_reason = f"{type(error).__name__}: {error}"
        finally:
            self.dead = True
            with self.lock:
                waiters = list(self.pending.values())
                self.pending.clear()
            for waiter in waiters:
                waiter.ev.set()
            with self.diag_cv:
                self.diag_cv.notify_all()
