"""Building the server (every area registers its handlers), logging, and start-up."""

from __future__ import annotations

import logging
import sys

from lsprotocol import types

from .. import __version__, retired
from ..parse import tune_garbage_collector
from . import (
    backlog_view,
    code_actions,
    documents,
    formatting,
    issue_commands,
    lifecycle,
    navigation,
    outline,
    progress,
    task_commands,
    workspace_files,
    workspace_index,
    workspace_navigation,
)
from .core import PUBLISH_DELAY_SECONDS, BacklogServer

logger = logging.getLogger(__name__)


# Every LSP area registers its handlers; the order is that of the capabilities pygls announces.
AREAS = (
    lifecycle,
    documents,
    outline,
    progress,
    backlog_view,
    code_actions,
    issue_commands,
    task_commands,
    navigation,
    workspace_navigation,
    formatting,
    workspace_files,
)


def create_server(publish_delay: float = PUBLISH_DELAY_SECONDS) -> BacklogServer:
    server = BacklogServer(publish_delay)
    workspace_index.attach(server)
    for area in AREAS:
        area.register(server)
    return server




class ClientLogHandler(logging.Handler):
    """Sends this package's warnings and errors to the client as ``window/logMessage``.

    One line each (the traceback stays on stderr), and each distinct line once, so
    a rule that fails on every keystroke does not flood the client's log.
    """

    _TYPES = {logging.ERROR: types.MessageType.Error, logging.WARNING: types.MessageType.Warning}
    _MAX_DISTINCT = 200

    def __init__(self, server: BacklogServer):
        super().__init__(level=logging.WARNING)
        self.server = server
        self._sent: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if self.server.protocol.writer is None or len(self._sent) >= self._MAX_DISTINCT:
            return
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message = f"{message}: {type(error).__name__}: {error}"
            if message in self._sent:
                return
            self._sent.add(message)
            kind = self._TYPES.get(record.levelno, types.MessageType.Error)
            params = types.LogMessageParams(type=kind, message=message)
            # Sent from the loop only: a rule that fails on a worker thread must not write to the
            # client's stream while the loop writes another message.
            self.server._run_on_loop(lambda: self.server.window_log_message(params))
        except Exception:  # a log handler must never raise into the code that logged
            self.handleError(record)


def configure_logging() -> None:
    """Python logging to stderr; pygls, which logs every message at INFO, only from WARNING."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("backlog_ls").setLevel(logging.INFO)
    logging.getLogger("pygls").setLevel(logging.WARNING)


def _parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"  # "[::1]:2087" -> "::1"
    if not port.isdigit():
        raise ValueError(f"--tcp expects HOST:PORT, got {address!r}")
    return host, int(port)


def start(tcp: str | None = None) -> int:
    """Serve over stdio, or over TCP when ``tcp`` is "HOST:PORT"; the exit code (0 after shutdown, 1 without)."""
    configure_logging()
    server = create_server()
    tune_garbage_collector()
    retired.start_releasing(server.busy)
    logging.getLogger("backlog_ls").addHandler(ClientLogHandler(server))
    if tcp is not None:
        host, port = _parse_address(tcp)
        logger.info("backlog-ls %s listening on %s:%d", __version__, host, port)
        return server.start_tcp(host, port)
    protocol_out = sys.stdout.buffer
    # The protocol owns the real stdout; a stray print() anywhere now lands on stderr.
    sys.stdout = sys.stderr
    return server.start_io(sys.stdin.buffer, protocol_out)

