"""Issue tracker commands (create an issue, close or reopen one, file sub-issues, refresh) and the code actions that offer them."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from lsprotocol import types

from .. import convert
from ..features import issues as issue_features
from ..features import write_back
from ..workspace import Document
from .core import BacklogServer
from .running import show

logger = logging.getLogger(__name__)


CREATE_ISSUE_COMMAND = "backlog-ls.createIssue"
SET_ISSUE_STATE_COMMAND = "backlog-ls.setIssueState"
CREATE_SUB_ISSUES_COMMAND = "backlog-ls.createSubIssues"
REFRESH_ISSUES_COMMAND = "backlog-ls.refreshIssues"
ISSUE_FINDING_CODES = ("BL101", "BL102")  # missing-issue, placeholder-issue: filing the issue fixes them


def create_issue_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Create issue from task" on a task (under the cursor) that has a placeholder or no issue."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    new = issue_features.new_issue_for(document.backlog, line, settings.issues)
    if new is None:
        return []
    title = issue_features.CREATE_ISSUE_TITLE
    # On a missing-issue or placeholder finding it is that finding's fix: a quick fix listing it,
    # so editors offer it from the diagnostic (VS Code's hover, Problems panel).
    fixes = [d for d in params.context.diagnostics if d.code in ISSUE_FINDING_CODES and d.range.start.line <= line <= d.range.end.line]
    return [
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix if fixes else types.CodeActionKind.RefactorRewrite,
            diagnostics=fixes or None,
            command=types.Command(title=title, command=CREATE_ISSUE_COMMAND, arguments=[document.uri, line, document.version]),
        )
    ]


async def _create_issue_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line]``: file an issue from the task on ``line`` and write its number into the task."""
    try:
        uri, line = str(arguments[0]), int(arguments[1])
    except (IndexError, TypeError, ValueError):
        show(ls, types.MessageType.Error, "createIssue expects [uri, line].")
        return None
    document = await ls.parsed_document(uri)
    if document is None:
        show(ls, types.MessageType.Warning, "cannot create an issue: the document is not open.")
        return None
    source = ls.issues_for(document)
    create = getattr(source, "create_issue", None)
    if create is None:
        reason = (
            "no issue tracker is configured ([issues] in .backlog-ls.toml)"
            if source is None
            else "the configured issue source cannot file issues (an exported JSON file is read-only)"
        )
        show(ls, types.MessageType.Warning, f"cannot create an issue: {reason}.")
        return None
    settings, _ = ls.settings.for_document(document)
    new = issue_features.new_issue_for(document.backlog, line, settings.issues)
    if new is None:
        show(ls, types.MessageType.Warning, f"line {line + 1} is not a task without an issue.")
        return None
    try:
        created = await create(new.title, new.body)
    except Exception as error:
        logger.warning("Creating an issue failed", exc_info=True)
        show(ls, types.MessageType.Error, f"the tracker did not create the issue: {error}")
        return None
    issue = created if hasattr(created, "number") else issue_features.TrackerIssue(int(created), new.title, "open")
    ls.notify_issues_changed()
    document = await ls.parsed_document(uri)
    again = issue_features.new_issue_for(document.backlog, line, settings.issues) if document is not None else None
    if document is None or again is None or again.title != new.title:
        show(ls, types.MessageType.Info, f"created issue {issue.name}, but the task moved: add the reference by hand.")
        return {"number": issue.number, "url": issue.url}
    text = issue_features.new_reference_text(again, issue, source, document.backlog)
    edit = convert.single_edit(uri, document.version, again.span, text, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"Issue {issue.name}")
    )
    if not getattr(result, "applied", False):
        show(ls, types.MessageType.Warning, f"created issue {issue.name}, but the editor did not insert it.")
    return {"number": issue.number, "url": issue.url}


def issue_state_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Close issue #12", "Reopen issue #12", "Tick task and close its issue": offered, run only when picked."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    actions = []
    source = ls.issues_for(document)
    plan = write_back.sub_issue_plan(document.backlog, line, source, settings)
    if plan is not None:
        title = f"{write_back.SUB_ISSUES_TITLE} ({len(plan.subtasks)})"
        arguments = [document.uri, line, document.version]
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(title=title, command=CREATE_SUB_ISSUES_COMMAND, arguments=arguments),
            )
        )
    for change in write_back.state_changes(document.backlog, line, source, settings):
        fixes = [d for d in params.context.diagnostics if d.code == change.answers and d.range.start.line <= line <= d.range.end.line]
        arguments = [document.uri, line, document.version, change.name, change.action, change.reason]
        actions.append(
            types.CodeAction(
                title=change.title,
                kind=types.CodeActionKind.QuickFix if fixes else types.CodeActionKind.RefactorRewrite,
                diagnostics=fixes or None,
                command=types.Command(title=change.title, command=SET_ISSUE_STATE_COMMAND, arguments=arguments),
            )
        )
    return actions


def _unchanged(ls: BacklogServer, uri: str, version: Any) -> Document | None:
    """The open document still at ``version`` (what a code action's command was computed on); else None, said."""
    document = ls.documents.get(uri)
    if document is None or document.version != version:
        show(ls, types.MessageType.Warning, "the document changed: pick the action again.")
        return None
    return document


