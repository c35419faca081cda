"""RFCs through the language server, end to end: diagnostics, completion, hover, links, definition, file watching."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import attrs
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ..lsp_support import SERVER_COMMAND, RecordingClient, capabilities, span_of
from .index_server import IndexServer, index_text
from .workspace import PLAN, make_workspace


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient, workspace: Path):
    root = workspace.parent.parent.parent
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities("visual-studio-code", pull_diagnostics=False),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
        )
    )
    yield
    await lsp_client.shut_down_session()


def _codes(client: RecordingClient, uri: str) -> list[str]:
    return [str(d.code) for d in client.diagnostics.get(uri, [])]


async def _open_and_wait_for_the_scan(client: RecordingClient, path: Path) -> str:
    """Open the plan and wait until its diagnostics include what needs the scanned RFC folder."""
    uri = path.as_uri()
    client.open(uri, path.read_text(encoding="utf-8"))
    await client.wait_until(lambda: "BL403" in _codes(client, uri))
    return uri


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return types.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(needle)


def _apply(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")
    start, end = edit.range.start, edit.range.end
    assert start.line == end.line
    line = lines[start.line]
    lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "\n".join(lines)


async def test_capabilities(client: RecordingClient):
    server = client.initialize_result.capabilities

    assert set(server.completion_provider.trigger_characters) >= {" ", "-", "#", "/", "("}
    assert server.document_link_provider is not None
    assert server.definition_provider
    await client.wait_until(lambda: any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations))
    (watch,) = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert "**/{rfc,rfcs,text}/*.{md,markdown}" in [w["globPattern"] for w in watch.register_options["watchers"]]


async def test_duplicate_numbers_are_reported(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)

    found = [d for d in client.diagnostics[uri] if d.code == "BL403"]

    assert [(span_of(d), d.message) for d in found] == [
        (
            (21, 9, 21, 69),
            "RFC 0068 names two documents: '../rfcs/0068-dependency-management.md' (line 14) and '../rfcs/0068-cnb-library.md'.",
        ),
        (
            (25, 9, 25, 81),
            "RFC 0069 names two documents: '../rfcs/0069-host-first-execution.md' (line 18) and '../rfcs/0069-rust-cnb-launcher.md'.",
        ),
    ]


async def test_completion_after_the_bold_rfc_label_inserts_a_relative_link(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)
    last = len(PLAN.split("\n")) - 2  # "**RFC**: "

    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=last, character=9),
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character=" "),
        )
    )

    assert [item.label for item in found.items] == [
        "RFC 0026: Configuration Hierarchy",
        "RFC 0068: CNB Library",
        "RFC 0068: Dependency Management",
        "RFC 0069: Host-First Execution",
        "RFC 0069: Rust CNB Launcher",
        "RFC 0093: Proxy Lazy Loading",
        "RFC 0100: unclosed",
        "RFC 0102: Caf\ufffd menu",
    ]
    item = found.items[5]
    assert item.kind == types.CompletionItemKind.File and item.detail == "Implemented"
    assert _apply(PLAN, item.text_edit).split("\n")[last] == (
        "**RFC**: [docs/rfcs/0093-proxy-lazy-loading.md](../rfcs/0093-proxy-lazy-loading.md)"
    )


async def test_completion_of_ietf_rfcs_by_number(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)
    client.change(uri, 2, types.TextDocumentContentChangeWholeDocument(text=PLAN + "Answer as RFC 237"))
    await client.diagnostics_for_version(uri, 2)
    line = len(PLAN.split("\n")) - 1

    found = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 17))
    )

    labels = {item.label: item for item in found.items}
    assert labels["RFC 2378"].detail == "The CCSO Nameserver (Ph) Architecture"
    assert span_of(labels["RFC 2378"].text_edit.range) == (line, 14, line, 17)
    assert labels["RFC 2378"].text_edit.new_text == "2378"


async def test_hover_on_rfc_2378(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)
    position = _position(PLAN, "RFC 2378", 4)

    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )

    assert found.contents.kind == types.MarkupKind.Markdown
    assert found.contents.value.startswith("**RFC 2378**: The CCSO Nameserver (Ph) Architecture\n\nR. Hedberg, P. Pomes")
    assert "https://www.rfc-editor.org/rfc/rfc2378" in found.contents.value
    assert span_of(found.range) == (position.line, position.character - 4, position.line, position.character + 4)


async def test_hover_on_a_project_rfc(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)

    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PLAN, "0026-conf", 2))
    )

    assert found.contents.value.startswith("**RFC 0026**: Configuration Hierarchy\n\nStatus: **Accepted**")
    assert found.contents.value.endswith("`docs/rfcs/0026-configuration-hierarchy.md`")


async def test_definition_opens_the_rfc_file(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)

    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PLAN, "0026-conf", 2))
    )

    (location,) = found
    assert location.uri == (workspace.parent.parent / "rfcs" / "0026-configuration-hierarchy.md").as_uri()
    assert span_of(location.range) == (0, 0, 0, 0)
    nothing = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PLAN, "RFC 2378", 2))
    )
    assert not nothing


async def test_document_links(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)

    found = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )

    by_target = {link.target: link for link in found}
    ph = by_target["https://www.rfc-editor.org/rfc/rfc2378"]
    position = _position(PLAN, "RFC 2378")
    assert span_of(ph.range) == (position.line, position.character, position.line, position.character + 8)
    assert ph.tooltip == "RFC 2378: The CCSO Nameserver (Ph) Architecture"
    rfc_file = (workspace.parent.parent / "rfcs" / "0026-configuration-hierarchy.md").as_uri()
    # The relative link to the project RFC is a file link too: it comes once, as the RFC's link (its title).
    (rfc_link,) = [link for link in found if link.target == rfc_file]
    assert rfc_link.tooltip == "RFC 0026: Configuration Hierarchy"
    spans = [span_of(link.range) for link in found]
    assert len(spans) == len(set(spans))


async def test_a_new_rfc_file_is_seen_after_a_watched_file_change(client: RecordingClient, workspace: Path):
    uri = await _open_and_wait_for_the_scan(client, workspace)
    new = workspace.parent.parent / "rfcs" / "0105-tracing.md"
    new.write_text("# Tracing\n\nStatus: Draft\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)])
    )
    last = len(PLAN.split("\n")) - 2

    async def labels() -> list[str]:
        found = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(last, 9))
        )
        return [item.label for item in found.items]

    for _ in range(200):
        if "RFC 0105: Tracing" in await labels():
            break
        await client.quiet_for(0.02)
    assert "RFC 0105: Tracing" in await labels()


async def test_a_missing_rfc_number_is_reported_and_a_binary_file_breaks_nothing(client: RecordingClient, workspace: Path):
    uri = workspace.as_uri()
    text = PLAN + "- [ ] RFC 0094 and RFC 0101\n"
    client.open(uri, text)

    await client.wait_until(lambda: "BL402" in _codes(client, uri))

    # 0101 is a binary file, not an RFC: it is skipped, and the number counts as missing.
    found = [(span_of(d), d.message) for d in client.diagnostics[uri] if d.code == "BL402"]
    line = len(text.split("\n")) - 2
    assert found == [
        ((line, 6, line, 14), "No project RFC 0094: docs/rfcs/ has no file numbered 94."),
        ((line, 19, line, 27), "No project RFC 0101: docs/rfcs/ has no file numbered 101."),
    ]


@pytest_lsp.fixture(config=_config())
async def pull_client(lsp_client: RecordingClient, workspace: Path):
    """VS Code pulling diagnostics, with only the plan's folder open (as lspbench does)."""
    folder = workspace.parent
    found = capabilities("visual-studio-code", pull_diagnostics=True)
    refresh = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    found = attrs.evolve(found, workspace=attrs.evolve(found.workspace, diagnostics=refresh))
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=found,
            root_uri=folder.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="agent-context")],
        )
    )
    yield
    await lsp_client.shut_down_session()


