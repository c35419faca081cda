"""End to end: the tick code action, the toggleTask command (via workspace/applyEdit) and formatting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from backlog_ls.text import TextLines, from_client_column

from ..lsp_support import SERVER_COMMAND, RecordingClient, capabilities

BACKLOG = "# Plan\r\n\r\n## 1. Phase 😀\r\n- [ ] 😀 Write the 解析器\r\n  over two lines\r\n  - [X] Lexer 🎉\r\n  - [ ] Grammar\r\n- [X] Ship it\r\n"


class EditingClient(RecordingClient):
    """Applies (and records) every workspace/applyEdit, as an editor would."""

    @classmethod
    def create(cls) -> EditingClient:
        client = super().create()
        client.applied_edits = []
        client.texts = {}

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            client.applied_edits.append(params)
            for change in params.edit.document_changes or []:
                uri = change.text_document.uri
                client.texts[uri] = apply_text_edits(client.texts[uri], change.edits, client.encoding)
            return types.ApplyWorkspaceEditResult(applied=True)

        client.message_requests = []
        client.message_answer = None  # the title of the action the user picks, or None to dismiss

        @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
        def show_message_request(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
            client.message_requests.append(params)
            return None if client.message_answer is None else types.MessageActionItem(title=client.message_answer)

        return client

    @property
    def encoding(self) -> str:
        result = self.initialize_result
        encoding = result.capabilities.position_encoding if result else None
        return str(getattr(encoding, "value", encoding or "utf-16"))


def apply_text_edits(text: str, edits, encoding: str) -> str:
    """Apply LSP TextEdits (in the client's units) to a text, keeping its line endings."""
    document = TextLines.from_text(text)
    resolved = []
    for edit in edits:
        start, end = edit.range.start, edit.range.end
        resolved.append(
            (
                (start.line, from_client_column(document.line(start.line), start.character, encoding)),
                (end.line, from_client_column(document.line(end.line), end.character, encoding)),
                edit.new_text,
            )
        )
    for start, end, new_text in sorted(resolved, key=lambda r: (r[0], r[1]), reverse=True):
        document.replace(start, end, new_text)
    return document.text


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=EditingClient.create)


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: EditingClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def utf8_client(lsp_client: EditingClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", position_encodings=["utf-8"]))
    )
    yield
    await lsp_client.shut_down_session()


async def _open(client: EditingClient, tmp_path: Path, text: str = BACKLOG) -> str:
    uri = (tmp_path / "BACKLOG.md").as_uri()
    client.texts[uri] = text
    client.open(uri, text)
    await client.diagnostics_for_version(uri, 1)
    return uri


def _at(line: int, character: int) -> types.Range:
    return types.Range(start=types.Position(line, character), end=types.Position(line, character))


async def _actions(client, uri, range_, only=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=range_,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )


async def _tick_code_action(client: EditingClient, tmp_path: Path) -> None:
    uri = await _open(client, tmp_path)
    actions = await _actions(client, uri, _at(4, 5))  # on the continuation line
    titles = [a.title for a in actions]
    assert titles[:2] == ["Tick task", "Tick task with all subtasks (1 open)"]
    tick = actions[0]
    assert tick.kind == types.CodeActionKind.RefactorRewrite and tick.is_preferred
    (change,) = tick.edit.document_changes
    assert change.text_document.version == 1
    (edit,) = change.edits
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character, edit.new_text) == (3, 3, 4, "X")
    with_all = apply_text_edits(BACKLOG, actions[1].edit.document_changes[0].edits, client.encoding)
    assert with_all.split("\r\n")[3:7] == ["- [X] 😀 Write the 解析器", "  over two lines", "  - [X] Lexer 🎉", "  - [X] Grammar"]


async def test_the_tick_code_action(client: EditingClient, tmp_path: Path):
    await _tick_code_action(client, tmp_path)


async def test_the_tick_code_action_in_utf8(utf8_client: EditingClient, tmp_path: Path):
    assert utf8_client.encoding == "utf-8"
    await _tick_code_action(utf8_client, tmp_path)


async def test_the_selection_source_action(client: EditingClient, tmp_path: Path):
    uri = await _open(client, tmp_path)
    selection = types.Range(start=types.Position(3, 0), end=types.Position(7, 0))
    (action,) = await _actions(client, uri, selection, only=[types.CodeActionKind.Source])
    assert action.kind == "source.backlog-ls.tasks"
    assert action.title == "Tick 2 tasks in the selection"
    after = apply_text_edits(BACKLOG, action.edit.document_changes[0].edits, client.encoding)
    assert after == BACKLOG.replace("- [ ]", "- [X]")


