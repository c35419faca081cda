"""``textDocument/codeAction``: quick fixes, fix-all, task edits, selection edits, issue actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcInvalidParams

from .. import convert, fixes
from ..features import archive, issue_ref, renumber, split, tick
from ..features import move as move_features
from ..features.edits import Action
from ..model import Backlog
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
    pending: dict[int, convert.Pending] = {}  # the actions offered without their edit
    if refactor_wanted:
        actions.extend(guarded("Task edits", lambda: _task_edit_actions(ls, document, params, pending), []))
    if (wanted and _kind_wanted(convert.SELECTION_KIND, wanted)) or (
        not wanted and params.range.start.line != params.range.end.line
    ):
        actions.extend(guarded("Selection edits", lambda: _selection_actions(ls, document, params), []))
    return convert.offered_once(actions, document.uri, document.lines, ls.encoding, pending)


def _kind_wanted(kind: str | None, wanted: Sequence[str] | None) -> bool:
    """Whether an action of ``kind`` answers a request for ``only`` = ``wanted``: a requested kind
    is a prefix of it ("refactor" asks for "refactor.rewrite"); no ``only`` asks for every kind."""
    if not wanted:
        return True
    kind = str(getattr(kind, "value", kind) or "")
    return any(kind.startswith(only) for only in wanted)


def _task_edit_actions(
    ls: BacklogServer, document: Document, params: types.CodeActionParams, pending: dict[int, convert.Pending]
) -> list[types.CodeAction]:
    """Tick / untick the task under the cursor, and the other edits of its task or section."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    found = tick.tick_actions(document.backlog, line, settings)
    newline = _newline(document)
    found += split.split_actions(document.backlog, line, newline)
    _, column = convert.from_position(params.range.start, document.lines, ls.encoding)
    at_cursor = split.split_at_cursor_action(document.backlog, line, column, newline)
    if at_cursor is not None:
        found.append(at_cursor)
    if not any(d.code == "BL101" and d.range.start.line == line for d in params.context.diagnostics):
        found += issue_ref.add_issue_actions(document.backlog, line)  # else missing-issue's quick fix offers it
    actions = convert.edit_actions(found, document.uri, document.version, document.lines, ls.encoding)
    later = _resolves_edits(ls)
    for group, offer in _DEFERRED.items():
        for index, action in enumerate(offer(document.backlog, line, newline)):
            if not action.edits:
                continue
            if not later:
                actions.append(convert.edit_action(action, _edit(ls, document, group, action)))
                continue
            data = {"uri": document.uri, "version": document.version, "line": line, "group": group, "index": index, "title": action.title}
            offered = convert.deferred_action(action, data)
            eager = lambda group=group, action=action: convert.edit_action(action, _edit(ls, document, group, action))  # noqa: E731
            pending[id(offered)] = convert.Pending(offered, action.edits, eager)
            actions.append(offered)
    if move_features.offers_command(document.backlog, line):
        title = move_features.COMMAND_TITLE
        arguments = [document.uri, line, document.version]
        command = types.Command(title=title, command=MOVE_TASK_COMMAND, arguments=arguments)
        actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite, command=command))
    return actions


# The actions whose edit waits for ``codeAction/resolve`` when the client can resolve it: an edit
# that moves whole tasks or renames IDs in every file (the workspace index brought up to date with
# the document first) costs more than the list of actions a keystroke asks for. In the order the
# list offers them; each a pure feature of (backlog, line, newline).
_DEFERRED: dict[str, Callable[[Backlog, int, str], list[Action]]] = {
    "archive": archive.archive_actions,
    "move": move_features.move_actions,
    "renumber": lambda backlog, line, newline: renumber.renumber_actions(backlog, line),
    "phases": lambda backlog, line, newline: renumber.renumber_phases_actions(backlog, line),
}
# Renumbering renames task IDs: their mentions in every file follow, in the same edit.
_WORKSPACE_WIDE = frozenset({"renumber", "phases"})


def _edit(ls: BacklogServer, document: Document, group: str, action: Action) -> types.WorkspaceEdit | None:
    if group in _WORKSPACE_WIDE:
        return workspace_navigation.renumber_edit(ls, document, action)
    return convert.versioned_edits(document.uri, document.version, action.edits, document.lines, ls.encoding)


def _newline(document: Document) -> str:
    return next((end for end in document.text.ends if end), "\n")


def _resolves_edits(ls: BacklogServer) -> bool:
    """Whether the client resolves a code action's edit (``codeAction/resolve``), as VS Code and
    Neovim 0.11 do: then the costly edits wait until the user picks the action."""
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document is not None else None
    support = code_action.resolve_support if code_action is not None else None
    return support is not None and "edit" in support.properties


def offer_resolve(ls: BacklogServer) -> None:
    """At ``initialize``, before pygls announces the capabilities: a resolve provider only for a
    client that resolves edits (another client gets every edit in the list, as before)."""
    options = ls.protocol.fm.feature_options.get(types.TEXT_DOCUMENT_CODE_ACTION)
    if isinstance(options, types.CodeActionOptions) and _resolves_edits(ls):
        ls.protocol.fm.feature_options[types.TEXT_DOCUMENT_CODE_ACTION] = attrs.evolve(options, resolve_provider=True)


class _Stale(JsonRpcContentModified):
    """The document changed (or closed) since the action was offered: the client asks again."""


async def _on_resolve(ls: BacklogServer, action: types.CodeAction) -> types.CodeAction:
    """``codeAction/resolve``: the edit of an action offered without one, computed on the text it
    was offered for. A document that changed since answers ContentModified (as rust-analyzer's
    "stale code action"), never an edit computed for other text."""
    wanted = _Offered.from_data(action.data)
    if wanted is None:
        raise JsonRpcInvalidParams("This code action carries no backlog-ls data to resolve.")
    document = ls.documents.get(wanted.uri)
    if document is not None and document.version == wanted.version:
        document = await ls.parsed_document(wanted.uri)
    if document is None or document.version != wanted.version:
        raise _Stale("The document changed since this action was offered: ask for the code actions again.")
    offered = guarded("Resolve", lambda: _DEFERRED[wanted.group](document.backlog, wanted.line, _newline(document)), [])
    found = offered[wanted.index] if wanted.index < len(offered) else None
    if found is None or found.title != wanted.title or not found.edits:
        raise _Stale(f"'{wanted.title}' is no longer offered here: ask for the code actions again.")
    edit = guarded("Resolve", lambda: _edit(ls, document, wanted.group, found), None)
    return attrs.evolve(action, edit=edit)


@attrs.frozen
class _Offered:
    """Which action a ``deferred_action``'s data names: its document and version, the line it was
    asked for, and its place among its feature's actions there (with its title, to be sure)."""

    uri: str
    version: int | None
    line: int
    group: str
    index: int
    title: str

    @classmethod
    def from_data(cls, data: Any) -> _Offered | None:
        if not isinstance(data, dict):
            return None
        uri, version, line, group, index, title = (data.get(key) for key in ("uri", "version", "line", "group", "index", "title"))
        if not (isinstance(uri, str) and isinstance(title, str) and group in _DEFERRED):
            return None
        if not (version is None or _is_int(version)) or not (_is_int(line) and _is_int(index) and line >= 0 and index >= 0):
            return None
        return cls(uri, version, line, group, index, title)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    server.feature(types.CODE_ACTION_RESOLVE)(_on_resolve)
