"""Navigation across a workspace of backlogs, end to end: references, definition, rename, highlights,
workspace symbols, renumbering, the index's progress and its watched files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..lsp_support import SERVER_COMMAND, RecordingClient, capabilities

ROADMAP = """\
# Roadmap

## Phase 2: Parser

- [ ] **Task 2.3 (#12):** Parse tables 🚀
- [ ] Task 2.4: After Task 2.3, ship it
"""

NEXT = """\
# Next

- [ ] Task 3.1: Depends on Task 2.3 (Issue #12)
"""

SEARCH_TASKS = """\
# Search

- [ ] T10 Search index, see owner/repo#12
- [~] T11 Fuzzy ranking (#30)
"""

ARCHIVE = """\
# Archive

- [x] Task 1.1: Old work, cf. https://github.com/owner/repo/issues/12
"""

FILES = {"ROADMAP.md": ROADMAP, "docs/plans/next.md": NEXT, "specs/search/tasks.md": SEARCH_TASKS, "ARCHIVE.md": ARCHIVE}
PROGRESS_TOKEN = "backlog-ls/workspace-index"


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
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


async def _indexed(client: RecordingClient) -> None:
    """Wait for the end of the index's work-done progress."""

    def ended() -> bool:
        return any(isinstance(value, types.WorkDoneProgressEnd) for value in client.progress_reports.get(PROGRESS_TOKEN, []))

    await client.wait_until(ended)


def _uri(workspace: Path, name: str) -> str:
    return (workspace / name).as_uri()


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return types.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(needle)


def _text_at(texts: dict[str, str], location: types.Location) -> tuple[str, str]:
    """The file (by name) and the text a location covers (UTF-16 columns, as the client counts)."""
    name = next(name for name in texts if location.uri.endswith("/" + name))
    line = texts[name].split("\n")[location.range.start.line].encode("utf-16-le")
    start, end = location.range.start.character * 2, location.range.end.character * 2
    return name, line[start:end].decode("utf-16-le")


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line].encode("utf-16-le")
        lines[start.line] = (line[: start.character * 2] + edit.new_text.encode("utf-16-le") + line[end.character * 2 :]).decode("utf-16-le")
    return "\n".join(lines)


def _edits_by_name(workspace: Path, edit: types.WorkspaceEdit) -> dict[str, tuple[int | None, list[types.TextEdit]]]:
    found = {}
    for change in edit.document_changes:
        name = Path(change.text_document.uri.removeprefix("file://")).relative_to(workspace).as_posix()
        found[name] = (change.text_document.version, change.edits)
    return found


async def test_the_index_fills_with_progress_and_watches_backlog_files(client: RecordingClient):
    server = client.initialize_result.capabilities
    assert server.references_provider and server.document_highlight_provider and server.workspace_symbol_provider
    assert server.rename_provider.prepare_provider is True
    await _indexed(client)
    reports = client.progress_reports[PROGRESS_TOKEN]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].title == "Indexing backlogs"
    assert reports[-1].message == "4 backlog files indexed"
    (watch,) = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert "**/*.md" in [w["globPattern"] for w in watch.register_options["watchers"]]


async def test_references_of_an_issue_list_every_citing_task_across_files(client: RecordingClient, workspace: Path):
    uri = _uri(workspace, "ROADMAP.md")
    client.open(uri, ROADMAP)
    await _indexed(client)
    found = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=_position(ROADMAP, "#12", 1),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert [_text_at(FILES, location) for location in found] == [
        ("ARCHIVE.md", "https://github.com/owner/repo/issues/12"),
        ("ROADMAP.md", "#12"),
        ("docs/plans/next.md", "Issue #12"),
        ("specs/search/tasks.md", "owner/repo#12"),
    ]


async def test_definition_from_a_mention_in_another_file(client: RecordingClient, workspace: Path):
    uri = _uri(workspace, "docs/plans/next.md")
    client.open(uri, NEXT)
    await _indexed(client)
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(NEXT, "Task 2.3", 5))
    )
    assert [_text_at(FILES, location) for location in found] == [("ROADMAP.md", "Task 2.3")]
    # The issue's definition: the tasks naming it as their own (not those that only cite it).
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(NEXT, "#12", 1))
    )
    assert [_text_at(FILES, location)[0] for location in found] == ["ROADMAP.md", "docs/plans/next.md"]


async def test_rename_a_task_id_edits_every_file(client: RecordingClient, workspace: Path):
    uri = _uri(workspace, "ROADMAP.md")
    client.open(uri, ROADMAP, version=3)
    await _indexed(client)
    position = _position(ROADMAP, "Task 2.3", 2)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert prepared.placeholder == "Task 2.3"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position, new_name="Task 2.7")
    )
    edits = _edits_by_name(workspace, edit)
    assert sorted(edits) == ["ROADMAP.md", "docs/plans/next.md"]
    assert edits["ROADMAP.md"][0] == 3 and edits["docs/plans/next.md"][0] is None  # open: its version; on disk: none
    assert _apply(ROADMAP, edits["ROADMAP.md"][1]) == ROADMAP.replace("Task 2.3", "Task 2.7")
    assert _apply(NEXT, edits["docs/plans/next.md"][1]) == "# Next\n\n- [ ] Task 3.1: Depends on Task 2.7 (Issue #12)\n"


