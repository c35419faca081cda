""""Create issue from task" and "Refresh issues" end to end, with a source that can file issues."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..lsp_support import RecordingClient, capabilities, raw_session

BACKLOG = """# Plan

## Phase 1
- [x] **Task 1.1 (Issue #41):** Earlier work
- [ ] **Task 1.2 (Issue #TBD):** Write the docs
- [ ] **Task 1.3:** Ship it
"""


def _config() -> ClientServerConfig:
    return ClientServerConfig(
        server_command=[sys.executable, "-m", "tests.issues.fake_tracker_server"], client_factory=RecordingClient.create
    )


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient):
    lsp_client.applied = []
    lsp_client.progress_tokens = []

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def _apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False))
    )
    yield
    await lsp_client.shut_down_session()


def _edited(params: types.ApplyWorkspaceEditParams) -> tuple[int | None, str]:
    (change,) = params.edit.document_changes
    (edit,) = change.edits
    lines = BACKLOG.split("\n")
    start, end = edit.range.start, edit.range.end
    assert start.line == end.line
    line = lines[start.line]
    return change.text_document.version, line[: start.character] + edit.new_text + line[end.character :]


async def test_create_issue_replaces_the_placeholder(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    client.open(uri, BACKLOG)
    await client.diagnostics_for_version(uri, 1)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.createIssue", arguments=[uri, 4])
    )
    assert result == {"number": 42, "url": "https://github.com/acme/app/issues/42"}
    (params,) = client.applied
    assert _edited(params) == (1, "- [ ] **Task 1.2 (Issue #42):** Write the docs")


async def test_create_issue_appends_the_number_in_the_documents_style(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    client.open(uri, BACKLOG)
    await client.diagnostics_for_version(uri, 1)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.createIssue", arguments=[uri, 5])
    )
    (params,) = client.applied
    assert _edited(params) == (1, "- [ ] **Task 1.3 (Issue #42):** Ship it")


async def test_refresh_issues_reports_progress_to_a_client_that_declared_it(client: RecordingClient, tmp_path: Path):
    uri = (tmp_path / "BACKLOG.md").as_uri()
    client.open(uri, BACKLOG)
    await client.diagnostics_for_version(uri, 1)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="backlog-ls.refreshIssues", arguments=[])
    )
    assert result == {"refreshed": True}
    assert client.progress_reports  # begin ... end, recorded by pytest-lsp



def test_create_issue_is_the_quick_fix_of_the_placeholder_finding(tmp_path: Path):
    # Raw JSON: pygls' client reads a code action that carries a command as a Command and
    # drops its kind and diagnostics, which are what this test is about.
    uri = (tmp_path / "BACKLOG.md").as_uri()
    placeholder = {
        "range": {"start": {"line": 4, "character": 18}, "end": {"line": 4, "character": 29}},
        "severity": 4,
        "code": "BL102",
        "source": "backlog-ls",
        "message": "'#TBD' stands for an issue not filed yet",
    }

    def code_action(request_id: int, only: list[str] | None, diagnostics: list[dict]) -> dict:
        context: dict = {"diagnostics": diagnostics}
        if only is not None:
            context["only"] = only
        params = {"textDocument": {"uri": uri}, "range": placeholder["range"], "context": context}
        return {"jsonrpc": "2.0", "id": request_id, "method": "textDocument/codeAction", "params": params}

    document = {"uri": uri, "languageId": "markdown", "version": 1, "text": BACKLOG}
    answers = raw_session(
        [sys.executable, "-m", "tests.issues.fake_tracker_server"],
        [
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}},
            code_action(2, ["quickfix"], [placeholder]),  # VS Code's "Quick Fix..." on the finding
            code_action(3, None, []),  # the light bulb on the line, no finding in the context
            code_action(4, ["quickfix"], []),
        ],
    )

    def create_issue(request_id: int) -> list[dict]:
        return [action for action in answers[request_id] or [] if action["title"] == "Create issue from task"]

    (fix,) = create_issue(2)
    assert fix["kind"] == "quickfix" and fix["diagnostics"] == [placeholder]
    assert fix["command"]["command"] == "backlog-ls.createIssue" and fix["command"]["arguments"][:2] == [uri, 4]
    (refactor,) = create_issue(3)
    assert refactor["kind"] == "refactor.rewrite" and "diagnostics" not in refactor
    assert create_issue(4) == []
