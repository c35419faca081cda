"""Writing a task's state back to its issue: offered on the task, never done on its own. Pure.

- A ticked task whose issue is still open (BL305): "Close issue #12" (GitHub tells closed issues
  apart: "Close issue #12 as completed" / "as not planned").
- An open task whose issue is closed (BL306): "Reopen issue #12".
- An open task whose issue is open: "Tick task and close its issue #12".
- A task naming a GitHub issue, with open subtasks that name none: "Create sub-issues from subtasks"
  files one sub-issue per such subtask and writes each number into its subtask.

Pull requests are left alone (closing one is not finishing it). Which source holds the issue,
and whether its tracker can undo the change (Jira: a workflow may have no way back, so the
server asks first), is read from the source without waiting; the change itself is the
server's command (``providers/trackers/sources.change_issue_state``).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..config import Settings
from ..model import Backlog
from ..rules import Edit
from ..rules.done_with_open_subtasks import DONE, OPEN, state_kinds
from .edits import item_at
from .issues import NewIssue, lookup, new_issue_for, new_reference_text, ref_name, tracker_refs
from .tick import done_char, set_state

CLOSE = "close"
REOPEN = "reopen"
TICK_AND_CLOSE = "tick-close"
_REASON_WORDS = {"completed": "as completed", "not_planned": "as not planned"}


@attrs.frozen
class StateChange:
    title: str
    action: str  # CLOSE, REOPEN or TICK_AND_CLOSE
    name: str  # "#12", "ABC-12"
    number: int
    project: str | None  # the key's project; None for a numbered issue
    reason: str | None = None  # GitHub's state_reason
    answers: str | None = None  # the finding it resolves: BL305, BL306
    tick: Edit | None = None  # the checkbox edit of "Tick task and close its issue"

    @property
    def closes(self) -> bool:
        return self.action in (CLOSE, TICK_AND_CLOSE)

    @property
    def verb(self) -> str:
        """The confirming choice of the question, and the start of a failure's message."""
        return f"{'Close' if self.closes else 'Reopen'} {self.name}"


def close_reasons(source: Any, project: str | None) -> tuple[str, ...]:
    try:
        if hasattr(source, "close_reasons_for"):
            return tuple(source.close_reasons_for(project))
        return tuple(getattr(source, "close_reasons", ()) or ())
    except Exception:  # noqa: BLE001 - a broken source offers the plain close
        return ()


def reversible(source: Any, project: str | None) -> bool:
    """Whether the opposite change undoes this one on ``source``'s tracker; when unsure, no."""
    try:
        if hasattr(source, "state_reversible_for"):
            return bool(source.state_reversible_for(project))
        return bool(getattr(source, "state_reversible", False))
    except Exception:  # noqa: BLE001
        return False


def state_changes(backlog: Backlog, line: int, source: Any, settings: Settings | None = None) -> list[StateChange]:
    """What may be written back for the task whose text holds ``line``."""
    found = item_at(backlog, line)
    if found is None or source is None:
        return []
    task = found[0]
    if task.checkbox is None:
        return []
    kind = state_kinds(settings or Settings()).get(task.checkbox, OPEN)
    changes: list[StateChange] = []
    for ref in tracker_refs(task.refs, source):
        issue = lookup(source, ref)
        if issue is None or issue.is_pull:
            continue
        name = ref_name(ref)
        if kind == DONE and issue.is_open:
            reasons = close_reasons(source, ref.project)
            if reasons:
                changes.extend(
                    StateChange(f"Close issue {name} {_REASON_WORDS.get(reason, reason)}", CLOSE, name, ref.number, ref.project, reason, "BL305")
                    for reason in reasons
                )
            else:
                changes.append(StateChange(f"Close issue {name}", CLOSE, name, ref.number, ref.project, None, "BL305"))
        elif kind == OPEN and not issue.is_open:
            changes.append(StateChange(f"Reopen issue {name}", REOPEN, name, ref.number, ref.project, None, "BL306"))
        elif kind == OPEN and issue.is_open:
            tick = set_state(task, done_char(backlog))
            if tick is not None:
                reason = close_reasons(source, ref.project)[:1]
                changes.append(
                    StateChange(f"Tick task and close its issue {name}", TICK_AND_CLOSE, name, ref.number, ref.project, reason[0] if reason else None, None, tick)
                )
    return changes


def tick_edit(backlog: Backlog, line: int) -> Edit | None:
    """The checkbox edit that ticks the task on ``line`` (None: no task, or ticked already)."""
    found = item_at(backlog, line)
    return set_state(found[0], done_char(backlog)) if found is not None else None


def find_change(
    backlog: Backlog, line: int, source: Any, settings: Settings | None, name: str, action: str, reason: str | None
) -> StateChange | None:
    """The change a command names, if the task still offers it (the document or the tracker may have moved on)."""
    return next(
        (change for change in state_changes(backlog, line, source, settings) if (change.name, change.action, change.reason) == (name, action, reason)),
        None,
    )


def confirmation(change: StateChange) -> str:
    """The question asked before a change the tracker may not let the user undo."""
    what = "close" if change.closes else "reopen"
    tick = " and tick the task" if change.action == TICK_AND_CLOSE else ""
    return f"{what.capitalize()} issue {change.name} on the tracker{tick}? Its workflow may not allow undoing this from backlog-ls."


SUB_ISSUES_TITLE = "Create sub-issues from subtasks"


@attrs.frozen
class SubIssuePlan:
    parent: int  # the task's GitHub issue
    subtasks: tuple[NewIssue, ...]  # one per open subtask without an issue, in order


def sub_issue_plan(backlog: Backlog, line: int, source: Any, settings: Any = None) -> SubIssuePlan | None:
    """What "Create sub-issues from subtasks" would file for the task on ``line``; None when nothing."""
    try:
        if not getattr(source, "can_file_sub_issues", False):
            return None
    except Exception:  # noqa: BLE001
        return None
    found = item_at(backlog, line)
    if found is None or found[0].checkbox is None:
        return None
    task = found[0]
    parent = next((ref for ref in task.refs.issues if ref.owner is None and not ref.url and not ref.is_pull), None)
    if parent is None or lookup(source, parent) is None:
        return None
    issues = getattr(settings, "issues", settings) if settings is not None else None
    kinds = state_kinds(settings if isinstance(settings, Settings) else Settings())
    subtasks = tuple(
        new
        for child in task.children
        if child.checkbox is not None and kinds.get(child.checkbox, OPEN) == OPEN
        and (new := new_issue_for(backlog, child.line, issues if isinstance(issues, dict) else None)) is not None
    )
    return SubIssuePlan(parent.number, subtasks) if subtasks else None


def sub_issue_edits(plan: SubIssuePlan, created: list, source: Any, backlog: Backlog) -> list[Edit]:
    """The edits writing each new sub-issue's number into its subtask (as many as were filed)."""
    return [Edit(new.span, new_reference_text(new, issue, source, backlog)) for new, issue in zip(plan.subtasks, created)]
