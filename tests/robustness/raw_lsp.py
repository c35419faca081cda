"""A language server process driven with raw bytes: for frames and params no real client sends.

pytest-lsp's client frames and types every message correctly, which is the point of it
and no use here. ``RawServer`` writes whatever bytes a test gives it and reads the
server's stdout on a thread, so a test can send a malformed frame and then ask whether
the next request is still answered.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from tests.lsp_support import TIMEOUT

SERVE_COMMAND = [sys.executable, "-m", "backlog_ls", "serve"]
_LENGTH = re.compile(rb"Content-Length: *(\d+)", re.IGNORECASE)


def frame(message: dict[str, Any] | bytes, *, ensure_ascii: bool = True) -> bytes:
    """One message with its Content-Length header (bytes are framed as they are)."""
    body = message if isinstance(message, bytes) else json.dumps(message, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def request(msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def did_open(uri: str, text: str, version: int = 1) -> dict[str, Any]:
    return notification(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}
    )


def initialize(msg_id: int = 1, position_encodings: list[str] | None = None) -> dict[str, Any]:
    capabilities: dict[str, Any] = {}
    if position_encodings is not None:
        capabilities["general"] = {"positionEncodings": position_encodings}
    return request(msg_id, "initialize", {"processId": None, "rootUri": None, "capabilities": capabilities})


class _Messages:
    """Splits the server's output into messages on a thread; tests wait on them by id."""

    def __init__(self, read: Any):
        self._read = read
        self.answers: dict[Any, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self._arrived = threading.Condition()
        self.closed = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._read(65536)
            except OSError:  # the socket was closed under the thread
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            while (header_end := buffer.find(b"\r\n\r\n")) >= 0:
                length = int(_LENGTH.search(buffer[:header_end])[1])
                start = header_end + 4
                if len(buffer) < start + length:
                    break
                self._add(json.loads(buffer[start : start + length]))
                buffer = buffer[start + length :]
        with self._arrived:
            self.closed = True
            self._arrived.notify_all()

    def _add(self, message: dict[str, Any]) -> None:
        with self._arrived:
            if "method" in message:
                self.notifications.append(message)
            else:
                self.answers[message.get("id")] = message
            self._arrived.notify_all()

    def wait_for(self, msg_id: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The server's answer to request ``msg_id`` (AssertionError if none comes in time)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while msg_id not in self.answers:
                left = deadline - time.monotonic()
                assert left > 0 and not self.closed, f"no answer to request {msg_id!r} within {timeout} s"
                self._arrived.wait(min(left, 0.5))
            return self.answers[msg_id]


class RawServer:
    """``backlog-ls serve`` on stdio (or on a TCP socket), written to with raw bytes."""

    def __init__(self, *, tcp: bool = False, env: dict[str, str] | None = None):
        environment = {**os.environ, **(env or {})}
        self.tcp = tcp
        command = list(SERVE_COMMAND)
        if tcp:
            port = _free_port()
            command += ["--tcp", f"127.0.0.1:{port}"]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if not tcp else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
        )
        self._stderr = b""
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        if tcp:
            self._socket = _connect(port, self.process)
            self.messages = _Messages(self._socket.recv)
        else:
            assert self.process.stdout is not None
            self.messages = _Messages(self.process.stdout.read1)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr += line

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    def wait_logged(self, text: str, timeout: float = TIMEOUT) -> str:
        """The server's log (stderr) once it contains ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            assert time.monotonic() < deadline, f"never logged {text!r}; stderr: {self.stderr[-2000:]}"
            time.sleep(0.02)
        return self.stderr

    def send(self, data: bytes | dict[str, Any]) -> None:
        raw = data if isinstance(data, bytes) else frame(data)
        if self.tcp:
            self._socket.sendall(raw)
        else:
            assert self.process.stdin is not None
            self.process.stdin.write(raw)
            self.process.stdin.flush()

    def ask(self, msg_id: int, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Send a request and return the server's answer (a result or an error)."""
        self.send(request(msg_id, method, params))
        return self.messages.wait_for(msg_id, timeout)

    def start(self, position_encodings: list[str] | None = None) -> dict[str, Any]:
        self.send(initialize(1, position_encodings))
        answer = self.messages.wait_for(1)
        self.send(notification("initialized", {}))
        return answer["result"]

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        """The exit code, once the process ends (its stdin left open: it must end by itself)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server did not end within {timeout} s; stderr: {self.stderr[-2000:]}") from None

    def peak_memory_kib(self) -> int:
        """The process's peak resident set size (VmHWM), in KiB."""
        with open(f"/proc/{self.process.pid}/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])

    def memory_kib(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(TIMEOUT)
        if self.tcp:
            self._socket.close()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _connect(port: int, process: subprocess.Popen[bytes]) -> socket.socket:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            connection.settimeout(None)  # the reading thread waits as long as the server is quiet
            return connection
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
