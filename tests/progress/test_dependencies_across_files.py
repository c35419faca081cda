"""A dependency on a task of another backlog, through the workspace index: the warning, hover and definition."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from ..lsp_support import TIMEOUT, RecordingClient, edit
from ..workspace_index.test_server_navigation import _indexed
from ..workspace_index.test_server_navigation import client  # noqa: F401 - a server on the workspace below

PLAN = "# Plan\n\n- [ ] Task 9.1: Schema migration\n"
SPRINT = "# Sprint\n\n- [x] Task 1.1: Deploy, after Task 9.1\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "PLAN.md").write_text(PLAN, encoding="utf-8")
    (tmp_path / "SPRINT.md").write_text(SPRINT, encoding="utf-8")
    return tmp_path


async def test_a_blocker_in_another_file_is_found_through_the_index(client: RecordingClient, workspace: Path):  # noqa: F811
    await _indexed(client)
    uri = (workspace / "SPRINT.md").as_uri()
    client.open(uri, SPRINT)
    client.change(uri, 2, edit((2, 0), (2, 0), ""))  # checked with the index filled
    published = await client.diagnostics_for_version(uri, 2)
    (warning,) = [d for d in published.diagnostics if d.code == "BL601"]
    assert warning.message == (
        f"Task is ticked but waits for Task 9.1: Schema migration ({workspace / 'PLAN.md'}:3, open), which is still open."
    )
    assert not [d for d in published.diagnostics if d.code == "BL603"]

    at = types.Position(2, 32)  # on "Task 9.1"
    hover = await asyncio.wait_for(
        client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at)),
        TIMEOUT,
    )
    assert hover.contents.value.endswith(f"- Task 9.1: Schema migration ({workspace / 'PLAN.md'}:3, open)")
    found = await asyncio.wait_for(
        client.text_document_definition_async(
            types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at)
        ),
        TIMEOUT,
    )
    assert [(location.uri, location.range.start.line) for location in found] == [((workspace / "PLAN.md").as_uri(), 2)]