async def test_toggle_task_command_applies_the_edit(client: EditingClient, tmp_path: Path):
    uri = await _open(client, tmp_path)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.toggleTask", arguments=[uri, {"line": 7, "character": 2}])
    )
    assert result == {"applied": True}
    (params,) = client.applied_edits
    (change,) = params.edit.document_changes
    assert change.text_document.version == 1
    assert client.texts[uri].split("\r\n")[7] == "- [ ] Ship it"
    # [uri, line, character] works too.
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.toggleTask", arguments=[uri, 6, 0])
    )
    assert client.texts[uri].split("\r\n")[6] == "  - [X] Grammar"


async def test_toggle_task_command_on_a_line_without_a_task(client: EditingClient, tmp_path: Path):
    uri = await _open(client, tmp_path)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.toggleTask", arguments=[uri, 0, 0])
    )
    assert result == {"applied": False}
    assert client.applied_edits == []


UNFORMATTED = "# Plan\r\n\r\n- [x]  😀 解析器\r\n*  [ ] 🎉 b\r\n- [ ]   c\r\n"


async def test_formatting(client: EditingClient, tmp_path: Path):
    uri = await _open(client, tmp_path, UNFORMATTED)
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=types.TextDocumentIdentifier(uri=uri), options=options)
    )
    assert all(e.range.start.line == e.range.end.line for e in edits)
    assert apply_text_edits(UNFORMATTED, edits, client.encoding) == "# Plan\r\n\r\n- [x] 😀 解析器\r\n- [ ] 🎉 b\r\n- [ ] c\r\n"
    ranged = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(2, 0), end=types.Position(3, 0)),
            options=options,
        )
    )
    assert apply_text_edits(UNFORMATTED, ranged, client.encoding) == "# Plan\r\n\r\n- [x] 😀 解析器\r\n*  [ ] 🎉 b\r\n- [ ]   c\r\n"


async def test_formatting_in_utf8(utf8_client: EditingClient, tmp_path: Path):
    uri = await _open(utf8_client, tmp_path, UNFORMATTED)
    edits = await utf8_client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert apply_text_edits(UNFORMATTED, edits, "utf-8") == "# Plan\r\n\r\n- [x] 😀 解析器\r\n- [ ] 🎉 b\r\n- [ ] c\r\n"


async def test_split_code_action(client: EditingClient, tmp_path: Path):
    text = "# P\r\n- [ ] 😀 Parse and 解析 (#12)\r\n"
    uri = await _open(client, tmp_path, text)
    actions = await _actions(client, uri, _at(1, 8))
    split = next(a for a in actions if a.title == "Split into tasks")
    assert split.edit.document_changes[0].text_document.version == 1
    after = apply_text_edits(text, split.edit.document_changes[0].edits, client.encoding)
    assert after == "# P\r\n- [ ] 😀 Parse (#12)\r\n- [ ] 解析\r\n"


async def test_split_at_cursor_code_action(client: EditingClient, tmp_path: Path):
    text = "# P\r\n- [ ] 😀 Parse 解析 then ship\r\n"
    uri = await _open(client, tmp_path, text)
    # The cursor before " then", counted in the client's units (the emoji is 2 in UTF-16, 4 in UTF-8).
    column = {"utf-16": 17, "utf-8": 23}[client.encoding]
    actions = await _actions(client, uri, _at(1, column))
    split = next(a for a in actions if a.title == "Split task at cursor")
    after = apply_text_edits(text, split.edit.document_changes[0].edits, client.encoding)
    assert after == "# P\r\n- [ ] 😀 Parse 解析\r\n- [ ] then ship\r\n"