async def _set_issue_state_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version, name, action, reason]``: close or reopen the task's issue (asking first when
    the tracker may not undo it), then re-check at once; "tick-close" also ticks the task."""
    from ..providers.trackers.sources import change_issue_state

    try:
        uri, line, version, name, action = str(arguments[0]), int(arguments[1]), arguments[2], str(arguments[3]), str(arguments[4])
        reason = arguments[5] if len(arguments) > 5 and isinstance(arguments[5], str) else None
    except (IndexError, TypeError, ValueError):
        show(ls, types.MessageType.Error, "setIssueState expects [uri, line, version, issue, action, reason].")
        return {"applied": False}
    document = _unchanged(ls, uri, version)
    if document is None:
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    source = ls.issues_for(document)
    change = write_back.find_change(document.backlog, line, source, settings, name, action, reason)
    if change is None:
        show(ls, types.MessageType.Warning, f"{name}: this change no longer applies to the task on line {line + 1}.")
        return {"applied": False}
    if not write_back.reversible(source, change.project):
        answer = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Warning,
                message=write_back.confirmation(change),
                actions=[types.MessageActionItem(title=change.verb), types.MessageActionItem(title="Cancel")],
            )
        )
        if getattr(answer, "title", None) != change.verb:
            return {"applied": False}
    try:
        issue = await change_issue_state(source, change.project, change.number, change.closes, change.reason)
    except Exception as error:  # the tracker's refusal (no token, 403, read-only export) is the user's answer
        logger.info("Changing %s failed: %s", name, error)
        show(ls, types.MessageType.Error, f"cannot {change.verb.lower()}: {error}")
        return {"applied": False, "reason": str(error)}
    ls.notify_issues_changed()
    if change.tick is not None:
        document = ls.documents.get(uri)
        tick_edit = write_back.tick_edit(document.backlog, line) if document is not None and document.version == version else None
        if document is None or tick_edit is None:
            show(ls, types.MessageType.Info, f"closed {name}, but the task changed meanwhile: tick it by hand.")
            return {"applied": True, "state": issue.state, "ticked": False}
        workspace_edit = convert.single_edit(uri, document.version, tick_edit.span, tick_edit.new_text, document.lines, ls.encoding)
        result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label="Tick task"))
        return {"applied": True, "state": issue.state, "ticked": bool(getattr(result, "applied", False))}
    return {"applied": True, "state": issue.state}


async def _create_sub_issues_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version]``: file a GitHub sub-issue per open subtask without one; write their numbers in."""
    try:
        uri, line, version = str(arguments[0]), int(arguments[1]), arguments[2]
    except (IndexError, TypeError, ValueError):
        show(ls, types.MessageType.Error, "createSubIssues expects [uri, line, version].")
        return {"applied": False}
    document = _unchanged(ls, uri, version)
    if document is None:
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    source = ls.issues_for(document)
    plan = write_back.sub_issue_plan(document.backlog, line, source, settings)
    if plan is None:
        show(ls, types.MessageType.Warning, f"line {line + 1} has no open subtasks to file as sub-issues.")
        return {"applied": False}
    failure = None
    try:
        created = await source.create_sub_issues(plan.parent, [(new.title, new.body) for new in plan.subtasks])
    except Exception as error:  # what was filed before the failure is still written in
        created, failure = list(getattr(error, "created", [])), error
        show(ls, types.MessageType.Error, f"cannot create all sub-issues of #{plan.parent}: {error}")
    ls.notify_issues_changed()
    numbers = [issue.number for issue in created]
    document = ls.documents.get(uri)
    if not created or document is None or document.version != version:
        if created:
            show(ls, types.MessageType.Info, f"created {', '.join(f'#{n}' for n in numbers)}, but the document changed: add them by hand.")
        return {"applied": False, "numbers": numbers}
    edits = write_back.sub_issue_edits(plan, created, source, document.backlog)
    workspace_edit = convert.versioned_edits(uri, version, edits, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label=write_back.SUB_ISSUES_TITLE))
    return {"applied": bool(getattr(result, "applied", False)) and failure is None, "numbers": numbers}


async def _refresh_issues_command(ls: BacklogServer, *arguments: Any) -> Any:
    """Refresh every configured issue source that can (in the background of the user's work)."""
    for document in ls.documents:
        ls.issues_for(document)
    candidates = [ls.issues] if ls.issues is not None else list(ls._issue_sources.values())
    sources = [source for source in candidates if source is not None and hasattr(source, "refresh")]
    if not sources:
        reason = "no issue tracker is configured" if not any(candidates) else "the issue source cannot be refreshed"
        show(ls, types.MessageType.Warning, f"cannot refresh issues: {reason}.")
        return None
    window = ls.client_capabilities.window
    token = None
    if window is not None and window.work_done_progress:
        token = f"backlog-ls/refresh-issues/{uuid.uuid4()}"  # id() of a list is reused: pygls refuses a token twice
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="Refreshing issues", cancellable=False))
        except Exception:
            logger.warning("The client refused a progress token", exc_info=True)
            token = None
    from ..providers.trackers.background import refresh_sources

    outcome = await refresh_sources(sources)  # bounded: a stalled tracker gets a reason, not a hang
    if token is not None:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="Done" if outcome["refreshed"] else "Failed"))
    if not outcome["refreshed"]:
        show(ls, types.MessageType.Error, "refreshing issues failed: " + outcome["reason"])
    ls.notify_issues_changed()
    return outcome


# --- handlers ---------------------------------------------------------------------------------


def register(server: BacklogServer) -> None:
    server.command(CREATE_ISSUE_COMMAND)(_create_issue_command)
    server.command(REFRESH_ISSUES_COMMAND)(_refresh_issues_command)
    server.command(SET_ISSUE_STATE_COMMAND)(_set_issue_state_command)
    server.command(CREATE_SUB_ISSUES_COMMAND)(_create_sub_issues_command)
