"""The editor's fix-all (a source.fixAll code action) leaves exactly the text `backlog-ls check --fix`
writes: the same passes (a fix that makes room for another, a second pass), the same safe fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from backlog_ls.features.edits import apply_edits
from backlog_ls.model import Span
from backlog_ls.rules import Edit

from .conftest import SHARED
from .lsp_support import SERVER_COMMAND, RecordingClient, capabilities

# Two passes: each sibling moves to the first one's indentation only once the one above it has.
CRAFTED = "# Plan\n\n  - [ ] a 😀\nmore\n\n- [ ] b\n\n- [ ]c 解析\n"
FILES = ["corpus2/58-OlivierSohn--hamazed--BACKLOG.md", "corpus2/28-ThompsonA93--Devos-ETH-Net--TODO.md", "examples/001_5af4e7fbacbd400f.txt"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create))
async def client(lsp_client: RecordingClient):
    # utf-32: the positions are code points, as the model's spans are.
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", position_encodings=["utf-32"]))
    )
    yield
    await lsp_client.shut_down_session()


async def _editor_fix_all(client: RecordingClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.open(uri, text)
    await client.diagnostics_for_version(uri, 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    if not actions:
        return text
    (action,) = actions
    (document_edit,) = action.edit.document_changes
    assert document_edit.text_document.version == 1
    edits = [
        Edit(Span(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.new_text)
        for e in document_edit.edits
    ]
    return apply_edits(text, edits)


async def _same_as_check_fix(client: RecordingClient, tmp_path: Path, name: str, text: str, run) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    editor = await _editor_fix_all(client, path, text)
    run("check", "--fix", str(path))
    assert editor == path.read_bytes().decode("utf-8")
    return editor


async def test_the_editors_fix_all_runs_every_pass_check_fix_runs(client: RecordingClient, tmp_path: Path, run):
    fixed = await _same_as_check_fix(client, tmp_path, "BACKLOG.md", CRAFTED, run)
    assert fixed == "# Plan\n\n  - [ ] a 😀\nmore\n\n  - [ ] b\n\n  - [ ] c 解析\n"


@pytest.mark.shared("corpus2", "examples")
@pytest.mark.parametrize("name", FILES, ids=lambda name: name.split("/")[1][:30])
async def test_on_real_backlogs_the_editors_fix_all_equals_check_fix(client: RecordingClient, tmp_path: Path, run, name):
    text = (SHARED / name).read_bytes().decode("utf-8")
    fixed = await _same_as_check_fix(client, tmp_path, "BACKLOG.md", text, run)
    assert fixed != text
