"""End to end: the costly task edits (renumbering, archive, move) through ``codeAction/resolve``.

A client that resolves a code action's edit (VS Code, Neovim 0.11) gets those actions without
their edit and asks for it when the user picks one; the text it then gets is the text a client
without resolve support gets from the action's eager edit, byte for byte. A stale or unknown
action answers an error, never an edit for other text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig

from ..lsp_support import SERVER_COMMAND, RecordingClient, capabilities, edit
from .test_server_edits import apply_text_edits

PLAN = """\
# Plan

## Phase 5: Search

- [ ] **Task 5.5:** First
- [ ] **Task 5.3:** After Task 5.5
- [x] **Task 5.4:** Done work
  - [x] Its subtask

## Phase 7: Ship

- [ ] **Task 7.1:** Ship it, after Task 5.3

## Archive

- [x] **Task 1.1:** Old work
"""
OTHER = "# Other\n\n- [ ] Task 9.1: Wait for Task 5.3 and Task 5.5\n"
FILES = {"PLAN.md": PLAN, "docs/other.md": OTHER}
PROGRESS_TOKEN = "backlog-ls/workspace-index"
CONTENT_MODIFIED, INVALID_PARAMS = -32801, -32602
# Every action whose edit waits for the resolve, as offered somewhere in PLAN.
DEFERRED_TITLES = ("Renumber tasks in section", "Renumber phases", "Archive done tasks", "Move task to '")


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace of two backlogs: the plan, and a file that mentions its tasks."""
    (tmp_path / "docs").mkdir()
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


async def _start(client: RecordingClient, workspace: Path, resolve: bool) -> None:
    client.initialize_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities("visual-studio-code", pull_diagnostics=False, code_action_resolve=resolve),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
        )
    )
    await client.wait_until(lambda: any(isinstance(v, types.WorkDoneProgressEnd) for v in client.progress_reports.get(PROGRESS_TOKEN, [])))


@pytest_lsp.fixture(config=CONFIG)
async def resolving(lsp_client: RecordingClient, workspace: Path):
    await _start(lsp_client, workspace, resolve=True)
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=CONFIG)
async def eager(lsp_client: RecordingClient, workspace: Path):
    await _start(lsp_client, workspace, resolve=False)
    yield
    await lsp_client.shut_down_session()


async def open_plan(client: RecordingClient, workspace: Path, text: str = PLAN) -> str:
    uri = (workspace / "PLAN.md").as_uri()
    client.open(uri, text)
    await client.diagnostics_for_version(uri, 1)
    return uri


async def actions_at(client: RecordingClient, uri: str, line: int) -> list[types.CodeAction]:
    at = types.Position(line=line, character=0)
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=at, end=at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    # "Move task to section…" runs a command: pytest-lsp's client reads any action with one as a Command.
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


async def resolved(client: RecordingClient, actions: list[types.CodeAction]) -> tuple[list[types.CodeAction], int]:
    """The actions as the user gets them when picking each: resolved when offered without an edit
    (with data to resolve), and how many were."""
    found, deferred = [], 0
    for action in actions:
        if action.edit is None and action.data is not None:
            deferred += 1
            answer = await client.code_action_resolve_async(action)
            assert answer.edit is not None and answer.title == action.title
            action = answer
        found.append(action)
    return found, deferred


def applied(edit: types.WorkspaceEdit, texts: dict[str, str]) -> dict[str, str]:
    """Every document's text after the edit (``texts`` by URI: the open and the disk's)."""
    after = dict(texts)
    for change in edit.document_changes:
        after[change.text_document.uri] = apply_text_edits(after[change.text_document.uri], change.edits, "utf-16")
    return after


def _texts(workspace: Path, plan: str = PLAN) -> dict[str, str]:
    texts = {(workspace / name).as_uri(): text for name, text in FILES.items()}
    texts[(workspace / "PLAN.md").as_uri()] = plan
    return texts


def _deferred(title: str) -> bool:
    return title.startswith(DEFERRED_TITLES)


async def test_only_a_client_that_resolves_edits_is_offered_the_resolve(resolving: RecordingClient, eager: RecordingClient):
    assert resolving.initialize_result.capabilities.code_action_provider.resolve_provider is True
    assert not eager.initialize_result.capabilities.code_action_provider.resolve_provider


async def test_every_action_resolved_leaves_the_text_of_its_eager_edit(resolving: RecordingClient, eager: RecordingClient, workspace: Path):
    uri = await open_plan(resolving, workspace)
    await open_plan(eager, workspace)
    texts = _texts(workspace)
    seen: set[str] = set()
    for line in range(len(PLAN.split("\n"))):
        lazy, full = await actions_at(resolving, uri, line), await actions_at(eager, uri, line)
        assert [(a.title, a.kind, a.is_preferred) for a in lazy] == [(a.title, a.kind, a.is_preferred) for a in full]
        for offered, complete in zip(lazy, full):
            assert (offered.edit is None) == _deferred(offered.title), offered.title
            assert complete.edit is not None and complete.data is None
        picked, _ = await resolved(resolving, lazy)
        for action, complete in zip(picked, full):
            assert applied(action.edit, texts) == applied(complete.edit, texts)
            assert action.edit == complete.edit
        seen.update(a.title for a in lazy if a.edit is None)
    assert {prefix for prefix in DEFERRED_TITLES if any(title.startswith(prefix) for title in seen)} == set(DEFERRED_TITLES)


