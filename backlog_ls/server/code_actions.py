"""``textDocument/codeAction``: quick fixes, fix-all, task edits, selection edits, issue actions."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from .. import convert, fixes
from ..features import archive, issue_ref, renumber, split, tick
from ..features import move as move_features
from ..workspace import Document
from .core import BacklogServer
from .issue_commands import create_issue_actions, issue_state_actions
from . import workspace_navigation
from .running import guarded, when_parsed
from .task_commands import MOVE_TASK_COMMAND


def _on_code_action(ls: BacklogServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    # Also for a narrower "quickfix.*" request: every quick fix here is plain "quickfix".
    if _kind_wanted(types.CodeActionKind.QuickFix, wanted) or any(kind.startswith("quickfix") for kind in wanted or ()):
        for diagnostic in params.context.diagnostics:
            actions.extend(guarded("Quick fixes", lambda d=diagnostic: convert.quick_fixes(d, document.uri, document.version), []))
            actions.extend(guarded("Go to", lambda d=diagnostic: convert.go_to_related_actions(d), []))
    if wanted and _kind_wanted(convert.FIX_ALL_KIND, wanted):
        action = guarded("Fix all", lambda: _fix_all(ls, document), None)
        if action is not None:
            actions.append(action)
    refactor_wanted = _kind_wanted(types.CodeActionKind.RefactorRewrite, wanted)
    if refactor_wanted or _kind_wanted(types.CodeActionKind.QuickFix, wanted):  # it is one or the other
        create_issue = guarded("Create issue", lambda: create_issue_actions(ls, document, params), [])
        actions.extend(action for action in create_issue if _kind_wanted(action.kind, wanted))
        write_back = guarded("Issue state", lambda: issue_state_actions(ls, document, params), [])
        actions.extend(action for action in write_back if _kind_wanted(action.kind, wanted))
    if refactor_wanted:
        actions.extend(guarded("Task edits", lambda: _task_edit_actions(ls, document, params), []))
    if (wanted and _kind_wanted(convert.SELECTION_KIND, wanted)) or (
        not wanted and params.range.start.line != params.range.end.line
    ):
        actions.extend(guarded("Selection edits", lambda: _selection_actions(ls, document, params), []))
    return convert.offered_once(actions, document.uri, document.lines, ls.encoding)


def _kind_wanted(kind: str | None, wanted: Sequence[str] | None) -> bool:
    """Whether an action of ``kind`` answers a request for ``only`` = ``wanted``: a requested kind
    is a prefix of it ("refactor" asks for "refactor.rewrite"); no ``only`` asks for every kind."""
    if not wanted:
        return True
    kind = str(getattr(kind, "value", kind) or "")
    return any(kind.startswith(only) for only in wanted)


def _task_edit_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Tick / untick the task under the cursor."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    found = tick.tick_actions(document.backlog, line, settings)
    newline = next((end for end in document.text.ends if end), "\n")
    found += split.split_actions(document.backlog, line, newline)
    _, column = convert.from_position(params.range.start, document.lines, ls.encoding)
    at_cursor = split.split_at_cursor_action(document.backlog, line, column, newline)
    if at_cursor is not None:
        found.append(at_cursor)
    if not any(d.code == "BL101" and d.range.start.line == line for d in params.context.diagnostics):
        found += issue_ref.add_issue_actions(document.backlog, line)  # else missing-issue's quick fix offers it
    renumbering = renumber.renumber_actions(document.backlog, line) + renumber.renumber_phases_actions(document.backlog, line)
    found += archive.archive_actions(document.backlog, line, newline)
    found += move_features.move_actions(document.backlog, line, newline)
    actions = convert.edit_actions(found, document.uri, document.version, document.lines, ls.encoding)
    # Renumbering renames task IDs: their mentions in every file follow, in the same edit.
    actions += workspace_navigation.renumber_code_actions(ls, document, renumbering)
    if move_features.offers_command(document.backlog, line):
        title = move_features.COMMAND_TITLE
        arguments = [document.uri, line, document.version]
        command = types.Command(title=title, command=MOVE_TASK_COMMAND, arguments=arguments)
        actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite, command=command))
    return actions


def _selection_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Tick (or untick) every task in the selected lines."""
    first, last = params.range.start.line, params.range.end.line
    if last > first and params.range.end.character == 0:
        last -= 1  # a selection of whole lines ends at the start of the next one
    settings, _ = ls.settings.for_document(document)
    found = tick.selection_actions(document.backlog, first, last, settings)
    return convert.edit_actions(found, document.uri, document.version, document.lines, ls.encoding)


def _fix_all(ls: BacklogServer, document: Document) -> types.CodeAction | None:
    def find(text: str) -> list:
        return ls.findings_of_text(document, text)

    # Every pass `check --fix` makes, so that both leave the same text.
    edits = fixes.fix_all_edits(document.source, find, ls.findings(document))
    return convert.fix_all_action(edits, document.uri, document.version, document.lines, ls.encoding)


def register(server: BacklogServer) -> None:
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                convert.FIX_ALL_KIND,
                types.CodeActionKind.RefactorRewrite,
                convert.SELECTION_KIND,
            ]
        ),
    )(when_parsed(_on_code_action))
