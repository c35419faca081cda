"""backlog-ls/outline end to end (the Backlog view's one request): the workspace's backlogs, open
documents as edited, a single file by URI, ranges in the negotiated encoding."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from .lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities, edit

OUTLINE = "backlog-ls/outline"
BACKLOG = "# Plan\n## Phase 1 🚀\n- [x] A\n- [ ] B\n  - [x] B.1\n## Phase 2\n- [-] Dropped\n- [~] Going\n"
TODO = "- [ ] loose\n"


def _plain(value):
    """What pygls' client hands over (attribute objects, or dicts) as plain JSON values."""
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return [_plain(item) for item in value]
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "BACKLOG.md").write_text(BACKLOG, encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "TODO.md").write_text(TODO, encoding="utf-8")
    (tmp_path / "notes" / "prose.md").write_text("# Just prose\n", encoding="utf-8")
    return tmp_path


async def _session(client: RecordingClient, folder: Path, caps: types.ClientCapabilities) -> None:
    await client.initialize_session(
        types.InitializeParams(capabilities=caps, workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="w")])
    )


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient):
    yield
    await lsp_client.shut_down_session()


async def outline(client: RecordingClient, params: dict | None = None) -> dict:
    answer = await asyncio.wait_for(client.protocol.send_request_async(OUTLINE, params or {}), TIMEOUT)
    return _plain(answer)


def rows(answer: dict) -> list[tuple[str, str, str]]:
    found = []
    for file in answer["files"]:
        name = Path(file["path"]).name

        def walk(sections):
            for section in sections:
                counts = section["counts"]
                found.append((name, section["title"], f"{counts['done']}/{counts['total']} {counts['percent']}"))
                walk(section["sections"])

        walk(file["sections"])
        if file["tasks"]:
            found.append((name, "(before any heading)", ", ".join(task["name"] for task in file["tasks"])))
    return found


async def test_lists_every_backlog_of_the_workspace_with_its_sections(client: RecordingClient, workspace: Path):
    await _session(client, workspace, capabilities("visual-studio-code"))
    answer = await outline(client)
    assert rows(answer) == [
        ("BACKLOG.md", "Plan", "2/4 50"),
        ("BACKLOG.md", "Phase 1 🚀", "2/3 67"),
        ("BACKLOG.md", "Phase 2", "0/1 0"),
        ("TODO.md", "(before any heading)", "loose"),
    ]
    phase2 = answer["files"][0]["sections"][0]["sections"][1]
    assert phase2["counts"] == {"done": 0, "open": 0, "in_progress": 1, "cancelled": 1, "total": 1, "percent": 0}
    assert [(t["name"], t["kind"], t["meaning"], t["ready"]) for t in phase2["tasks"]] == [
        ("Dropped", "cancelled", "cancelled", False),
        ("Going", "in_progress", "in progress", True),  # begun, and waiting for nothing
    ]
    assert answer["files"][0]["uri"] == (workspace / "BACKLOG.md").as_uri()


async def test_an_open_document_counts_as_edited_and_a_uri_asks_for_one_file(client: RecordingClient, workspace: Path):
    await _session(client, workspace, capabilities("visual-studio-code"))
    uri = (workspace / "BACKLOG.md").as_uri()
    client.open(uri, BACKLOG)
    client.change(uri, 2, edit((3, 3), (3, 4), "x"))  # "- [ ] B" -> "- [x] B"
    answer = await outline(client, {"uri": uri})
    assert [(file["uri"], file["counts"]["done"], file["counts"]["total"]) for file in answer["files"]] == [(uri, 3, 4)]
    assert rows(await outline(client))[0] == ("BACKLOG.md", "Plan", "3/4 75")
    todo = (workspace / "notes" / "TODO.md").as_uri()
    assert [file["uri"] for file in (await outline(client, {"uri": todo}))["files"]] == [todo]  # not open: from disk
    assert (await outline(client, {"uri": (workspace / "notes" / "prose.md").as_uri()}))["files"] == []


async def test_ranges_are_in_the_negotiated_encoding(client: RecordingClient, workspace: Path):
    await _session(client, workspace, capabilities("visual-studio-code", position_encodings=["utf-8"]))
    answer = await outline(client)
    phase1 = answer["files"][0]["sections"][0]["sections"][0]
    # "## Phase 1 🚀": the title starts at 3 and ends after the emoji, 4 bytes in UTF-8.
    assert phase1["range"] == {"start": {"line": 1, "character": 3}, "end": {"line": 1, "character": 15}}


async def test_a_workspace_without_backlogs_and_bad_params(client: RecordingClient, tmp_path: Path):
    await _session(client, tmp_path, capabilities("visual-studio-code"))
    assert await outline(client) == {"files": []}
    assert await outline(client, {"uri": 42}) == {"files": []}
    assert await outline(client, {"uri": "file:///no/such/file.md"}) == {"files": []}


async def test_once_the_index_has_scanned_a_new_file_is_listed_when_the_client_says_so(client: RecordingClient, workspace: Path):
    """After its first scan the view's file list is the workspace index's, which watched files keep current."""
    await _session(client, workspace, capabilities("visual-studio-code"))
    reports = lambda: client.progress_reports.get("backlog-ls/workspace-index", [])  # noqa: E731
    await client.wait_until(lambda: any(isinstance(report, types.WorkDoneProgressEnd) for report in reports()))
    new = workspace / "notes" / "roadmap.md"
    new.write_text("# Roadmap\n- [ ] Later\n", encoding="utf-8")

    async def listed() -> list[str]:
        return [Path(file["path"]).name for file in (await outline(client))["files"]]

    assert await listed() == ["BACKLOG.md", "TODO.md"]  # the index's list: no folder is listed again per request
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)])
    )
    for _ in range(200):  # the index reads the file on its own thread
        if "roadmap.md" in await listed():
            break
        await asyncio.sleep(0.02)
    assert await listed() == ["BACKLOG.md", "TODO.md", "roadmap.md"]


async def test_a_task_waiting_for_a_task_of_another_file_is_ready_once_that_one_is_done(client: RecordingClient, tmp_path: Path):
    (tmp_path / "BACKLOG.md").write_text("# Plan\n- [ ] **Task 2.1:** Build it, after Task 9.1\n", encoding="utf-8")
    design = tmp_path / "design-todo.md"
    design.write_text("# Design\n- [ ] **Task 9.1:** Draw it\n", encoding="utf-8")
    await _session(client, tmp_path, capabilities("visual-studio-code"))
    reports = lambda: client.progress_reports.get("backlog-ls/workspace-index", [])  # noqa: E731
    await client.wait_until(lambda: any(isinstance(report, types.WorkDoneProgressEnd) for report in reports()))

    async def build_task() -> dict:
        [plan] = [file for file in (await outline(client))["files"] if file["path"].endswith("BACKLOG.md")]
        return plan["sections"][0]["tasks"][0]

    assert (await build_task())["ready"] is False  # Task 9.1, in design-todo.md, is open
    client.open(design.as_uri(), design.read_text(encoding="utf-8"))
    client.change(design.as_uri(), 2, edit((1, 3), (1, 4), "x"))
    for _ in range(200):
        if (await build_task())["ready"]:
            break
        await asyncio.sleep(0.02)
    assert (await build_task())["ready"] is True
