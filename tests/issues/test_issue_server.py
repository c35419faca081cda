"""Issues through the language server, end to end, with a JSON export configured in a temporary workspace."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..conftest import ROOT
from ..example_issues import ISSUE_12_CLOSED, ISSUE_13_OPEN
from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities

EXAMPLE = ROOT / "examples" / "BACKLOG.md"

EXPORT = [ISSUE_13_OPEN, ISSUE_12_CLOSED]


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".backlog-ls.toml").write_text('[issues]\nprovider = "json"\nfile = "issues.json"\n', encoding="utf-8")
    (tmp_path / "issues.json").write_text(json.dumps(EXPORT), encoding="utf-8")
    shutil.copy(EXAMPLE, tmp_path / "TODO.md")
    return tmp_path


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient, workspace: Path):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities("visual-studio-code", pull_diagnostics=False),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
        )
    )
    yield
    await lsp_client.shut_down_session()


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return types.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(needle)


async def _open(client: RecordingClient, workspace: Path) -> tuple[str, str]:
    path = workspace / "TODO.md"
    text = path.read_text(encoding="utf-8")
    client.open(path.as_uri(), text)
    await client.diagnostics_for_version(path.as_uri(), 1)
    # The tracker data loads off the event loop; when it is there the server checks the
    # document again and publishes a second time.
    await client.wait_until(lambda: len(client.published_for(path.as_uri())) >= 2, TIMEOUT)
    return path.as_uri(), text


async def test_hover_on_issue_13_shows_title_and_state_from_the_export(client: RecordingClient, workspace: Path):
    uri, text = await _open(client, workspace)
    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(text, "Issue #13", 7))
    )
    assert found is not None
    assert "**Issue #13**: File\\-level restart\\-survivable storage engine" in found.contents.value or (
        "**Issue #13**: File-level restart-survivable storage engine" in found.contents.value
    )
    assert "**Open** · `storage` · @iamrichardd" in found.contents.value
    assert "Persist records to disk." in found.contents.value


async def test_typing_a_hash_lists_the_issues(client: RecordingClient, workspace: Path):
    uri, text = await _open(client, workspace)
    lines = text.split("\n")
    line = len(lines)
    new_line = "- [ ] Write the docs #"
    client.change(
        uri,
        2,
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line - 1, character=len(lines[-1])), end=types.Position(line=line - 1, character=len(lines[-1]))),
            text="\n" + new_line,
        ),
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=len(new_line)),
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character="#"),
        )
    )
    labels = [item.label for item in result.items]
    assert labels[:2] == ["#13", "#12"]  # open first
    first = result.items[0]
    assert first.detail == "File-level restart-survivable storage engine"
    # The file writes "(Issue #N)": the item writes the number after the typed "#" (one word, as clients
    # insert it) and "Issue " before it, so the line reads "... #" -> "... Issue #13".
    after_hash = types.Position(line=line, character=len(new_line))
    hash_at = types.Position(line=line, character=len(new_line) - 1)
    assert first.text_edit == types.TextEdit(range=types.Range(start=after_hash, end=after_hash), new_text="13")
    assert list(first.additional_text_edits) == [types.TextEdit(range=types.Range(start=hash_at, end=hash_at), new_text="Issue ")]
    assert first.filter_text == "13 File-level restart-survivable storage engine"
    assert first.insert_text == "13"
    assert first.insert_text_format in (None, types.InsertTextFormat.PlainText)
    assert "#1" in labels  # cited in the document, not in the export


async def test_a_ticked_task_whose_issue_is_open_gets_bl305(client: RecordingClient, workspace: Path):
    uri, text = await _open(client, workspace)
    await client.wait_until(lambda: any(d.code == "BL305" for d in client.diagnostics.get(uri, [])))
    (warning,) = [d for d in client.diagnostics[uri] if d.code == "BL305"]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.message == "Task is ticked but its issue #13 is still open: 'File-level restart-survivable storage engine'."
    assert warning.range.start == _position(text, "Issue #13")
    assert not any(d.code == "BL307" for d in client.diagnostics[uri] if "#13" in d.message)


async def test_document_links_and_refresh_after_the_export_changes(client: RecordingClient, workspace: Path):
    uri, _text = await _open(client, workspace)
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    targets = {link.target for link in links}
    assert "https://github.com/iamrichardd/pharos/issues/13" in targets
    assert "https://github.com/iamrichardd/pharos/issues/1" in targets  # built from the repository

    await client.wait_until(lambda: any(d.code == "BL305" for d in client.diagnostics.get(uri, [])))
    closed = [dict(entry, state="CLOSED") for entry in EXPORT]
    (workspace / "issues.json").write_text(json.dumps(closed), encoding="utf-8")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.refreshIssues", arguments=[])
    )
    assert result == {"refreshed": True}
    await client.wait_until(lambda: not any(d.code == "BL305" for d in client.diagnostics.get(uri, [])))


async def test_create_issue_without_a_creatable_source_explains_and_edits_nothing(client: RecordingClient, workspace: Path):
    uri, text = await _open(client, workspace)
    line = text.split("\n").index(next(l for l in text.split("\n") if "#TBD" in l)) if "#TBD" in text else None
    if line is None:
        pytest.skip("the example has no placeholder")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    (create,) = [a for a in actions if a.title == "Create issue from task"]
    # lsprotocol (client side) reads any object with a "command" key as a Command, so the
    # CodeAction arrives as a Command whose "command" is the nested one, stringified.
    assert "backlog-ls.createIssue" in str(create.command)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.createIssue", arguments=[uri, line, 1])
    )
    await client.wait_until(lambda: bool(client.messages), TIMEOUT)
    # An exported JSON file is read-only: the message says why nothing was created.
    assert client.messages[-1].message == (
        "backlog-ls: the tracker did not create the issue: no GitHub, GitLab or Gitea repository to create the issue in"
    )
    await asyncio.sleep(0)


async def test_the_status_bar_notification_follows_the_tracker_from_loading_to_ready(
    client: RecordingClient, workspace: Path
):
    await _open(client, workspace)
    await client.wait_until(lambda: bool(client.statuses) and client.statuses[-1]["state"] == "ready")
    states = [status["state"] for status in client.statuses]
    assert states[0] == "starting"
    assert client.statuses[-1]["text"] == "2 issues"
    assert client.statuses[-1]["detail"] == "2 issues from issues.json"
    # Only changes are sent: no two neighbours are the same.
    assert all(a != b for a, b in zip(client.statuses, client.statuses[1:]))


async def test_polling_an_unchanged_export_sends_no_status(client: RecordingClient, workspace: Path):
    await _open(client, workspace)
    await client.wait_until(lambda: bool(client.statuses) and client.statuses[-1]["state"] == "ready")
    sent = len(client.statuses)
    await client.quiet_for(2.5)  # the export is polled every 2 s
    assert len(client.statuses) == sent
