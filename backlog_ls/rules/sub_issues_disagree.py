"""sub-issues-disagree (BL308): a task's subtasks say more is done than its issue's sub-issues.

GitHub splits an issue into sub-issues and counts how many are closed. When a task names
such an issue and its subtasks are ticked further than the sub-issues are closed (3 of 5
subtasks ticked, 1 of 5 sub-issues closed), one of the two is out of date: a subtask was
ticked while its sub-issue is still open, or the sub-issues were never closed. The hint sits
on the issue reference; hovering it shows the issue's "1/5 sub-issues closed".

The rule reads the tracker's cached data and only runs when a tracker is configured.

Bad:

    - [ ] Importer (#10)
      - [x] Parse CSV
      - [x] Parse JSON
      - [ ] Write rows

Good:

    - [ ] Importer (#10)
      - [x] Parse CSV
      - [ ] Parse JSON
      - [ ] Write rows
"""

from __future__ import annotations

from collections.abc import Iterator

from ..features.issues import lookup, tracker_refs
from ..model import Block
from . import HINT, Context, Finding, Rule
from ._tracker import TrackerMemo, tracker_findings
from .done_with_open_subtasks import DONE, state_kinds

_MEMO = TrackerMemo()


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    kinds = state_kinds(context.settings)
    for item, _parent in block.walk:
        subtasks = [child for child in item.children if child.checkbox is not None]
        if item.checkbox is None or not subtasks:
            continue
        ticked = sum(1 for child in subtasks if kinds.get(child.checkbox or " ") == DONE)
        for ref in tracker_refs(item.refs, context.tracker):
            issue = lookup(context.tracker, ref)
            if issue is None or not issue.sub_issues_total or ticked <= issue.sub_issues_closed:
                continue
            message = (
                f"{ticked}/{len(subtasks)} subtasks are ticked but only {issue.sub_issues_closed}/{issue.sub_issues_total} "
                f"sub-issues of {issue.name} are closed."
            )
            yield RULE.finding(ref.span, message)


def _check(context: Context) -> Iterator[Finding]:
    return tracker_findings(_MEMO, context, _check_block)


RULE = Rule(
    name="sub-issues-disagree",
    code="BL308",
    severity=HINT,
    summary="A task whose subtasks are ticked further than its issue's sub-issues are closed.",
    check=_check,
)
