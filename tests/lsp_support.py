"""Helpers for end-to-end tests: a pytest-lsp client that records what the server sends.

pytest-lsp's client keeps only the last diagnostics per URI and lets one waiter per
method see a notification that arrives after it started waiting. Tests about
versions and coalescing need every publish, in order, so this client records them
all and waits by polling the record.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import attrs
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "backlog_ls.server"]
STATUS_NOTIFICATION = "backlog-ls/status"
TIMEOUT = 10.0  # seconds; generous, for slow CI machines


class RecordingClient(LanguageClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []
        self.statuses: list[dict] = []  # backlog-ls/status notifications, in order
        self.refreshed: list[str] = []  # the refresh requests the server sent (inlay hints, code lenses)
        self.shut_down = False
        self.initialize_result: types.InitializeResult | None = None

    @classmethod
    def create(cls) -> RecordingClient:
        client = cls(converter_factory=default_converter)
        features = dict(DEFAULT_CLIENT_FEATURES)
        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_publish
        features[types.CLIENT_REGISTER_CAPABILITY] = _record_registration
        features[STATUS_NOTIFICATION] = _record_status
        # VS Code's capabilities say it can be asked to refresh hints and lenses: answer as it does.
        features[types.WORKSPACE_INLAY_HINT_REFRESH] = _record_refresh(types.WORKSPACE_INLAY_HINT_REFRESH)
        features[types.WORKSPACE_CODE_LENS_REFRESH] = _record_refresh(types.WORKSPACE_CODE_LENS_REFRESH)
        register_lsp_features(client, features)
        return client

    def published_for(self, uri: str) -> list[types.PublishDiagnosticsParams]:
        return [params for params in self.published if params.uri == uri]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.005)

        await asyncio.wait_for(poll(), timeout)

    async def diagnostics_for_version(self, uri: str, version: int) -> types.PublishDiagnosticsParams:
        """The first publish for ``uri`` with at least ``version``."""

        def found() -> types.PublishDiagnosticsParams | None:
            return next(
                (p for p in self.published_for(uri) if p.version is not None and p.version >= version),
                None,
            )

        await self.wait_until(lambda: found() is not None)
        return found()  # type: ignore[return-value]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=version, text=text)
            )
        )

    def change(self, uri: str, version: int, *changes: types.TextDocumentContentChangeEvent) -> None:
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=list(changes),
            )
        )

    async def quiet_for(self, seconds: float) -> None:
        """Let the server run for a while (to show that something does NOT arrive)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def shut_down_session(self) -> None:
        if not self.shut_down:
            self.shut_down = True
            await asyncio.wait_for(self.shutdown_session(), TIMEOUT)


def _record_publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _record_status(client: RecordingClient, params) -> None:
    # A custom notification: pygls hands over an attribute object, or a dict.
    as_dict = params if isinstance(params, dict) else {key: getattr(params, key) for key in ("state", "text", "detail")}
    client.statuses.append(as_dict)


def _record_refresh(method: str):
    def record(client: RecordingClient, params: None) -> None:
        client.refreshed.append(method)

    return record


def _record_registration(client: RecordingClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def edit(start: tuple[int, int], end: tuple[int, int], text: str) -> types.TextDocumentContentChangePartial:
    """An incremental change; positions are (line, character) in the client's units."""
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=text
    )