async def test_pull_clients_are_asked_to_pull_again_once_the_rfc_folder_is_read(pull_client: RecordingClient, workspace: Path):
    client = pull_client
    uri = workspace.as_uri()
    text = PLAN + "- [ ] RFC 0094\n"
    assert client.initialize_result.capabilities.diagnostic_provider is not None  # pull, from the start
    client.open(uri, text)

    async def codes() -> list[str]:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        return [str(d.code) for d in report.items]

    # The workspace folder is docs/agent-context: the RFC folder is found above it, in the background,
    # and the client is asked to pull again (as VS Code does on a refresh, this client pulls until it shows).
    # The first pull may already show it: the document is checked (and the folder looked for) from didOpen on.
    await codes()
    for _ in range(250):
        if client.diagnostic_refresh_count and "BL402" in await codes():
            break
        await client.quiet_for(0.02)
    assert client.diagnostic_refresh_count >= 1
    assert "BL402" in await codes()


async def test_the_examples_hover_in_000_and_duplicates_in_002(client: RecordingClient, workspace: Path, example_text):
    ph = example_text("000_d75c51bba9a042cf")
    ph_path = workspace.parent.parent.parent / "ph-plan.md"
    ph_path.write_text(ph, encoding="utf-8")
    client.open(ph_path.as_uri(), ph)
    position = _position(ph, "RFC 2378", 2)

    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=ph_path.as_uri()), position=position)
    )

    assert "The CCSO Nameserver (Ph) Architecture" in found.contents.value

    plan = example_text("002_1b7ec6140be80cd5")
    workspace.write_text(plan, encoding="utf-8")
    client.open(workspace.as_uri(), plan)
    await client.wait_until(lambda: len([d for d in client.diagnostics.get(workspace.as_uri(), []) if d.code == "BL403"]) == 2)

    duplicates = [d for d in client.diagnostics[workspace.as_uri()] if d.code == "BL403"]
    assert [(d.range.start.line + 1, d.message.split(":")[0]) for d in duplicates] == [
        (504, "RFC 0068 names two documents"),
        (513, "RFC 0069 names two documents"),
    ]


