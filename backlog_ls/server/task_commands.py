"""Task commands: toggle a task's state, move a task to another section (asking which)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .. import convert
from ..features import move as move_features
from ..features import tick
from .core import BacklogServer
from .running import show

TOGGLE_TASK_COMMAND = "backlog-ls.toggleTask"
MOVE_TASK_COMMAND = "backlog-ls.moveTask"


def _command_position(arguments: tuple[Any, ...]) -> tuple[str, int, int] | None:
    """``[uri, line, character]`` or ``[uri, {"line": .., "character": ..}]``."""
    try:
        uri = str(arguments[0])
        if len(arguments) >= 3:
            return uri, int(arguments[1]), int(arguments[2])
        position = arguments[1]
        if isinstance(position, dict):
            return uri, int(position["line"]), int(position.get("character", 0))
        return uri, int(position.line), int(position.character)
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return None


async def _toggle_task_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, position]``: move the task at the position to its next state (via workspace/applyEdit)."""
    found = _command_position(arguments)
    if found is None:
        show(ls, types.MessageType.Error, "toggleTask expects [uri, line, character] or [uri, position].")
        return None
    uri, line, _character = found  # the whole line is the task's: the column does not matter
    document = await ls.parsed_document(uri)
    if document is None:
        show(ls, types.MessageType.Warning, "cannot toggle a task: the document is not open.")
        return None
    if not 0 <= line < len(document.lines):
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    edit = tick.toggle_edit(document.backlog, line, settings)
    if edit is None:
        show(ls, types.MessageType.Info, f"line {line + 1} is not a task.")
        return {"applied": False}
    workspace_edit = convert.single_edit(uri, document.version, edit.span, edit.new_text, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label="Toggle task"))
    return {"applied": bool(getattr(result, "applied", False))}


async def _move_task_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version]``: ask which section (window/showMessageRequest), then move the task there.

    Nothing is edited when the client declines or the document is no longer at ``version``.
    """
    try:
        uri, line, version = str(arguments[0]), int(arguments[1]), arguments[2]
    except (IndexError, TypeError, ValueError):
        show(ls, types.MessageType.Error, "moveTask expects [uri, line, version].")
        return None
    document = await ls.parsed_document(uri)
    if document is None or document.version != version or not 0 <= line < len(document.lines):
        return {"applied": False}
    task = move_features.task_to_move(document.backlog, line)
    if task is None:
        return {"applied": False}
    choices: dict[str, Any] = {}
    for section in move_features.nearest_targets(document.backlog, task):
        choices.setdefault(section.title.strip(), section)
    if not choices:
        return {"applied": False}
    answer = await ls.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message="Move task to section:",
            actions=[types.MessageActionItem(title=title) for title in choices],
        )
    )
    target_title = getattr(answer, "title", None)
    document = await ls.parsed_document(uri)
    if target_title not in choices or document is None or document.version != version:
        return {"applied": False}
    # Same version, same text: the parsed backlog (and the chosen section) still hold.
    newline = next((end for end in document.text.ends if end), "\n")
    task = move_features.task_to_move(document.backlog, line)
    target = next((s for s in move_features.targets(document.backlog, task) if s.title.strip() == target_title), None)
    if task is None or target is None:
        return {"applied": False}
    edits = move_features.move_edits(document.backlog, task, target, newline)
    workspace_edit = convert.versioned_edits(uri, version, edits, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=workspace_edit, label=move_features.title_for(target))
    )
    return {"applied": bool(getattr(result, "applied", False))}


def register(server: BacklogServer) -> None:
    server.command(TOGGLE_TASK_COMMAND)(_toggle_task_command)
    server.command(MOVE_TASK_COMMAND)(_move_task_command)
