"""How the server reads JSON-RPC messages and answers the ones it cannot take (pygls glue).

pygls 2.1 loses requests it cannot read: its reader decodes and structures each message
in one ``json.loads(object_hook=...)`` call, so when cattrs refuses the params (a negative
position, a string where a number goes) the exception escapes with the request id and the
client waits for an answer forever. It also drops requests after ``shutdown`` without an
answer, and its ``exit`` raises ``SystemExit`` where pygls itself swallows it, so the
process always ends with 0. Here:

- framing is ``framing.FrameReader`` (bounded, resynchronising), on stdio and TCP;
- a body that is not JSON gets ``ParseError``, a message that is not JSON-RPC
  ``InvalidRequest``, params that do not fit the method's types ``InvalidParams`` with
  cattrs's description of what is wrong, for every method at once;
- numbers, strings and booleans are structured strictly (no ``int(1.5)``, no ``str(5)``):
  see ``strict_converter``;
- a request after ``shutdown`` gets ``InvalidRequest``; ``exit`` ends the process with 0
  after ``shutdown`` and 1 without, as the LSP specification says.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage, LanguageServerProtocol
from pygls.protocol import _dict_to_object, default_converter
from pygls.protocol.language_server import lsp_method

from .framing import FrameReader

logger = logging.getLogger(__name__)

EXIT_AFTER_SHUTDOWN = 0
EXIT_WITHOUT_SHUTDOWN = 1
_MAX_ERROR_DETAILS = 3
# Chunks the stdin thread may read ahead of the event loop: bounds memory when the loop is busy.
_STDIN_CHUNKS_AHEAD = 16


# --- structuring ---------------------------------------------------------------------------------


def _strict_int(value: Any, type_: Any) -> int:
    # JSON has one number type: 3.0 is the integer 3, but 1.5 and true are not integers.
    # type_ is int or, through cattrs's dispatch on subclasses, an IntEnum to convert to.
    if type(value) is int or (type(value) is float and value.is_integer()):
        return type_(int(value))
    raise ValueError(f"expected an integer, got {value!r}"[:120])


def _strict_float(value: Any, _type: Any) -> float:
    if type(value) in (int, float):
        return float(value)
    raise ValueError(f"expected a number, got {type(value).__name__}")


def _strict_str(value: Any, type_: Any) -> str:
    # type_ is str or a str-based enum (MarkupKind ...), which still converts.
    if isinstance(value, str):
        return value if type_ is str else type_(value)
    raise ValueError(f"expected a string, got {type(value).__name__}")


def _strict_bool(value: Any, _type: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false, got {type(value).__name__}")


def strict_converter() -> cattrs.Converter:
    """pygls's converter, except that primitives must already have their JSON type.

    cattrs's defaults convert (``int("7")``, ``int(1.5)``, ``str(5)``, ``bool("no")``), so a
    position of 1.5 became line 1 and a URI of 5 the URI "5". lsprotocol's own validators
    then reject what is out of range (negative positions, 2^31 and beyond).
    """
    converter = default_converter()
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)
    return converter


def _describe(error: Exception) -> str:
    """What cattrs found wrong, as "what @ $.path" lines (at most a few)."""

    def message(exc: BaseException, type_: Any) -> str:
        return str(exc) if isinstance(exc, ValueError) and str(exc) else cattrs.v.format_exception(exc, type_)

    try:
        details = cattrs.transform_error(error, path="$", format_exception=message)
    except Exception:  # the description must never be the next failure
        details = [str(error)]
    return "; ".join(details[:_MAX_ERROR_DETAILS]) or type(error).__name__


def _valid_id(value: Any) -> bool:
    return type(value) in (int, str)


class _ErrorWithoutId:
    """An error response whose id is null (JSON-RPC: the request's id could not be read).

    lsprotocol's ``ResponseErrorMessage`` leaves out an id of None; pygls serialises a
    plain object by its ``__dict__``, which keeps it.
    """

    def __init__(self, code: int, message: str):
        self.jsonrpc = "2.0"
        self.id = None
        self.error = {"code": code, "message": message}


# --- the protocol --------------------------------------------------------------------------------


class GuardedProtocol(LanguageServerProtocol):
    """Answers every request it receives, even one it cannot read or will not serve."""

    exit_code: int | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._on_exit: list[Any] = []
        # When the last message was read or written (``time.monotonic``): a client asking request
        # after request keeps the server's background work waiting (``BacklogServer.busy``).
        self.last_message_at = 0.0

    def _send_data(self, data: Any) -> None:
        self.last_message_at = time.monotonic()
        super()._send_data(data)

    def receive(self, body: bytes) -> None:
        """Handle one framed message body."""
        self.last_message_at = time.monotonic()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            logger.warning("An LSP message is not JSON: %s", str(error)[:200])
            self._send_data(_ErrorWithoutId(types.ErrorCodes.ParseError, f"Parse error: {str(error)[:200]}"))
            return
        problem = _envelope_problem(data)
        if problem is not None:
            msg_id = data.get("id") if isinstance(data, dict) and _valid_id(data.get("id")) else None
            self._refuse(msg_id, types.ErrorCodes.InvalidRequest, f"Invalid request: {problem}")
            return
        try:
            message = self._structure(data)
        except Exception as error:
            self._refuse_unreadable(data, error)
            return
        self.handle_message(message)

    def _structure(self, data: dict[str, Any]) -> Any:
        # pygls's structure_message, minus its traceback on every refusal.
        if "method" in data:
            kind = self.get_message_type(data["method"])
            if kind is None:  # a method lsprotocol does not know: pygls answers MethodNotFound, or runs ours
                params = _dict_to_object(data.get("params"))
                if "id" in data:
                    return JsonRPCRequestMessage(id=data["id"], method=data["method"], jsonrpc="2.0", params=params)
                return JsonRPCNotification(method=data["method"], jsonrpc="2.0", params=params)
        elif "error" in data:
            kind = types.ResponseErrorMessage
        else:
            kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
        return self._converter.structure(data, kind)

    def _refuse_unreadable(self, data: dict[str, Any], error: Exception) -> None:
        method = data.get("method", "a response")
        if isinstance(error, (cattrs.BaseValidationError, ValueError, TypeError, KeyError)):
            code, text = types.ErrorCodes.InvalidParams, f"Invalid params for {method}: {_describe(error)}"
            logger.warning("%s", text[:500])
        else:
            code, text = types.ErrorCodes.InternalError, f"Could not read {method}: {type(error).__name__}"
            logger.exception("Could not read an LSP message for %s", method)
        if "id" in data and "method" in data:  # only a request is answered
            self._refuse(data["id"], code, text)

    def _refuse(self, msg_id: int | str | None, code: int, message: str) -> None:
        if msg_id is None:
            self._send_data(_ErrorWithoutId(code, message))
        else:
            self._send_response(msg_id, error=types.ResponseError(code=code, message=message[:2000]))

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if self._shutdown and method is not None and method != types.EXIT and hasattr(message, "id"):
            # pygls drops it silently; the specification wants an answer.
            self._refuse(message.id, types.ErrorCodes.InvalidRequest, f"The server is shut down: no {method}")
            return
        super().handle_message(message)

    def when_exit(self, callback: Any) -> None:
        self._on_exit.append(callback)

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Iterator[Any]:
        """Stop reading; the process then ends with 0 after ``shutdown``, 1 without."""
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        self.exit_code = EXIT_AFTER_SHUTDOWN if self._shutdown else EXIT_WITHOUT_SHUTDOWN
        for callback in self._on_exit:
            callback()


def _envelope_problem(data: Any) -> str | None:
    """Why ``data`` is no JSON-RPC 2.0 request, notification or response (None if it is one)."""
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(data), "a number")
        return f"a message is a JSON object, not {kind}"
    if data.get("jsonrpc") != "2.0":
        return 'no "jsonrpc": "2.0"'
    if "id" in data and not _valid_id(data["id"]):
        return "the id is neither a number nor a string"
    if "method" in data and not isinstance(data["method"], str):
        return "the method is not a string"
    if "method" not in data and "id" not in data:
        return "neither a method nor an id"
    return None


# --- transports ----------------------------------------------------------------------------------


def _stdin_reader(stdin: BinaryIO, loop: asyncio.AbstractEventLoop) -> Any:
    """An ``async read_some(n)`` over stdin, read by a daemon thread.

    pygls reads stdin in its thread pool, which the interpreter joins at exit: with the
    client's end still open, ``exit`` would wait for one more message. A daemon thread
    reading the file descriptor directly (not the buffered object, whose lock would be
    held at shutdown) does not hold the process.
    """
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=_STDIN_CHUNKS_AHEAD)
    try:
        descriptor = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        descriptor = None

    def read_chunk(size: int) -> bytes:
        if descriptor is not None:
            return os.read(descriptor, size)
        return getattr(stdin, "read1", stdin.read)(size)

    def pump() -> None:
        while True:
            try:
                chunk = read_chunk(256 * 1024)
            except OSError:
                chunk = b""
            try:
                asyncio.run_coroutine_threadsafe(queue.put(chunk), loop).result()
            except (Exception, asyncio.CancelledError):  # the loop is gone: the server has stopped
                return
            if not chunk:
                return

    threading.Thread(target=pump, name="backlog-ls stdin", daemon=True).start()

    async def read_some(_size: int) -> bytes:
        return await queue.get()

    return read_some


async def _serve(frames: FrameReader, protocol: GuardedProtocol) -> None:
    """Hand each message to the protocol until the stream ends or ``exit`` arrives."""
    reading = asyncio.current_task()
    assert reading is not None
    # pygls runs the exit handler within receive(), so the loop below sees exit_code at once;
    # the cancel is for a handler that finishes later, while the loop waits for input.
    protocol.when_exit(lambda: asyncio.get_running_loop().call_soon(reading.cancel))
    try:
        while protocol.exit_code is None and (body := await frames.next_body()) is not None:
            try:
                protocol.receive(body)
            except BrokenPipeError:
                logger.error("The client has gone: stopping")
                return
            except Exception:  # one bad message never stops the server
                logger.exception("Could not handle an LSP message")
    except asyncio.CancelledError:
        if protocol.exit_code is None:
            raise


class GuardedServer(LanguageServer):
    """pygls's server over our reader; ``start_io`` and ``start_tcp`` return the exit code."""

    protocol: GuardedProtocol

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:  # type: ignore[override]
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            frames = FrameReader(_stdin_reader(stdin or sys.stdin.buffer, asyncio.get_running_loop()))
            await _serve(frames, self.protocol)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            logger.error("The connection to the client is lost: shutting down")
        except KeyboardInterrupt:
            pass
        finally:
            self._close_writer()
            self.shutdown()
        return self._exit_code()

    def start_tcp(self, host: str, port: int) -> int:  # type: ignore[override]
        """Serve one client on ``host:port``; stop when it disconnects or sends ``exit``."""
        self._stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            try:
                await _serve(FrameReader(reader.read), self.protocol)
            finally:
                writer.close()
                self.shutdown()  # closes the listening socket: serve_forever ends

        async def listen() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(listen())
        except (asyncio.CancelledError, KeyboardInterrupt):
            pass
        return self._exit_code()

    def _close_writer(self) -> None:
        writer = self.protocol.writer
        if writer is not None:
            try:
                writer.close()
            except Exception:  # already closed, or the pipe is gone
                pass

    def _exit_code(self) -> int:
        # The end of the input without exit is no request to stop with an error.
        code = self.protocol.exit_code
        return EXIT_AFTER_SHUTDOWN if code is None else code
