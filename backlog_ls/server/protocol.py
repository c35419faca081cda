"""How messages go out: answers encoded once (``EncodedJson``) and pygls's document sync left to us (``BacklogProtocol``)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from lsprotocol import types
from pygls.protocol.language_server import lsp_method

from .transport import GuardedProtocol

logger = logging.getLogger(__name__)




class EncodedJson:
    """A request's result or a notification's params, already encoded as JSON text.

    pygls turns a result into JSON by walking it with cattrs on every message,
    which for a large outline costs more than computing it. Bulk answers are built
    as JSON values (see ``convert.py``), encoded once, and sent as they are; an
    answer cached per document snapshot is sent again at the cost of a write.
    """

    __slots__ = ("text",)

    def __init__(self, value: Any):
        # ASCII only (ensure_ascii), so the text's length is its length in bytes.
        self.text = json.dumps(value, separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def of_text(cls, text: str) -> EncodedJson:
        """Wrap JSON text built from already-encoded (ASCII) parts."""
        encoded = cls.__new__(cls)
        encoded.text = text
        return encoded


class ErrorAnswer:
    """A request answered with an error that is nobody's fault (the server cancelled it as
    superseded): sent as the response's ``error``, without the traceback and error report
    pygls gives an exception raised by a handler."""

    __slots__ = ("code", "message", "data")

    def __init__(self, code: int, message: str, data: Any = None):
        self.code, self.message, self.data = int(code), message, data

    def json(self) -> str:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return json.dumps(error, separators=(",", ":"), ensure_ascii=True)


class BacklogProtocol(GuardedProtocol):
    """pygls's protocol, except that open documents live only in our ``Workspace``
    and results already encoded (``EncodedJson``) are sent without re-encoding.

    pygls's built-in didOpen/didChange/didClose keep a second copy of every open
    document and apply each change to it, re-splitting the text with
    ``str.splitlines`` (which also breaks lines at \\x0c and \\u2028) at a cost that
    grows with the document. Nothing here reads that copy, so these overrides skip
    it and only run our handlers; ``ls.workspace`` still holds the root and folders.
    """

    def _send_data(self, data: Any) -> None:
        self.last_message_at = time.monotonic()
        result, params = getattr(data, "result", None), getattr(data, "params", None)
        if isinstance(result, EncodedJson):
            body = f'{{"jsonrpc":"{self.VERSION}","id":{json.dumps(data.id)},"result":{result.text}}}'
        elif isinstance(result, ErrorAnswer):
            body = f'{{"jsonrpc":"{self.VERSION}","id":{json.dumps(data.id)},"error":{result.json()}}}'
        elif isinstance(params, EncodedJson):
            body = f'{{"jsonrpc":"{self.VERSION}","method":{json.dumps(data.method)},"params":{params.text}}}'
        else:
            super()._send_data(data)
            return
        if self.writer is None:
            logger.error("No transport to send %s on", type(data).__name__)
            return
        # The same framing as pygls's own _send_data, around text that is already JSON.
        if self._include_headers:
            header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            body = header + body
        written = self.writer.write(body.encode(self.CHARSET))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

    def _user_handler(self, method: str, params: Any) -> Iterator[Any]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)
