"""issue-still-open (BL305): a ticked task whose issue is still open on the tracker.

A Definition of Done check: a task is finished when its issue is, and most backlogs
that tie tasks to issues say so ("the GitHub issue is closed"). A task ticked
(``[x]``) while the issue or pull request it names is still open (a draft pull
request too) was ticked early, or its issue was forgotten. The finding sits on the
reference, so hovering it shows the issue as the tracker last described it.

The rule reads the tracker's cached data and only runs when a tracker is
configured (``[issues]``); it never waits for the network. Its fix, untick the
task, is not applied by ``check --fix``: closing the issue may be the right answer.

Bad:

    - [x] **Task 4.1 (Issue #13):** Implement the storage engine.

Good:

    - [ ] **Task 4.1 (Issue #13):** Implement the storage engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..features.issues import lookup, tracker_refs
from ..model import Block
from . import WARNING, Context, Edit, Finding, Fix, Rule
from ._tracker import TrackerMemo, tracker_findings
from .common import named_issues
from .done_with_open_subtasks import DONE, OPEN, state_kinds

_MEMO = TrackerMemo()


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    kinds = state_kinds(context.settings)
    tracker = context.tracker
    lines = context.backlog.lines
    for item, _parent in block.walk:
        if item.checkbox is None or item.checkbox_span is None or kinds.get(item.checkbox, OPEN) != DONE:
            continue
        for ref in named_issues(tracker_refs(item.refs, tracker), lines):
            issue = lookup(tracker, ref)
            if issue is None or not issue.is_open:
                continue
            kind = "pull request" if issue.is_pull else "issue"
            draft = " (a draft)" if issue.is_pull and issue.draft else ""
            message = f"Task is ticked but its {kind} {issue.name}{draft} is still open: '{_short(issue.title)}'."
            untick = Fix("Untick this task", (Edit(item.checkbox_span, "[ ]"),), safe=False)
            yield RULE.finding(ref.span, message, (untick,))


def _short(title: str, width: int = 60) -> str:
    title = " ".join(title.split())
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def _check(context: Context) -> Iterator[Finding]:
    return tracker_findings(_MEMO, context, _check_block)


RULE = Rule(
    name="issue-still-open",
    code="BL305",
    severity=WARNING,
    summary="A ticked task whose issue or pull request is still open on the tracker.",
    check=_check,
)
