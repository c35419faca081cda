"""Old parsed snapshots are freed by reference counting alone after keystrokes, end to end.

Each keystroke makes a new ``Backlog``; what the rules and features remember of the old one
(on its blocks, on the snapshot itself) must not hold it. A value cached on a snapshot that
refers back to it makes a cycle only the cyclic collector frees, and this server lets that
collector run rarely (a 20,000-task model is half a million objects to walk): at 20,000 tasks
such snapshots kept some 2 MiB each alive, 85 MiB after 40 keystrokes. The server under test
(``snapshot_counting_server``) runs with the cyclic collector off and counts the snapshots alive.
The models an edit replaced are freed once the server is idle (``retired``): counted after a pause.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from backlog_ls import retired

from ..lsp_support import TIMEOUT, RecordingClient, capabilities, edit
from . import budget
from .snapshot_counting_server import LIVE_SNAPSHOTS

SERVER = [sys.executable, str(Path(__file__).with_name("snapshot_counting_server.py"))]

# Sections with progress, tasks that wait for others, issue and RFC references, links and a
# long list: what the rules, the outline, the hints and the dependency graph all read.
LONG_LIST = "".join(f"- [{'x' if n % 3 else ' '}] Task 2.{n}: item {n} (#{n}), after Task 1.1\n" for n in range(1, 41))
TEXT = (
    "# Plan\n\n## Phase 1: Parser\n\n"
    "- [ ] Task 1.1: Lexer, see RFC 9110 and [spec](https://example.com/spec)\n"
    "  - [x] Task 1.1.1: tokens\n"
    "- [x] Task 1.2: Printer, after Task 1.1 and #9\n\n"
    "## Phase 2: Long list\n\n" + LONG_LIST + "\n## Phase 3: Done\n\n- [x] Task 3.1: Ship ⛔ abc123\n"
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=RecordingClient.create))
async def client(lsp_client: RecordingClient, tmp_path):
    caps = capabilities("visual-studio-code", pull_diagnostics=True)
    folder = tmp_path.as_uri()
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=folder, workspace_folders=[types.WorkspaceFolder(uri=folder, name="plan")])
    )
    yield
    await lsp_client.shut_down_session()


async def _keystroke_requests(client: RecordingClient, uri: str, line: int, column: int) -> None:
    """What VS Code asks after a keystroke, all at once, until the last answer."""
    document = types.TextDocumentIdentifier(uri=uri)
    here = types.Range(types.Position(line, column), types.Position(line, column))
    whole = types.Range(types.Position(0, 0), types.Position(200, 0))
    await asyncio.wait_for(
        asyncio.gather(
            client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=document)),
            client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document)),
            client.text_document_folding_range_async(types.FoldingRangeParams(text_document=document)),
            client.text_document_document_link_async(types.DocumentLinkParams(text_document=document)),
            client.text_document_inlay_hint_async(types.InlayHintParams(text_document=document, range=whole)),
            client.text_document_code_action_async(
                types.CodeActionParams(text_document=document, range=here, context=types.CodeActionContext(diagnostics=[]))
            ),
            client.text_document_hover_async(types.HoverParams(text_document=document, position=here.start)),
            return_exceptions=True,  # a pull overtaken by the next keystroke may be cancelled
        ),
        TIMEOUT,
    )


async def _live_snapshots(client: RecordingClient) -> int:
    answer = await asyncio.wait_for(client.protocol.send_request_async(LIVE_SNAPSHOTS, {}), TIMEOUT)
    return answer.alive


async def _live_snapshots_once_idle(client: RecordingClient, bound: int) -> int:
    """The snapshots alive once the server had a pause: the models the edits replaced wait for
    one to be freed (``retired``), a few at most. A snapshot a cycle holds is never freed: the
    count stays above ``bound`` however long the server is left alone."""
    alive = await _live_snapshots(client)
    for _ in range(50):
        if alive <= bound:
            break
        await asyncio.sleep(0.1)  # longer than the quiet the server waits for after a message
        alive = await _live_snapshots(client)
    return alive


async def test_old_snapshots_are_freed_after_typing_and_enter(client: RecordingClient, tmp_path: Path):
    path = tmp_path / "BACKLOG.md"  # in the workspace folder: indexed, and checked across files
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "OTHER.md").write_text("# Other\n\n- [ ] Task 9.1: elsewhere, after Task 1.1\n", encoding="utf-8")
    uri = path.as_uri()
    client.open(uri, TEXT)
    lines = TEXT.split("\n")
    typed = lines.index(next(line for line in lines if line.startswith("- [x] Task 1.2")))
    in_list = lines.index(next(line for line in lines if "Task 2.20:" in line))
    await _keystroke_requests(client, uri, typed, 10)
    opened = await _live_snapshots(client)
    version, column = 1, 12
    for key in range(budget.count(fast=24, soak=400)):
        line = (typed, in_list)[key // 4 % 2]
        if key % 4 == 1:  # Enter: every later line moves
            change = edit((line, column), (line, column), "\n")
            lines[line : line + 1] = [lines[line][:column], lines[line][column:]]
        elif key % 4 == 2:  # Backspace at the start of the line Enter made: one line again
            change = edit((line, len(lines[line])), (line + 1, 0), "")
            lines[line : line + 2] = [lines[line] + lines[line + 1]]
        else:  # a character typed within a line
            change = edit((line, column), (line, column), "y")
            lines[line] = lines[line][:column] + "y" + lines[line][column:]
        version += 1
        client.change(uri, version, change)
        await _keystroke_requests(client, uri, line, column)
    # Right after the keys, the models the last edits replaced may still wait to be freed.
    assert await _live_snapshots(client) <= max(opened, 2) + retired.KEPT
    # Once the server is idle: the open document's snapshot, and at most one more a request or a publish still holds.
    alive = await _live_snapshots_once_idle(client, max(opened, 2))
    assert alive <= max(opened, 2), f"{alive} snapshots alive after the keystrokes and a pause (after the open: {opened})"
