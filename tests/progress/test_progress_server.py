"""Progress and dependencies end to end through pytest-lsp: inlay hints (exact labels and positions
in UTF-16 and UTF-8, after edits), code lenses instead, none when off; hover and definition on blockers."""

from __future__ import annotations

import asyncio

import attrs

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..issues.test_write_back_end_to_end import _command
from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities, edit

URI = "file:///tmp/progress/BACKLOG.md"

# An emoji before the end of each counted line: the hint's column differs by encoding.
# "## Phase 1 🚀" is 12 code points, 13 UTF-16 units, 15 UTF-8 bytes.
TEXT = """\
# Plan 🗺️

## Phase 1 🚀
- [x] Task 1.1: Lexer
- [ ] Task 1.2: Parser 😀, after Task 1.1
  - [x] Tokens
  - [ ] Errors
- [-] Dropped

## Phase 2
- [x] Task 2.1: Release, after Task 1.2
"""


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


async def _start(client: RecordingClient, caps, options=None) -> None:
    await client.initialize_session(types.InitializeParams(capabilities=caps, initialization_options=options))


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient):
    await _start(lsp_client, capabilities("visual-studio-code"))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def utf8_client(lsp_client: RecordingClient):
    await _start(lsp_client, capabilities("neovim", position_encodings=["utf-8"]))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def lens_client(lsp_client: RecordingClient):
    await _start(lsp_client, capabilities("visual-studio-code"), {"backlogLs": {"progress": "lens"}})
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def off_client(lsp_client: RecordingClient):
    await _start(lsp_client, capabilities("visual-studio-code"), {"backlogLs": {"progress": "off"}})
    yield
    await lsp_client.shut_down_session()


def _whole(lines: int = 100) -> types.Range:
    return types.Range(start=types.Position(0, 0), end=types.Position(lines, 0))


async def _hints(client: RecordingClient, visible: types.Range | None = None):
    found = await asyncio.wait_for(
        client.text_document_inlay_hint_async(
            types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=URI), range=visible or _whole())
        ),
        TIMEOUT,
    )
    return [(h.position.line, h.position.character, h.label, h.padding_left) for h in found or []]


async def _lenses(client: RecordingClient):
    found = await asyncio.wait_for(
        client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=URI))),
        TIMEOUT,
    )
    return [(lens.range.start.line, lens.command.title) for lens in found or []]


async def test_inlay_hints_in_utf16_on_headings_and_parent_tasks(client: RecordingClient):
    client.open(URI, TEXT)
    assert await _hints(client) == [
        (0, 10, "3/5 · 60%", True),  # "# Plan 🗺️": 🗺 is 2 UTF-16 units, the variation selector 1
        (2, 13, "2/4 · 50%", True),  # Lexer, Parser, Tokens, Errors; Dropped is cancelled
        (4, 41, "1/2", True),  # Parser's subtasks
        (9, 10, "1/1 · 100%", True),
    ]
    # Only the lines asked for (the visible range).
    assert await _hints(client, types.Range(start=types.Position(3, 0), end=types.Position(5, 0))) == [(4, 41, "1/2", True)]


async def test_inlay_hints_in_utf8_count_bytes(utf8_client: RecordingClient):
    utf8_client.open(URI, TEXT)
    assert await _hints(utf8_client) == [
        (0, 14, "3/5 · 60%", True),  # 🗺 is 4 bytes, the variation selector 3
        (2, 15, "2/4 · 50%", True),
        (4, 43, "1/2", True),
        (9, 10, "1/1 · 100%", True),
    ]


async def test_hints_follow_edits(client: RecordingClient):
    client.open(URI, TEXT)
    await _hints(client)
    # Tick "Errors" (line 6, the box at characters 4..7), then add a task under Phase 2.
    client.change(URI, 2, edit((6, 4), (6, 7), "[x]"))
    assert await _hints(client) == [
        (0, 10, "4/5 · 80%", True),
        (2, 13, "3/4 · 75%", True),
        (4, 41, "2/2", True),
        (9, 10, "1/1 · 100%", True),
    ]
    client.change(URI, 3, edit((11, 0), (11, 0), "- [ ] Task 2.2: Docs\n"))
    assert [hint for hint in await _hints(client) if hint[0] in (0, 9)] == [
        (0, 10, "4/6 · 67%", True),
        (9, 10, "1/2 · 50%", True),
    ]
    client.change(URI, 4, edit((2, 0), (2, 0), "\n"))  # every line below moves down
    assert await _hints(client) == [
        (0, 10, "4/6 · 67%", True),
        (3, 13, "3/4 · 75%", True),
        (5, 41, "2/2", True),
        (10, 10, "1/2 · 50%", True),
    ]


