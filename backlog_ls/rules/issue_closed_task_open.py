"""issue-closed-task-open (BL306): an open task whose issue is closed on the tracker.

The issue (or every issue) an open task names was closed, or its pull request
merged: the work is most likely done and the box was not ticked. A pull request
closed without being merged does not count as done, and a task that also names an
issue still open is left alone. Cancelled tasks (a declared state such as ``[-]``)
are not open.

The rule reads the tracker's cached data and only runs when a tracker is
configured (``[issues]``). Its fix ticks the task.

Bad:

    - [ ] Fix the login timeout (#42)

Good:

    - [x] Fix the login timeout (#42)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..features.issues import lookup, state_text, tracker_refs
from ..model import Block
from . import HINT, Context, Edit, Finding, Fix, Rule
from ._tracker import TrackerMemo, tracker_findings
from .common import named_issues
from .done_with_open_subtasks import OPEN, state_kinds

_MEMO = TrackerMemo()


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    kinds = state_kinds(context.settings)
    tracker = context.tracker
    lines = context.backlog.lines
    for item, _parent in block.walk:
        if item.checkbox is None or item.checkbox_span is None or kinds.get(item.checkbox, OPEN) != OPEN:
            continue
        refs = named_issues(tracker_refs(item.refs, tracker), lines)
        known = [(ref, issue) for ref in refs if (issue := lookup(tracker, ref)) is not None]
        if not known:
            continue
        if any(issue.is_open or (issue.is_pull and not issue.merged) for _ref, issue in known):
            continue
        ref, issue = known[0]
        kind = "Pull request" if issue.is_pull else "Issue"
        state = state_text(issue)
        message = f"{kind} {issue.name} is {state[0].lower()}{state[1:]} but the task is still open."
        tick = Fix("Tick this task", (Edit(item.checkbox_span, "[x]"),), preferred=True)
        yield RULE.finding(ref.span, message, (tick,))


def _check(context: Context) -> Iterator[Finding]:
    return tracker_findings(_MEMO, context, _check_block)


RULE = Rule(
    name="issue-closed-task-open",
    code="BL306",
    severity=HINT,
    summary="An open task whose issue is closed (or pull request merged) on the tracker.",
    check=_check,
)
