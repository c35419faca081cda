"""The server end to end: quick fixes from diagnostic data, fix-all, the DoD hover, configuration."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from .lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities, span_of

BACKLOG = """# Plan

## Definition of Done
1. Tests pass in CI.
2. The issue is closed.

## Phase 1
- [x] shipped
- [ x] almost
- []
"""


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def configured_client(lsp_client: RecordingClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities("visual-studio-code"),
            initialization_options={"backlogLs": {"rules": {"malformed-task": "hint"}}},
        )
    )
    yield
    await lsp_client.shut_down_session()


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        before = "\n".join(lines[: start.line] + [lines[start.line][: start.character]])
        after = "\n".join([lines[end.line][end.character :]] + lines[end.line + 1 :])
        lines = (before + edit.new_text + after).split("\n")
    return "\n".join(lines)


async def _diagnostics(client: RecordingClient, uri: str, text: str) -> list[types.Diagnostic]:
    client.open(uri, text)
    published = await client.diagnostics_for_version(uri, 1)
    return published.diagnostics


async def test_a_quick_fix_comes_from_the_diagnostic_data(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    diagnostics = await _diagnostics(client, uri, BACKLOG)
    almost = next(d for d in diagnostics if d.code == "BL201" and d.range.start.line == 8)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=almost.range,
            context=types.CodeActionContext(diagnostics=[almost]),
        )
    )
    (action,) = actions
    assert (action.title, action.kind, action.is_preferred) == ("Write '[x]'", types.CodeActionKind.QuickFix, True)
    (document_edit,) = action.edit.document_changes
    assert document_edit.text_document.version == 1
    assert _apply(BACKLOG, document_edit.edits).split("\n")[8] == "- [x] almost"


async def test_a_stale_diagnostic_offers_no_fix(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    diagnostics = await _diagnostics(client, uri, BACKLOG)
    client.change(uri, 2, types.TextDocumentContentChangeWholeDocument(text=BACKLOG + "\n"))
    await client.diagnostics_for_version(uri, 2)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert list(actions) == []


async def test_fix_all_applies_every_safe_fix_with_minimal_edits(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    await _diagnostics(client, uri, BACKLOG)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    (action,) = actions
    assert action.kind == "source.fixAll.backlog-ls"
    (document_edit,) = action.edit.document_changes
    assert [span_of(edit.range) for edit in document_edit.edits] == [(8, 3, 8, 4), (9, 3, 9, 3)]  # only what changes
    fixed = _apply(BACKLOG, document_edit.edits)
    assert fixed.split("\n")[8:10] == ["- [x] almost", "- [ ]"]


async def test_hover_on_a_ticked_checkbox_shows_the_definition_of_done(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    await _diagnostics(client, uri, BACKLOG)
    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(7, 3))
    )
    assert found.contents.kind == types.MarkupKind.Markdown
    assert "1. Tests pass in CI." in found.contents.value
    assert "2. The issue is closed." in found.contents.value
    assert span_of(found.range) == (7, 2, 7, 5)
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 3))
    )
    assert nothing is None


async def test_configuration_file_applies_and_its_problems_are_diagnostics(client: RecordingClient, tmp_path: Path):
    (tmp_path / ".git").mkdir()  # the project root: the search for configuration stops here
    config = tmp_path / ".backlog-ls.toml"
    config.write_text('[rules]\nmalformed-task = "off"\nno-such-rule = "error"\n', encoding="utf-8")
    uri = (tmp_path / "BACKLOG.md").as_uri()
    diagnostics = await _diagnostics(client, uri, BACKLOG)
    assert [d.code for d in diagnostics if d.code == "BL201"] == []
    config_uri = config.as_uri()
    await client.wait_until(lambda: client.published_for(config_uri), TIMEOUT)
    (problem,) = client.published_for(config_uri)[-1].diagnostics
    assert problem.message == "rules.no-such-rule: unknown rule; `backlog-ls rules` lists them"
    assert span_of(problem.range) == (2, 0, 2, 22)

    # The file changes and the client says so: the rule is back, the problem gone.
    config.write_text('[rules]\nmalformed-task = "warning"\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config_uri, type=types.FileChangeType.Changed)])
    )
    await client.wait_until(
        lambda: any(d.code == "BL201" for d in client.published_for(uri)[-1].diagnostics), TIMEOUT
    )
    assert {d.severity for d in client.published_for(uri)[-1].diagnostics if d.code == "BL201"} == {
        types.DiagnosticSeverity.Warning
    }
    assert list(client.published_for(config_uri)[-1].diagnostics) == []


async def test_editor_settings_override_rule_severity(configured_client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    diagnostics = await _diagnostics(configured_client, uri, BACKLOG)
    assert {d.severity for d in diagnostics if d.code == "BL201"} == {types.DiagnosticSeverity.Hint}


async def test_a_markdown_file_that_is_not_a_backlog_gets_no_diagnostics(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "notes.md").as_uri()
    diagnostics = await _diagnostics(client, uri, "# Notes\n\nSee [nowhere](missing.md).\n")
    assert list(diagnostics) == []


async def test_an_edit_offered_as_a_quick_fix_is_not_offered_again_as_a_task_edit(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    text = "# Plan\n\n- [x] Ship\n  - [ ] Build\n"
    diagnostics = await _diagnostics(client, uri, text)
    (open_subtask,) = [d for d in diagnostics if d.code == "BL301"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=open_subtask.range,
            context=types.CodeActionContext(diagnostics=[open_subtask]),
        )
    )
    titles = [action.title for action in actions]
    # One action unticks: the quick fix of BL301, under the task edit's title, which key maps bind.
    unticking = [action for action in actions if action.title in ("Untick this task", "Untick task")]
    assert [action.title for action in unticking] == ["Untick task"], titles
    assert unticking[0].kind == types.CodeActionKind.QuickFix and list(unticking[0].diagnostics) == [open_subtask]
