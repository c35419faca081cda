"""End to end, over stdio: the cross-file rules, workspace diagnostics, file links, path and anchor
completion, and the link edits a file move gets, in a workspace of four backlogs (``fixtures``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..lsp_support import SERVER_COMMAND, RecordingClient, capabilities, span_of
from .fixtures import FILES, write_workspace


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "project")


async def _start(client: RecordingClient, root: Path, caps: types.ClientCapabilities) -> None:
    client.initialize_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
        )
    )


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient, root: Path):
    """VS Code, pushed diagnostics."""
    await _start(lsp_client, root, capabilities("visual-studio-code", pull_diagnostics=False))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def pull_client(lsp_client: RecordingClient, root: Path):
    """VS Code with pull diagnostics."""
    await _start(lsp_client, root, capabilities("visual-studio-code", pull_diagnostics=True))
    yield
    await lsp_client.shut_down_session()


def _open(client: RecordingClient, root: Path, relative: str) -> str:
    uri = (root / relative).as_uri()
    client.open(uri, (root / relative).read_text(encoding="utf-8"))
    return uri


def _cross(diagnostics) -> list[tuple]:
    return [
        (str(d.code), span_of(d), d.message, [(r.location.uri, span_of(r.location.range), r.message) for r in d.related_information or ()])
        for d in diagnostics
        if str(d.code) in ("BL103", "BL104") or "No task" in d.message
    ]


PLAN_FINDINGS = [
    (
        "BL104",
        (5, 8, 5, 16),
        "Task ID 'Task 2.1' is also used by the task on line 3 of notes.md.",
        [("{root}/docs/notes.md", (2, 8, 2, 16), "Task 2.1 is named here first.")],
    ),
    (
        "BL103",
        (5, 18, 5, 21),
        "Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md.",
        [("{root}/ARCHIVE.md", (2, 18, 2, 21), "'Task 1.1' names Issue #12 here.")],
    ),
]


def _expected(root: Path) -> list[tuple]:
    return [
        (code, span, message, [(uri.format(root=root.as_uri()), *rest) for uri, *rest in related])
        for code, span, message, related in PLAN_FINDINGS
    ]


async def test_a_cross_file_duplicate_is_pushed_for_the_open_document(client: RecordingClient, root: Path):
    uri = _open(client, root, "docs/plan.md")
    await client.wait_until(lambda: _cross(client.diagnostics.get(uri, [])) == _expected(root))
    await client.quiet_for(0.3)
    assert {params.uri for params in client.published} == {uri}  # never a flood of unopened files


async def test_workspace_diagnostics_report_an_unopened_file(pull_client: RecordingClient, root: Path):
    plan = (root / "docs/plan.md").as_uri()

    async def pulled() -> dict[str, list]:
        report = await pull_client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        return {item.uri: item for item in report.items}

    items: dict = {}

    async def until_found() -> bool:
        nonlocal items
        items = await pulled()
        return plan in items and _cross(items[plan].items) == _expected(root)

    for _ in range(200):
        if await until_found():
            break
        await pull_client.quiet_for(0.05)
    assert _cross(items[plan].items) == _expected(root)
    roadmap = (root / "ROADMAP.md").as_uri()
    assert [(str(d.code), span_of(d), d.message) for d in items[roadmap].items if str(d.code) == "BL401"] == [
        ("BL401", (3, 86, 3, 98), "No task 'Task 9.9' in 'docs/plan.md'.")
    ]
    # Asked again with the result ids it was given, nothing changed: every report is "unchanged".
    await pull_client.quiet_for(1.0)  # the scan's last refresh has happened
    items = await pulled()
    previous = [types.PreviousResultId(uri=uri, value=item.result_id) for uri, item in items.items()]
    again = await pull_client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert {item.kind for item in again.items} == {"unchanged"}


async def test_relative_links_are_clickable(client: RecordingClient, root: Path):
    uri = _open(client, root, "ROADMAP.md")
    plan = (root / "docs/plan.md").as_uri()

    async def links():
        return await client.text_document_document_link_async(
            types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    await client.wait_until(lambda: True)
    found: list = []
    for _ in range(200):
        found = [(span_of(link.range), link.target) for link in await links() or []]
        if ((4, 22, 4, 42), plan + "#L3") in found:
            break  # the heading's line is known once the index has read plan.md
        await client.quiet_for(0.05)
    assert found == [
        ((3, 57, 3, 69), plan),
        ((3, 86, 3, 98), plan),
        ((4, 22, 4, 42), plan + "#L3"),
        ((4, 60, 4, 73), (root / "docs/notes.md").as_uri()),
    ]


async def _complete(client: RecordingClient, uri: str, line: int, character: int) -> list[tuple[str, str]]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character))
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return [(item.label, item.text_edit.new_text) for item in items if item.kind in (types.CompletionItemKind.File, types.CompletionItemKind.Reference)]


async def test_paths_and_anchors_complete_in_a_link_target(client: RecordingClient, root: Path):
    uri = (root / "ROADMAP.md").as_uri()
    text = FILES["ROADMAP.md"] + "- [ ] See [the plan](docs/\n- [ ] See [the release](docs/plan.md#\n"
    client.open(uri, text)
    lines = text.split("\n")
    assert await _complete(client, uri, 5, len(lines[5])) == [("notes.md", "notes.md"), ("plan.md", "plan.md")]
    assert await _complete(client, uri, 6, len(lines[6])) == [("#plan", "plan"), ("#release", "release")]


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line]
        lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "\n".join(lines)


def _edits_by_uri(edit: types.WorkspaceEdit) -> dict[str, list[types.TextEdit]]:
    found: dict[str, list[types.TextEdit]] = {}
    for change in edit.document_changes or ():
        found.setdefault(change.text_document.uri, []).extend(change.edits)
    for uri, edits in (edit.changes or {}).items():
        found.setdefault(uri, []).extend(edits)
    return found


async def test_moving_a_file_offers_the_link_edits_and_writes_nothing(client: RecordingClient, root: Path):
    capabilities = client.initialize_result.capabilities
    assert capabilities.workspace.file_operations.will_rename.filters[0].pattern.glob == "**/*.{md,markdown}"
    roadmap_uri = _open(client, root, "ROADMAP.md")  # open: its edit names the version it was computed for
    old, new = root / "docs/notes.md", root / "notes.md"
    params = types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())])
    edit = None
    for _ in range(200):
        edit = await client.workspace_will_rename_files_async(params)
        if edit is not None and len(_edits_by_uri(edit)) == 2:
            break  # both files known to the index
        await client.quiet_for(0.05)
    edits = _edits_by_uri(edit)
    assert sorted(edits) == sorted([roadmap_uri, old.as_uri()])
    assert _apply(FILES["ROADMAP.md"], edits[roadmap_uri]).split("\n")[4] == (
        "- [ ] Read the [plan](docs/plan.md#release) and the [notes](notes.md)."
    )
    assert _apply(FILES["docs/notes.md"], edits[old.as_uri()]).split("\n")[3] == "- [ ] Back to the [roadmap](ROADMAP.md)."
    versions = {change.text_document.uri: change.text_document.version for change in edit.document_changes}
    assert versions == {roadmap_uri: 1, old.as_uri(): None}
    assert {relative: (root / relative).read_text(encoding="utf-8") for relative in FILES} == FILES  # nothing written


async def test_renaming_a_folder_moves_the_links_below_it(client: RecordingClient, root: Path):
    old, new = root / "docs", root / "design"
    params = types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())])
    roadmap = (root / "ROADMAP.md").as_uri()
    edits: dict = {}
    for _ in range(200):
        edit = await client.workspace_will_rename_files_async(params)
        edits = _edits_by_uri(edit) if edit is not None else {}
        if roadmap in edits:
            break
        await client.quiet_for(0.05)
    assert _apply(FILES["ROADMAP.md"], edits[roadmap]).split("\n")[3:5] == [
        "- [ ] **Task 1.2 (#13):** Write the docs, see [Task 2.1](design/plan.md) and [Task 9.9](design/plan.md).",
        "- [ ] Read the [plan](design/plan.md#release) and the [notes](design/notes.md).",
    ]
    assert sorted(edits) == [roadmap]  # links inside the folder between its own files stay as they are


LINKING = {
    **FILES,
    "README.md": "# Read me\n\nSee [the notes](docs/notes.md) and [the spec][spec].\n\n[spec]: <docs/my spec.md>\n",
    "docs/my spec.md": "# Spec\n\nBack to the [notes](<notes.md#top>), ![chart](chart.png).\n",
}


@pytest.fixture
def linking_root(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "linking", LINKING)


@pytest_lsp.fixture(config=_config())
async def linking_client(lsp_client: RecordingClient, linking_root: Path):
    await _start(lsp_client, linking_root, capabilities("visual-studio-code", pull_diagnostics=False))
    yield
    await lsp_client.shut_down_session()


async def _rename(client: RecordingClient, old: Path, new: Path) -> dict[str, list[types.TextEdit]]:
    params = types.RenameFilesParams(files=[types.FileRename(old_uri=old.as_uri(), new_uri=new.as_uri())])
    edit = await client.workspace_will_rename_files_async(params)
    assert edit is not None
    return _edits_by_uri(edit)


async def test_a_move_edits_files_without_tasks_reference_definitions_and_angle_bracket_targets(
    linking_client: RecordingClient, linking_root: Path
):
    root = linking_root
    edits = await _rename(linking_client, root / "docs/notes.md", root / "notes/old notes.md")
    assert sorted(edits) == sorted((root / name).as_uri() for name in ("README.md", "ROADMAP.md", "docs/my spec.md"))
    readme = _apply(LINKING["README.md"], edits[(root / "README.md").as_uri()])
    assert readme.split("\n")[2] == "See [the notes](notes/old%20notes.md) and [the spec][spec]."  # no tasks in it
    spec = _apply(LINKING["docs/my spec.md"], edits[(root / "docs/my spec.md").as_uri()])
    # In angle brackets the space stays a space, and the anchor stays.
    assert spec.split("\n")[2] == "Back to the [notes](<../notes/old notes.md#top>), ![chart](chart.png)."
    roadmap = _apply(LINKING["ROADMAP.md"], edits[(root / "ROADMAP.md").as_uri()])
    assert roadmap.split("\n")[4] == "- [ ] Read the [plan](docs/plan.md#release) and the [notes](notes/old%20notes.md)."
    assert {name: (root / name).read_text(encoding="utf-8") for name in LINKING} == LINKING  # nothing written


async def test_a_moved_file_reached_by_a_reference_definition_and_its_own_links_follow(
    linking_client: RecordingClient, linking_root: Path
):
    root = linking_root
    edits = await _rename(linking_client, root / "docs/my spec.md", root / "spec.md")
    assert sorted(edits) == sorted((root / name).as_uri() for name in ("README.md", "docs/my spec.md"))
    readme = _apply(LINKING["README.md"], edits[(root / "README.md").as_uri()])
    assert readme.split("\n")[4] == "[spec]: <spec.md>"
    spec = _apply(LINKING["docs/my spec.md"], edits[(root / "docs/my spec.md").as_uri()])
    assert spec.split("\n")[2] == "Back to the [notes](<docs/notes.md#top>), ![chart](docs/chart.png)."