async def test_code_lenses_instead_when_asked(lens_client: RecordingClient):
    lens_client.open(URI, TEXT)
    assert await _hints(lens_client) == []
    assert await _lenses(lens_client) == [(0, "3/5 · 60%"), (2, "2/4 · 50%"), (4, "1/2"), (9, "1/1 · 100%")]


async def test_nothing_when_off(off_client: RecordingClient):
    off_client.open(URI, TEXT)
    assert await _hints(off_client) == []
    assert await _lenses(off_client) == []


async def test_a_ticked_task_blocked_by_an_open_one_is_a_warning_with_hover_and_definition(client: RecordingClient):
    client.open(URI, TEXT)
    published = await client.diagnostics_for_version(URI, 1)
    (warning,) = [d for d in published.diagnostics if d.code == "BL601"]
    assert (warning.range.start.line, warning.range.start.character, warning.range.end.character) == (10, 31, 39)
    assert warning.message == "Task is ticked but waits for Task 1.2: Parser 😀, after Task 1.1 (line 5, open), which is still open."
    assert warning.severity == types.DiagnosticSeverity.Warning

    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(10, 32))
        ),
        TIMEOUT,
    )
    assert hover.contents.value == (
        "**Waits for** (1 of 1 still open)\n\n- Task 1.2: Parser 😀, after Task 1.1 (line 5, open)"
    )
    assert (hover.range.start.character, hover.range.end.character) == (31, 39)

    found = await asyncio.wait_for(
        client.text_document_definition_async(
            types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(10, 32))
        ),
        TIMEOUT,
    )
    (location,) = found
    assert location.uri == URI
    # The task's text on line 4: "Task 1.2: Parser 😀, after Task 1.1" (😀 is 2 UTF-16 units).
    assert (location.range.start.line, location.range.start.character, location.range.end.character) == (4, 6, 41)


async def test_quick_fixes_untick_or_go_to_the_blocker(client: RecordingClient):
    client.open(URI, TEXT)
    published = await client.diagnostics_for_version(URI, 1)
    (warning,) = [d for d in published.diagnostics if d.code == "BL601"]
    actions = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=warning.range,
                context=types.CodeActionContext(diagnostics=[warning], only=[types.CodeActionKind.QuickFix]),
            )
        ),
        TIMEOUT,
    )
    by_title = {action.title: action for action in actions}
    assert {"Untick this task", "Go to the blocker"} <= set(by_title)
    (untick,) = by_title["Untick this task"].edit.document_changes[0].edits
    assert (untick.range.start.line, untick.range.start.character, untick.new_text) == (10, 2, "[ ]")
    go_to = _command(by_title["Go to the blocker"])
    assert go_to.command == "backlog-ls.showLocation"
    shown = await asyncio.wait_for(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command=go_to.command, arguments=go_to.arguments)),
        TIMEOUT,
    )
    assert shown is True
    (document,) = client.shown_documents
    assert document.uri == URI and document.take_focus
    assert (document.selection.start.line, document.selection.start.character, document.selection.end.character) == (4, 6, 41)


@pytest_lsp.fixture(config=_config())
async def refreshing_client(lsp_client: RecordingClient):
    """VS Code as it is now: it can be asked to refresh inlay hints too (pytest-lsp's capabilities predate them)."""
    caps = capabilities("visual-studio-code")
    workspace = attrs.evolve(caps.workspace, inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True))
    await _start(lsp_client, attrs.evolve(caps, workspace=workspace))
    yield
    await lsp_client.shut_down_session()


async def test_a_changed_progress_setting_asks_the_client_to_refresh(refreshing_client: RecordingClient):
    client = refreshing_client
    client.open(URI, TEXT)
    assert len(await _hints(client)) == 4
    client.set_configuration({"progress": "lens"}, section="backlogLs")  # what workspace/configuration answers
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await client.wait_until(lambda: len(client.refreshed) == 2)
    assert client.refreshed == [types.WORKSPACE_INLAY_HINT_REFRESH, types.WORKSPACE_CODE_LENS_REFRESH]
    assert await _hints(client) == []
    assert len(await _lenses(client)) == 4