async def test_rename_refuses_what_is_not_a_task_id(client: RecordingClient, workspace: Path):
    uri = _uri(workspace, "ROADMAP.md")
    client.open(uri, ROADMAP)
    await _indexed(client)
    on_issue = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(ROADMAP, "#12", 1))
    )
    assert on_issue is None
    with pytest.raises(Exception, match="is not a task ID"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=_position(ROADMAP, "Task 2.3", 2), new_name="Parser"
            )
        )


async def test_highlights_mark_the_task_and_its_mentions(client: RecordingClient, workspace: Path):
    uri = _uri(workspace, "ROADMAP.md")
    client.open(uri, ROADMAP)
    found = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(ROADMAP, "After Task 2.3", 8))
    )
    assert [(h.range.start.line, h.range.start.character, h.kind) for h in found] == [
        (4, 8, types.DocumentHighlightKind.Write),
        (5, 22, types.DocumentHighlightKind.Read),
    ]


async def test_workspace_symbol_finds_a_task_in_a_file_that_is_not_open(client: RecordingClient, workspace: Path):
    await _indexed(client)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="fuzzy rank"))
    assert [(s.name, s.container_name, s.location.uri) for s in found] == [
        ("T11 Fuzzy ranking (#30) (in progress)", "Search", _uri(workspace, "specs/search/tasks.md"))
    ]
    assert found[0].location.range.start == types.Position(line=3, character=6)
    by_issue = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="#12"))
    assert by_issue[0].name.startswith("Task 2.3 (#12): Parse tables")


async def _symbols_eventually(client: RecordingClient, query: str) -> list[types.SymbolInformation]:
    """workspace/symbol asked until it finds something (the index catches up in the background)."""
    for _ in range(200):
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
        if found:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"nothing found for {query!r} in time")


async def test_an_edit_and_a_watched_change_keep_the_index_current(client: RecordingClient, workspace: Path):
    await _indexed(client)
    uri = _uri(workspace, "ROADMAP.md")
    client.open(uri, ROADMAP)
    client.change(uri, 2, types.TextDocumentContentChangeWholeDocument(text=ROADMAP.replace("Parse tables", "Parse grids")))
    symbols = await _symbols_eventually(client, "grids")
    assert [s.name for s in symbols] == ["Task 2.3 (#12): Parse grids 🚀 (open)"]
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="tables")) == []
    later = workspace / "docs" / "plans" / "later.md"
    later.write_text("- [ ] Task 4.1: Later work (#12)\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=later.as_uri(), type=types.FileChangeType.Created)])
    )
    found = await _symbols_eventually(client, "later work")
    assert [(s.name, s.location.uri) for s in found] == [("Task 4.1: Later work (#12) (open)", later.as_uri())]
    later.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=later.as_uri(), type=types.FileChangeType.Deleted)])
    )
    for _ in range(200):
        if not await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="later work")):
            break
        await asyncio.sleep(0.025)
    else:
        raise AssertionError("the deleted file stayed in the index")


async def test_renumber_tasks_in_section_carries_the_mentions_in_other_files(client: RecordingClient, workspace: Path):
    plan = "# Plan\n\n## Phase 5: Search\n\n- [ ] Task 5.5: First\n- [ ] Task 5.3: After Task 5.5\n"
    (workspace / "PLAN.md").write_text(plan, encoding="utf-8")
    other = "# Other\n\n- [ ] Task 9.1: Wait for Task 5.3 and Task 5.5\n"
    (workspace / "docs" / "other.md").write_text(other, encoding="utf-8")
    await _indexed(client)
    for name in ("PLAN.md", "docs/other.md"):
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=_uri(workspace, name), type=types.FileChangeType.Created)])
        )
    await _symbols_eventually(client, "wait for")
    uri = _uri(workspace, "PLAN.md")
    client.open(uri, plan, version=4)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=2, character=0), end=types.Position(line=2, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite]),
        )
    )
    (action,) = [a for a in actions if a.title.startswith("Renumber tasks in section")]
    edits = _edits_by_name(workspace, action.edit)
    assert sorted(edits) == ["PLAN.md", "docs/other.md"]
    assert edits["PLAN.md"][0] == 4 and edits["docs/other.md"][0] is None
    assert _apply(plan, edits["PLAN.md"][1]) == "# Plan\n\n## Phase 5: Search\n\n- [ ] Task 5.1: First\n- [ ] Task 5.2: After Task 5.1\n"
    assert _apply(other, edits["docs/other.md"][1]) == "# Other\n\n- [ ] Task 9.1: Wait for Task 5.2 and Task 5.1\n"