def capabilities(
    client: str = "visual-studio-code",
    *,
    position_encodings: list[str] | None = None,
    pull_diagnostics: bool | None = None,
    dynamic_pull_registration: bool = True,
    pull_refresh: bool = True,
    hierarchical_symbols: bool = True,
    code_action_resolve: bool = False,
) -> types.ClientCapabilities:
    """A real editor's capabilities (from pytest-lsp), adjusted for one test.

    VS Code and Neovim resolve a code action's edit (``codeAction/resolve``); without
    ``code_action_resolve`` the client does not say so, and every action comes with its edit
    (tests/edits/test_resolve_actions.py has both kinds of client)."""
    found = client_capabilities(client)
    if position_encodings is not None:
        general = found.general or types.GeneralClientCapabilities()
        found = attrs.evolve(found, general=attrs.evolve(general, position_encodings=position_encodings))
    text_document = found.text_document or types.TextDocumentClientCapabilities()
    if pull_diagnostics is True:
        text_document = attrs.evolve(
            text_document,
            diagnostic=types.DiagnosticClientCapabilities(dynamic_registration=dynamic_pull_registration),
        )
        if pull_refresh:
            workspace = found.workspace or types.WorkspaceClientCapabilities()
            found = attrs.evolve(
                found, workspace=attrs.evolve(workspace, diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True))
            )
    elif pull_diagnostics is False:
        text_document = attrs.evolve(text_document, diagnostic=None)
    if not code_action_resolve and text_document.code_action is not None:
        text_document = attrs.evolve(text_document, code_action=attrs.evolve(text_document.code_action, resolve_support=None))
    if not hierarchical_symbols and text_document.document_symbol is not None:
        text_document = attrs.evolve(
            text_document,
            document_symbol=attrs.evolve(text_document.document_symbol, hierarchical_document_symbol_support=False),
        )
    return attrs.evolve(found, text_document=text_document)


def span_of(value: types.Range | types.Diagnostic | types.DocumentSymbol) -> tuple[int, int, int, int]:
    """(start line, start character, end line, end character) of a range or of what has one."""
    r = value if isinstance(value, types.Range) else value.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def lsp_stdin(messages: list[dict]) -> bytes:
    """JSON-RPC messages framed with Content-Length headers, as a server reads them on stdin."""
    return b"".join(b"Content-Length: %d\r\n\r\n%s" % (len(body), body) for body in (json.dumps(m).encode() for m in messages))


def lsp_messages(stream: bytes) -> list[dict]:
    """The JSON-RPC messages in a server's stdout, framed by Content-Length headers."""
    messages = []
    while (header_end := stream.find(b"\r\n\r\n")) >= 0:
        length = int(re.search(rb"Content-Length: *(\d+)", stream[:header_end], re.IGNORECASE)[1])
        body_start = header_end + 4
        messages.append(json.loads(stream[body_start : body_start + length]))
        stream = stream[body_start + length :]
    return messages


def raw_session(command: list[str], messages: list[dict], timeout: float = 60.0) -> dict[int, object]:
    """Run a server over stdio as a client does: ``initialize``, ``messages``, then, once every
    request among them is answered, ``shutdown`` and, once that is answered, ``exit``. Returns the
    results of its answers by request id, as raw JSON (for what pygls' client would not keep).
    The server's own requests (registrations, configuration) are answered with null."""
    session = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        *messages,
    ]
    wanted = {message["id"] for message in session if "id" in message}
    answers: dict[int, object] = {}
    arrived = threading.Condition()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stderr: list[bytes] = []

    def send(message: dict) -> None:
        process.stdin.write(lsp_stdin([message]))
        process.stdin.flush()

    def read() -> None:
        while (message := _read_frame(process.stdout)) is not None:
            if "method" in message and "id" in message:  # a request of the server's
                send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                with arrived:
                    answers[message["id"]] = message.get("result", message.get("error"))
                    arrived.notify_all()

    readers = [threading.Thread(target=read, daemon=True), threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)]
    for thread in readers:
        thread.start()
    deadline = time.monotonic() + timeout
    try:
        for message in session:
            send(message)
        for ids in (wanted, {999}):
            with arrived:
                arrived.wait_for(lambda: ids <= answers.keys(), max(0.0, deadline - time.monotonic()))
            if ids == wanted:
                send({"jsonrpc": "2.0", "id": 999, "method": "shutdown"})
        send({"jsonrpc": "2.0", "method": "exit"})
        process.wait(max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        readers[1].join(5)
    assert 999 in answers, f"the server did not answer shutdown; stderr: {b''.join(stderr).decode(errors='replace')[-3000:]}"
    return answers


def _read_frame(stream) -> dict | None:
    """One Content-Length framed message from ``stream``; None at its end."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii", errors="replace").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return json.loads(stream.read(length)) if length is not None else None