# --- the optional IETF index refresh, from a local server -------------------------------------------

def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_REFRESH_PORT = _port()
_REFRESH_CACHE = tempfile.mkdtemp(prefix="backlog-ls-cache-")
atexit.register(shutil.rmtree, _REFRESH_CACHE, True)
_REFRESH_ENV = {
    **os.environ,
    "BACKLOG_LS_RFC_INDEX_URL": f"http://127.0.0.1:{_REFRESH_PORT}/rfc-index.txt",
    "BACKLOG_LS_CACHE_DIR": _REFRESH_CACHE,
}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create, server_env=_REFRESH_ENV)
)
async def refreshing_client(lsp_client: RecordingClient):
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities("visual-studio-code", pull_diagnostics=False),
            initialization_options={"backlogLs": {"rfc": {"ietfRefresh": True}}},
        )
    )
    yield
    await lsp_client.shut_down_session()


async def test_with_ietf_refresh_a_newer_index_is_fetched_in_the_background(refreshing_client: RecordingClient, tmp_path: Path):
    client = refreshing_client
    with IndexServer(index_text(), port=_REFRESH_PORT) as server:
        path = tmp_path / "plan.md"
        text = "- [ ] Implement RFC 9999.\n"
        path.write_text(text, encoding="utf-8")
        client.open(path.as_uri(), text)

        async def hover_text() -> str:
            found = await client.text_document_hover_async(
                types.HoverParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()), position=types.Position(0, 17))
            )
            return found.contents.value

        for _ in range(500):
            if "A Test of the Refresh" in await hover_text():
                break
            await client.quiet_for(0.02)
        assert (await hover_text()).startswith("**RFC 9999**: A Test of the Refresh\n\nA. Tester · January 2030")
        assert server.requests == 1
    assert os.path.exists(os.path.join(_REFRESH_CACHE, "rfc-index.tsv.gz"))
