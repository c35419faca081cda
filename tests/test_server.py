"""The language server, end to end through pytest-lsp, and the pure parts it stands on.

End-to-end tests assert what a user sees: a diagnostic's code, message and exact
range in the client's position encoding, the outline, the folds, and which
diagnostics arrive (pushed or pulled, never both, never an old version last).
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig

from backlog_ls import convert
from backlog_ls.config import Settings
from backlog_ls.features.folding import COMMENT, Fold, folding_ranges
from backlog_ls.features.symbols import BULLET, SECTION, TASK, document_symbols
from backlog_ls.model import Span
from backlog_ls.parse import parse_lines
from backlog_ls.rules import check
from backlog_ls.text import UTF8, UTF16, split_lines
from backlog_ls.workspace import Document, Workspace

from .lsp_support import (
    SERVER_COMMAND,
    TIMEOUT,
    RecordingClient,
    capabilities,
    edit,
    span_of,
)

URI = "file:///tmp/backlog.md"

# Line 1: a malformed checkbox. Line 2: a state nobody declared, written as an emoji,
# so the range's end differs in every encoding: "[🚀]" is 3 code points, 4 UTF-16
# units and 6 UTF-8 bytes. Line 0 has an emoji too, which must move nothing.
EMOJI_BACKLOG = "- 🚀 x\n- [ x] 😀 fix\n- [🚀] launch\n"
NOT_A_CHECKBOX = "'[ x]' is not a checkbox: write '[x]'."


def _config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, client_factory=RecordingClient.create)


async def _start(client: RecordingClient, caps: types.ClientCapabilities):
    client.initialize_result = await client.initialize_session(types.InitializeParams(capabilities=caps))


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: RecordingClient):
    """VS Code: UTF-16, pushed diagnostics, hierarchical symbols."""
    await _start(lsp_client, capabilities("visual-studio-code"))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def utf8_client(lsp_client: RecordingClient):
    """A client that offers UTF-8 positions only."""
    await _start(lsp_client, capabilities("visual-studio-code", position_encodings=["utf-8"]))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def neovim_client(lsp_client: RecordingClient):
    """Neovim 0.11: offers UTF-8 first, can pull diagnostics but cannot be asked to pull again."""
    await _start(lsp_client, capabilities("neovim"))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def static_pull_client(lsp_client: RecordingClient):
    """Neovim's capabilities plus diagnostic refresh: pulls, cannot register pull dynamically."""
    await _start(lsp_client, capabilities("neovim", pull_diagnostics=True, dynamic_pull_registration=False))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def pull_client(lsp_client: RecordingClient):
    """VS Code with pull diagnostics, which the server announces in its capabilities."""
    await _start(lsp_client, capabilities("visual-studio-code", pull_diagnostics=True))
    yield
    await lsp_client.shut_down_session()


@pytest_lsp.fixture(config=_config())
async def flat_client(lsp_client: RecordingClient):
    """A client without hierarchical document symbols."""
    await _start(lsp_client, capabilities("visual-studio-code", hierarchical_symbols=False))
    yield
    await lsp_client.shut_down_session()


async def _request(awaitable):
    return await asyncio.wait_for(awaitable, TIMEOUT)


def _symbols_request(client: RecordingClient, uri: str = URI):
    return _request(
        client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    )


def _pull(client: RecordingClient, previous: str | None = None, uri: str = URI):
    return _request(
        client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
            )
        )
    )


# --- initialize ---------------------------------------------------------------------------------


async def test_initialize_announces_incremental_sync_and_utf16(client: RecordingClient):
    result: types.InitializeResult = client.initialize_result
    caps = result.capabilities
    assert result.server_info is not None and result.server_info.name == "backlog-ls"
    assert caps.position_encoding == types.PositionEncodingKind.Utf16
    assert isinstance(caps.text_document_sync, types.TextDocumentSyncOptions)
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert caps.text_document_sync.open_close is True
    assert caps.document_symbol_provider
    assert caps.folding_range_provider
    # VS Code 1.65 does not pull: it must not be told about pull diagnostics at all.
    assert caps.diagnostic_provider is None