async def test_section_actions_on_a_heading_and_add_issue_reference(client: EditingClient, tmp_path: Path):
    text = "# P\r\n\r\n## Phase 2 😀\r\n- [x] Task 2.4: done 解析\r\n- [ ] Task 2.7: open\r\n"
    uri = await _open(client, tmp_path, text)
    actions = await _actions(client, uri, _at(2, 3))
    by_title = {a.title: a for a in actions}
    renumber = by_title["Renumber tasks in section 2 (2 IDs change)"]
    after = apply_text_edits(text, renumber.edit.document_changes[0].edits, client.encoding)
    assert after == text.replace("2.4", "2.1").replace("2.7", "2.2")
    archive = by_title["Archive done tasks (1 task)"]
    after = apply_text_edits(text, archive.edit.document_changes[0].edits, client.encoding)
    assert after == "# P\r\n\r\n## Phase 2 😀\r\n- [ ] Task 2.7: open\r\n\r\n## Archive\r\n\r\n- [x] Task 2.4: done 解析\r\n"
    actions = await _actions(client, uri, _at(4, 3))
    add = next(a for a in actions if a.title.startswith("Add issue reference"))
    after = apply_text_edits(text, add.edit.document_changes[0].edits, client.encoding)
    assert after.split("\r\n")[4] == "- [ ] Task 2.7: open (#TBD)"


async def test_move_task_code_actions(client: EditingClient, tmp_path: Path):
    text = "# P\r\n\r\n## A 😀\r\n- [ ] a 解析\r\n  - [x] a1\r\n- [ ] b\r\n\r\n## B\r\n\r\n- [ ] c\r\n"
    uri = await _open(client, tmp_path, text)
    actions = await _actions(client, uri, _at(3, 4))
    moves = [a for a in actions if a.title.startswith("Move task")]
    assert [a.title for a in moves] == ["Move task to 'B'"]  # not the title 'P', which holds no tasks
    assert moves[0].kind == types.CodeActionKind.RefactorRewrite
    (change,) = moves[0].edit.document_changes
    assert change.text_document.version == 1
    after = apply_text_edits(text, change.edits, client.encoding)
    assert after == "# P\r\n\r\n## A 😀\r\n- [ ] b\r\n\r\n## B\r\n\r\n- [ ] c\r\n- [ ] a 解析\r\n  - [x] a1\r\n"


MANY = "".join(f"## S{n}\n- [ ] t{n}\n\n" for n in range(30))


async def test_move_task_command_asks_for_the_section(client: EditingClient, tmp_path: Path):
    uri = await _open(client, tmp_path, MANY)
    actions = await _actions(client, uri, _at(1, 3))
    (move,) = [a for a in actions if a.title.startswith("Move task")]
    assert move.title == "Move task to section…" and getattr(move, "edit", None) is None
    # pygls reads a code action with only a command as a Command whose command is the
    # nested Command's repr (the union is ambiguous; see test_issue_server.py): unwrap it.
    command = move.command
    if isinstance(command, str) and command.startswith("{"):
        command = types.Command(**ast.literal_eval(command))
    assert command.command == "backlog-ls.moveTask" and command.arguments == [uri, 1, 1]

    # Dismissed: nothing is edited.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert result == {"applied": False} and client.applied_edits == []
    (request,) = client.message_requests
    assert [item.title for item in request.actions] == [f"S{n}" for n in range(1, 21)]

    # A version that moved on: nothing is asked, nothing is edited.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=[uri, 1, 0])
    )
    assert result == {"applied": False} and len(client.message_requests) == 1 and client.applied_edits == []

    client.message_answer = "S2"
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert result == {"applied": True}
    (params,) = client.applied_edits
    assert params.edit.document_changes[0].text_document.version == 1
    assert client.texts[uri].startswith("## S0\n\n## S1\n- [ ] t1\n\n## S2\n- [ ] t2\n- [ ] t0\n\n## S3\n")


async def test_fix_all_repairs_every_malformed_checkbox_in_one_step(client: EditingClient, tmp_path: Path):
    from backlog_ls.parse import parse
    from backlog_ls.rules import check

    bad = ["- [ x] a", "- []", "- [x]text", "-[ ] b"]
    text = "# Plan\n\n" + "".join(f"{bad[n % 4]} {n}\n" for n in range(50))
    assert any(f.code == "BL201" for f in check(parse(text)))
    uri = await _open(client, tmp_path, text)
    kind = "source.fixAll.backlog-ls"
    (action,) = await _actions(client, uri, _at(0, 0), only=[kind])
    assert action.kind == kind
    (change,) = action.edit.document_changes
    assert change.text_document.version == 1
    after = apply_text_edits(text, change.edits, client.encoding)
    assert [f for f in check(parse(after)) if f.code == "BL201"] == []
    assert len(after.splitlines()) == len(text.splitlines())