async def test_the_resolved_renumbering_makes_the_other_files_follow(resolving: RecordingClient, workspace: Path):
    uri = await open_plan(resolving, workspace)
    (offered,) = [a for a in await actions_at(resolving, uri, 2) if a.title.startswith("Renumber tasks in section")]
    assert offered.edit is None and offered.data["version"] == 1
    action = await resolving.code_action_resolve_async(offered)
    assert [c.text_document.version for c in action.edit.document_changes] == [1, None]
    after = applied(action.edit, _texts(workspace))
    assert after[uri].split("\n")[4:7] == ["- [ ] **Task 5.1:** First", "- [ ] **Task 5.2:** After Task 5.1", "- [x] **Task 5.3:** Done work"]
    assert "after Task 5.2" in after[uri]
    assert after[(workspace / "docs/other.md").as_uri()] == "# Other\n\n- [ ] Task 9.1: Wait for Task 5.2 and Task 5.1\n"


async def test_a_client_without_resolve_gets_every_edit_in_the_list(eager: RecordingClient, workspace: Path):
    uri = await open_plan(eager, workspace)
    titles = []
    for line in (2, 4, 10):
        for action in await actions_at(eager, uri, line):
            assert action.edit is not None and action.data is None
            titles.append(action.title)
    assert any(title.startswith("Renumber tasks in section") for title in titles)
    assert any(title.startswith("Archive done tasks") for title in titles)
    with pytest.raises(JsonRpcException):  # nothing to resolve: it was never offered without an edit
        await eager.code_action_resolve_async(types.CodeAction(title="Archive done tasks (1 task)"))


async def test_resolve_after_an_edit_answers_content_modified_then_the_new_text_resolves(
    resolving: RecordingClient, eager: RecordingClient, workspace: Path
):
    uri = await open_plan(resolving, workspace)
    await open_plan(eager, workspace)
    (stale,) = [a for a in await actions_at(resolving, uri, 2) if a.title.startswith("Renumber tasks in section")]
    changed = "<!-- plan -->\n" + PLAN
    for client in (resolving, eager):
        client.change(uri, 2, edit((0, 0), (0, 0), "<!-- plan -->\n"))
    with pytest.raises(JsonRpcException) as refused:
        await resolving.code_action_resolve_async(stale)
    assert refused.value.code == CONTENT_MODIFIED and "changed" in str(refused.value)
    (offered,) = [a for a in await actions_at(resolving, uri, 3) if a.title.startswith("Renumber tasks in section")]
    (complete,) = [a for a in await actions_at(eager, uri, 3) if a.title.startswith("Renumber tasks in section")]
    action = await resolving.code_action_resolve_async(offered)
    assert action.edit.document_changes[0].text_document.version == 2
    texts = _texts(workspace, changed)
    assert applied(action.edit, texts) == applied(complete.edit, texts)
    assert applied(action.edit, texts)[uri].split("\n")[5] == "- [ ] **Task 5.1:** First"


async def test_resolve_of_a_stale_or_garbage_payload_answers_an_error(resolving: RecordingClient, workspace: Path):
    uri = await open_plan(resolving, workspace)
    (offered,) = [a for a in await actions_at(resolving, uri, 2) if a.title.startswith("Renumber tasks in section")]
    data = dict(offered.data)
    garbage = [
        None,
        "Renumber",
        [1, 2],
        {},
        {**data, "group": "explode"},
        {**data, "index": 7},
        {**data, "index": -1},
        {**data, "line": "2"},
        {**data, "line": 10**9},
        {**data, "version": True},
        {**data, "version": 99},
        {**data, "title": "Renumber tasks in section 9 (1 IDs change)"},
        {**data, "uri": (workspace / "docs/other.md").as_uri()},
        {**data, "uri": "untitled:nothing"},
        {**data, "group": "archive"},
    ]
    for payload in garbage:
        with pytest.raises(JsonRpcException) as refused:
            await resolving.code_action_resolve_async(types.CodeAction(title=offered.title, kind=offered.kind, data=payload))
        assert refused.value.code in (CONTENT_MODIFIED, INVALID_PARAMS), payload
    action = await resolving.code_action_resolve_async(offered)  # the server is still there, and right
    assert applied(action.edit, _texts(workspace))[uri].split("\n")[4] == "- [ ] **Task 5.1:** First"


async def _actions_with_diagnostics(client: RecordingClient, uri: str, line: int) -> list[types.CodeAction]:
    at = types.Position(line=line, character=0)
    near = [d for d in client.diagnostics[uri] if d.range.start.line <= line <= d.range.end.line]
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=at, end=at),
            context=types.CodeActionContext(diagnostics=near),
        )
    )
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


@pytest.mark.parametrize("mention", ["", "- [ ] Task 7.1: after Task 6.1\n"])
async def test_a_renumbering_that_makes_a_quick_fix_s_change_in_this_file_is_compared_whole(
    resolving: RecordingClient, eager: RecordingClient, workspace: Path, mention: str
):
    # The duplicate ID's quick fix ("Renumber to 'Task 6.2'") makes the change the section's
    # renumbering makes to its own task IDs, and the renumbering's whole edit is that change too:
    # the other "Task 6.1" keeps its name and a mention of 6.1 (which could mean either) stays.
    # The resolving client's list builds the renumbering's whole edit to compare it, and offers
    # it once, as the eager list does.
    plan = "# Plan\n\n## Phase 6\n\n- [ ] Task 6.1: a\n- [ ] Task 6.1: b\n\n## Phase 7\n\n" + mention
    uri = await open_plan(resolving, workspace, plan)
    await open_plan(eager, workspace, plan)
    lazy, full = await _actions_with_diagnostics(resolving, uri, 5), await _actions_with_diagnostics(eager, uri, 5)
    titles = [a.title for a in full]
    assert titles[0] == "Renumber to 'Task 6.2'" and "Renumber tasks in section 6 (1 IDs change)" not in titles
    assert [a.title for a in lazy] == titles
    picked, _ = await resolved(resolving, lazy)
    assert [a.edit for a in picked] == [a.edit for a in full]