async def test_initialize_takes_utf8_when_offered(utf8_client: RecordingClient):
    assert utf8_client.initialize_result.capabilities.position_encoding == types.PositionEncodingKind.Utf8


# --- pushed diagnostics ---------------------------------------------------------------------------


async def test_diagnostics_after_an_emoji_in_utf16(client: RecordingClient):
    client.open(URI, EMOJI_BACKLOG)
    published = await client.diagnostics_for_version(URI, 1)

    assert published.version == 1
    assert [(d.code, d.message, span_of(d)) for d in published.diagnostics] == [
        ("BL201", NOT_A_CHECKBOX, (1, 2, 1, 6)),
        ("BL201", _unknown_state("🚀"), (2, 2, 2, 6)),
    ]
    malformed = published.diagnostics[0]
    assert malformed.severity == types.DiagnosticSeverity.Error
    assert malformed.source == "backlog-ls"
    # The fix travels with the diagnostic, already in the client's units.
    assert malformed.data["version"] == 1
    assert malformed.data["fixes"][0]["edits"] == [
        {"range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 6}}, "newText": "[x]"}
    ]


async def test_diagnostics_after_an_emoji_in_utf8(utf8_client: RecordingClient):
    utf8_client.open(URI, EMOJI_BACKLOG)
    published = await utf8_client.diagnostics_for_version(URI, 1)

    assert [(d.code, d.message, span_of(d)) for d in published.diagnostics] == [
        ("BL201", NOT_A_CHECKBOX, (1, 2, 1, 6)),
        ("BL201", _unknown_state("🚀"), (2, 2, 2, 8)),
    ]


async def test_incremental_changes_are_read_in_the_clients_units(client: RecordingClient):
    client.open(URI, "- [🚀] launch\n- [ ] 😀 ship\n")
    await client.diagnostics_for_version(URI, 1)

    # Replace the emoji (UTF-16 columns 3..5) with " x": "- [ x] launch". Read as code
    # points, 3..5 would eat the "]" as well and leave no checkbox to complain about.
    client.change(URI, 2, edit((0, 3), (0, 5), " x"))
    published = await client.diagnostics_for_version(URI, 2)
    assert published.version == 2
    assert [(d.message, span_of(d)) for d in published.diagnostics] == [(NOT_A_CHECKBOX, (0, 2, 0, 6))]

    # Split line 1 right after its emoji (UTF-16 column 8) and start a malformed task there.
    client.change(URI, 3, edit((1, 8), (1, 8), "\n- [ x]"))
    published = await client.diagnostics_for_version(URI, 3)
    assert published.version == 3
    assert [(d.message, span_of(d)) for d in published.diagnostics] == [
        (NOT_A_CHECKBOX, (0, 2, 0, 6)),
        (NOT_A_CHECKBOX, (2, 2, 2, 6)),
    ]
    outline = await _symbols_request(client)
    assert [(s.name, s.detail) for s in outline] == [("😀", "open")]


async def test_several_changes_in_one_notification_apply_in_order(client: RecordingClient):
    client.open(URI, "- [ ] a\n")
    await client.diagnostics_for_version(URI, 1)
    client.change(
        URI,
        2,
        edit((0, 7), (0, 7), "\n- 🚀 b"),  # "- [ ] a\n- 🚀 b\n"
        edit((1, 4), (1, 4), " [ x]"),  # after the emoji (UTF-16 4): "- 🚀 [ x] b"
        edit((1, 0), (1, 4), "- [ x]"),  # "- 🚀" -> "- [ x]": "- [ x] [ x] b"
    )
    published = await client.diagnostics_for_version(URI, 2)
    assert [(d.message, span_of(d)) for d in published.diagnostics] == [(NOT_A_CHECKBOX, (1, 2, 1, 6))]


async def test_a_burst_of_edits_publishes_once_for_the_newest_version(client: RecordingClient):
    client.open(URI, "- [ ] a\n")
    await client.diagnostics_for_version(URI, 1)
    before = len(client.published_for(URI))

    for version in range(2, 12):
        client.change(URI, version, edit((0, 7 + version - 2), (0, 7 + version - 2), "x"))
    client.change(URI, 12, edit((0, 2), (0, 5), "[ x]"))  # the newest text has a problem
    last = await client.diagnostics_for_version(URI, 12)
    await client.quiet_for(0.2)

    burst = client.published_for(URI)[before:]
    versions = [p.version for p in burst]
    assert versions == sorted(versions), "an older version was published after a newer one"
    assert burst[-1] is last and last.version == 12
    assert len(burst) < 11, f"the burst was not coalesced: {versions}"
    assert [span_of(d) for d in last.diagnostics] == [(0, 2, 0, 6)]


async def test_full_text_change_replaces_the_document(client: RecordingClient):
    client.open(URI, "- [ ] fine\n")
    published = await client.diagnostics_for_version(URI, 1)
    assert list(published.diagnostics) == []
    client.change(URI, 2, types.TextDocumentContentChangeWholeDocument(text="# T\n\n-[ ] broken\n"))
    published = await client.diagnostics_for_version(URI, 2)
    assert [(d.code, span_of(d)) for d in published.diagnostics] == [("BL201", (2, 0, 2, 4))]


async def test_close_clears_the_diagnostics(client: RecordingClient):
    client.open(URI, EMOJI_BACKLOG)
    await client.diagnostics_for_version(URI, 1)
    count = len(client.published_for(URI))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    await client.wait_until(lambda: len(client.published_for(URI)) > count)
    assert list(client.published_for(URI)[-1].diagnostics) == []
    # The document is forgotten: no outline for it any more.
    assert await _symbols_request(client) is None


# --- outline and folding --------------------------------------------------------------------------

OUTLINE_BACKLOG = """\
- [ ] before any heading

# Phase 1: Alpha

- [x] Done thing
  - [ ] open child
  - a note
    - [~] deep custom
  - prose only
- [ ] Second

## 1.1 Details

- [ ] inner

# Phase 2
Text only.
"""


async def test_document_symbols_nest_sections_and_task_trees(client: RecordingClient):
    client.open(URI, OUTLINE_BACKLOG)
    outline = await _symbols_request(client)

    def tree(symbols):
        return [(s.name, s.kind, s.detail, tree(s.children or [])) for s in symbols]

    Namespace, Boolean, String = types.SymbolKind.Namespace, types.SymbolKind.Boolean, types.SymbolKind.String
    assert tree(outline) == [
        ("before any heading", Boolean, "open", []),
        (
            "Phase 1: Alpha",
            Namespace,
            "1/5 done",
            [
                (
                    "Done thing",
                    Boolean,
                    "done",
                    [
                        ("open child", Boolean, "open", []),
                        ("a note", String, None, [("deep custom", Boolean, "in progress", [])]),
                    ],
                ),
                ("Second", Boolean, "open", []),
                ("1.1 Details", Namespace, "0/1 done", [("inner", Boolean, "open", [])]),
            ],
        ),
        ("Phase 2", Namespace, None, []),
    ]
    phase_1 = outline[1]
    assert (phase_1.range.start.line, phase_1.range.end.line) == (2, 13)
    assert (phase_1.selection_range.start.character, phase_1.selection_range.end.character) == (2, 16)
    done_thing = phase_1.children[0]
    assert (done_thing.range.start.line, done_thing.range.end.line) == (4, 8)
    assert (done_thing.selection_range.start.character, done_thing.selection_range.end.character) == (6, 16)


async def test_outline_and_folds_follow_edits(client: RecordingClient):
    client.open(URI, "# A\n- [ ] one\n  - [ ] two\n")
    first = await _symbols_request(client)
    assert [c.name for c in first[0].children] == ["one"]
    assert await _symbols_request(client) == first  # asked again, same snapshot

    client.change(URI, 2, edit((1, 6), (1, 9), "first"), edit((3, 0), (3, 0), "- [x] three\n"))
    second = await _symbols_request(client)
    assert [(c.name, c.detail) for c in second[0].children] == [("first", "open"), ("three", "done")]
    assert second[0].detail == "1/3 done"
    folds = await _request(
        client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
    )
    assert [(f.start_line, f.end_line) for f in folds] == [(0, 3), (1, 2)]


async def test_document_symbol_ranges_use_the_client_encoding(utf8_client: RecordingClient):
    utf8_client.open(URI, "# 🚀 Launch\n\n- [ ] 😀 smile\n")
    outline = await _symbols_request(utf8_client)
    section = outline[0]
    assert section.name == "🚀 Launch"
    assert span_of(section.selection_range) == (0, 2, 0, 13)
    task = section.children[0]
    assert task.name == "😀 smile"
    assert (task.range.end.line, task.range.end.character) == (2, 16)


async def test_flat_symbols_for_clients_without_hierarchy(flat_client: RecordingClient):
    flat_client.open(URI, OUTLINE_BACKLOG)
    outline = await _symbols_request(flat_client)
    assert all(isinstance(s, types.SymbolInformation) for s in outline)
    assert [(s.name, s.container_name) for s in outline][:4] == [
        ("before any heading", None),
        ("Phase 1: Alpha", None),
        ("Done thing", "Phase 1: Alpha"),
        ("open child", "Done thing"),
    ]


async def test_folding_ranges(client: RecordingClient):
    text = "---\ntitle: x\n---\n# A\n\n- [ ] t\n  - [ ] u\n\n```\ncode\n```\n<!--\nnote\n-->\n# B\none line\n"
    client.open(URI, text)
    folds = await _request(
        client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
    )
    assert [(f.start_line, f.end_line, f.kind) for f in folds] == [
        (0, 2, None),  # front matter
        (3, 13, None),  # section A
        (5, 6, None),  # the task tree
        (8, 10, None),  # the code fence
        (11, 13, types.FoldingRangeKind.Comment),  # the HTML comment
        (14, 15, None),  # section B
    ]


# --- pulled diagnostics ---------------------------------------------------------------------------


async def test_a_client_that_pulls_but_cannot_refresh_gets_pushed_diagnostics(neovim_client: RecordingClient):
    # Neovim 0.10+ pulls but has no workspace/diagnostic/refresh: tracker data arriving after its
    # first pull would stay unseen until the user typed. So the server pushes, and offers no pull.
    caps = neovim_client.initialize_result.capabilities
    assert caps.diagnostic_provider is None
    assert caps.position_encoding == types.PositionEncodingKind.Utf8  # Neovim's first choice
    neovim_client.open(URI, EMOJI_BACKLOG)
    published = await neovim_client.diagnostics_for_version(URI, 1)
    assert [(d.code, span_of(d)) for d in published.diagnostics] == [("BL201", (1, 2, 1, 6)), ("BL201", (2, 2, 2, 8))]
    await neovim_client.quiet_for(0.2)  # time for a (wrong) dynamic registration to arrive
    assert not any(r.method == types.TEXT_DOCUMENT_DIAGNOSTIC for r in neovim_client.registrations)


async def test_a_pull_client_registered_statically_gets_no_pushes(static_pull_client: RecordingClient):
    neovim_client = static_pull_client
    caps = neovim_client.initialize_result.capabilities
    assert caps.diagnostic_provider is not None

    neovim_client.open(URI, EMOJI_BACKLOG)
    report = await _pull(neovim_client)
    assert report.kind == "full"
    assert [(d.code, span_of(d)) for d in report.items] == [("BL201", (1, 2, 1, 6)), ("BL201", (2, 2, 2, 8))]

    again = await _pull(neovim_client, previous=report.result_id)
    assert again.kind == "unchanged" and again.result_id == report.result_id

    neovim_client.change(URI, 2, edit((1, 2), (1, 6), "[x]"))
    fixed = await _pull(neovim_client, previous=report.result_id)
    assert fixed.kind == "full" and fixed.result_id != report.result_id
    assert [span_of(d) for d in fixed.items] == [(2, 2, 2, 8)]

    await neovim_client.quiet_for(0.2)
    assert neovim_client.published == []


async def test_a_pull_client_is_offered_pull_in_the_initialize_result_and_gets_no_pushes(pull_client: RecordingClient):
    # In the capabilities, not registered after `initialized`: the client can pull right after its didOpen.
    assert pull_client.initialize_result.capabilities.diagnostic_provider.identifier == "backlog-ls"
    await pull_client.wait_until(lambda: pull_client.registrations)
    # Registered: only the watch on configuration files (the client declares it can watch).
    assert [r.method for r in pull_client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

    pull_client.open(URI, EMOJI_BACKLOG)
    report = await _pull(pull_client)
    assert [(d.code, d.message, span_of(d)) for d in report.items][0] == ("BL201", NOT_A_CHECKBOX, (1, 2, 1, 6))

    pull_client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    await pull_client.quiet_for(0.2)
    assert pull_client.published == []


async def test_a_pull_after_every_key_of_a_burst_is_answered_for_the_last_key_and_the_older_ones_cancelled(
    pull_client: RecordingClient,
):
    pull_client.open(URI, EMOJI_BACKLOG)
    await _pull(pull_client)
    pulls = []
    for version, key in enumerate("abcdefghij", start=2):
        pull_client.change(URI, version, edit((0, 0), (0, 0), key))
        pulls.append(asyncio.ensure_future(_pull(pull_client)))

    answers = await asyncio.gather(*pulls, return_exceptions=True)

    *older, last = answers
    assert last.kind == "full"
    assert [(d.code, span_of(d)) for d in last.items] == [("BL201", (1, 2, 1, 6)), ("BL201", (2, 2, 2, 6))]  # UTF-16
    cancelled = [answer for answer in older if isinstance(answer, Exception)]
    assert cancelled, "every pull was checked: nothing coalesced"
    assert [(error.code, error.data) for error in cancelled] == [(-32802, {"retriggerRequest": False})] * len(cancelled)


async def test_shutdown_and_exit(client: RecordingClient):
    client.open(URI, EMOJI_BACKLOG)
    await client.diagnostics_for_version(URI, 1)
    await client.shut_down_session()
    assert client._server is not None and client._server.returncode == 0


# --- workspace: edits in code points --------------------------------------------------------------

EDIT_BASE = "# Phase 1 🚀\n\n- [ ] one\n  - [x] nested\n- [ ] two\r\n\n## Sub\n\n- [ ] three\n"


@pytest.mark.parametrize(
    ("start", "end", "new_text"),
    [
        ((2, 9), (2, 9), "!"),  # type in a task
        ((2, 0), (2, 0), "- [ x] new\n"),  # add a malformed task above
        ((3, 0), (5, 0), ""),  # delete lines, across a CRLF
        ((0, 10), (0, 11), "😀 more"),  # replace the emoji in the heading
        ((6, 0), (6, 0), "Setext\n------\n"),  # a setext heading before a heading
        ((2, 9), (2, 9), "\r"),  # "\r" before the "\n" already there: one CRLF, not two breaks
        ((8, 11), (99, 0), "\n\n```\n- [ ] in code\n"),  # past the end: clamped, an open fence
        ((0, 0), (99, 0), "fresh"),  # replace everything
    ],
)
def test_apply_change_equals_a_fresh_parse(start, end, new_text):
    document = Document(URI, EDIT_BASE, 1)
    expected_text = _apply(EDIT_BASE, start, end, new_text)

    document.apply_change(start, end, new_text)

    assert document.source == expected_text
    assert document.backlog == parse_lines(split_lines(expected_text)[0])


def test_each_edit_gives_a_new_revision_and_keeps_old_snapshots_intact():
    document = Document(URI, EDIT_BASE, 1)
    before, revision = document.backlog, document.revision
    old_lines = list(before.lines)

    document.apply_change((2, 0), (2, 0), "inserted\n")

    assert document.revision > revision
    assert list(before.lines) == old_lines  # a snapshot does not move under its blocks
    assert document.lines[2] == "inserted"


def test_replace_all_reparses():
    document = Document(URI, EDIT_BASE, 1)
    document.replace_all("- [ x] a\n")
    assert document.backlog == parse_lines(["- [ x] a", ""])
    assert [p.code for p in document.backlog.problems] == ["checkbox-malformed"]


def test_a_parser_crash_keeps_the_document_as_text(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("parser bug")

    import backlog_ls.parse

    # The workspace imports the parser on first use, so the functions are replaced where they live.
    monkeypatch.setattr(backlog_ls.parse, "parse_lines", explode)
    monkeypatch.setattr(backlog_ls.parse, "reparse", explode)
    document = Document(URI, "- [ ] a\n", 1)
    document.apply_change((0, 7), (0, 7), "b")
    assert document.source == "- [ ] ab\n"
    assert document.backlog.blocks == () and list(document.lines) == ["- [ ] ab", ""]


def test_workspace_maps_uris_to_documents():
    documents = Workspace()
    opened = documents.open(URI, "text", 3)
    assert documents.get(URI) is opened and URI in documents and len(documents) == 1
    assert documents.close(URI) is opened
    assert documents.get(URI) is None and documents.close(URI) is None


def _apply(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str) -> str:
    """The reference edit, on the whole string."""
    lines, ends = split_lines(text)

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        if line >= len(lines):
            return len(text)
        return sum(len(lines[i]) + len(ends[i]) for i in range(line)) + min(column, len(lines[line]))

    return text[: offset(start)] + new_text + text[offset(end) :]


# --- symbols and folding as plain values ----------------------------------------------------------


def _parse(text: str):
    return parse_lines(split_lines(text)[0])


def test_symbols_keep_bullets_only_when_tasks_hang_below():
    found = document_symbols(_parse("- plain\n- group\n  - [ ] task\n  - note\n"))
    assert [(s.name, s.kind, [c.name for c in s.children]) for s in found] == [("group", BULLET, ["task"])]
    task = found[0].children[0]
    assert (task.kind, task.detail, task.span, task.selection_span) == (
        TASK,
        "open",
        Span(2, 2, 2, 12),
        Span(2, 8, 2, 12),
    )


def test_symbols_name_empty_things():
    found = document_symbols(_parse("#\n\n- [ ]\n"))
    assert [(s.name, s.kind) for s in found] == [("(untitled section)", SECTION)]
    assert [(s.name, s.detail, s.selection_span) for s in found[0].children] == [
        ("(empty task)", "open", Span(2, 0, 2, 5))
    ]


def test_section_progress_counts_subsections():
    found = document_symbols(_parse("# A\n- [x] a\n## B\n- [X] b\n- [ ] c\n### C\nno tasks\n"))
    a = found[0]
    b = a.children[1]
    assert (a.detail, b.detail, b.children[2].name, b.children[2].detail) == ("2/3 done", "1/2 done", "C", None)


def test_folds_of_a_small_backlog():
    text = "# A\n- [ ] t\n  - [ ] u\n    - [ ] v\n\n<div>\nx\n</div>\n\n    indented\n    code\n"
    assert folding_ranges(_parse(text)) == [
        Fold(0, 10),  # the section
        Fold(1, 3),  # the task tree
        Fold(2, 3),  # the subtree
        Fold(5, 7),  # the HTML block
        Fold(9, 10),  # the indented code
    ]
    assert folding_ranges(_parse("<!-- a\nb -->\n"))[0].kind == COMMENT


# --- conversion -----------------------------------------------------------------------------------


def test_ranges_and_positions_in_each_encoding():
    lines = ["a😀b", "plain"]
    span = Span(0, 2, 1, 3)
    assert span_of(convert.to_range(span, lines, UTF16)) == (0, 3, 1, 3)
    assert span_of(convert.to_range(span, lines, UTF8)) == (0, 5, 1, 3)
    assert convert.diagnostic_json(_finding(span), lines, UTF8, 1)["range"] == {
        "start": {"line": 0, "character": 5},
        "end": {"line": 1, "character": 3},
    }
    assert convert.from_position(types.Position(0, 3), lines, UTF16) == (0, 2)
    assert convert.from_position(types.Position(0, 5), lines, UTF8) == (0, 2)
    assert convert.from_position(types.Position(7, 4), lines, UTF16) == (7, 4)  # clamped by the caller


def test_bulk_answers_are_valid_protocol_json():
    backlog = _parse(OUTLINE_BACKLOG)
    converter = default_converter()
    symbols_json = convert.document_symbols_json(document_symbols(backlog), backlog.lines, UTF16)
    structured = converter.structure(symbols_json, list[types.DocumentSymbol])
    assert converter.unstructure(structured) == symbols_json
    flat_json = convert.symbol_information_json(document_symbols(backlog), URI, backlog.lines, UTF16)
    assert converter.unstructure(converter.structure(flat_json, list[types.SymbolInformation])) == flat_json
    findings = [_finding(Span(3, 0, 3, 5))]
    diagnostics_json = [convert.diagnostic_json(f, backlog.lines, UTF16, 7) for f in findings]
    assert converter.unstructure(converter.structure(diagnostics_json, list[types.Diagnostic])) == diagnostics_json
    folds_json = convert.folding_ranges_json(folding_ranges(backlog), limit=2)
    assert converter.unstructure(converter.structure(folds_json, list[types.FoldingRange])) == folds_json
    assert len(folds_json) == 2


def test_a_failing_check_yields_no_findings_instead_of_an_error(monkeypatch, caplog):
    from backlog_ls import rules, server

    def explode(*args, **kwargs):
        raise RuntimeError("rule engine bug")

    monkeypatch.setattr(rules, "check", explode)
    inputs = server.CheckInputs(Settings(), None, None, None, "utf-16")
    assert server.findings_for(None, Document(URI, "- [ x] a\n", 1).backlog, inputs, None) == []
    assert "rule engine bug" in caplog.text


def _finding(span: Span):
    from backlog_ls.rules import Finding

    return Finding("malformed-task", "BL201", "error", span, "message")


def _unknown_state(state: str) -> str:
    return (
        f"Unknown checkbox state '[{state}]': use '[ ]' or '[x]', "
        'or declare it in the configuration (states = { "' + state + '" = "..." }).'
    )


def test_a_finding_s_related_lines_become_related_information():
    text = "- [x] T1 Port it 😀\n- [x] T2 Ship\n\n## Again\n- [ ] T1 Port it 😀\n- [ ] T2 Ship\n"
    backlog = _parse(text)
    (finding,) = [f for f in check(backlog) if f.code == "BL104"]
    diagnostic = convert.diagnostic_json(finding, backlog.lines, UTF16, 3, URI)
    assert default_converter().structure(diagnostic, types.Diagnostic).related_information is not None
    assert [(r["location"]["uri"], r["location"]["range"]["start"], r["message"]) for r in diagnostic["relatedInformation"]] == [
        (URI, {"line": 5, "character": 6}, "T2 is done on line 2 but open here."),
        (URI, {"line": 0, "character": 2}, "First listed here (T1)."),
        (URI, {"line": 1, "character": 2}, "First listed here (T2)."),
    ]


def test_the_outline_names_states_by_meaning_and_counts_a_cancelled_task_out():
    from backlog_ls.config import Settings

    backlog = _parse("# A\n- [x] a\n- [-] dropped\n- [~] b\n- [+] c\n")
    (section,) = document_symbols(backlog, Settings(states={"+": "in review"}))
    assert section.detail == "1/3 done"
    assert [s.detail for s in section.children] == ["done", "cancelled", "in progress", "in review"]
