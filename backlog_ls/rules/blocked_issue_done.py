"""blocked-issue-done (BL309): a ticked task whose issue is blocked by an issue still open.

GitHub records that one issue is blocked by others. A task ticked while its issue still
waits on an open blocker was ticked early, or the dependency is stale on the tracker. The
finding sits on the reference and names the blockers that are open.

The rule reads the tracker's cached data and only runs when a tracker is configured; a
blocker the cache does not hold is not counted.

Bad:

    - [x] Deploy the importer (#12)

Good:

    - [ ] Deploy the importer (#12)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..features.issues import lookup, tracker_refs
from ..model import Block
from . import WARNING, Context, Finding, Rule
from ._tracker import TrackerMemo, tracker_findings
from .done_with_open_subtasks import DONE, OPEN, state_kinds

_MEMO = TrackerMemo()


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    kinds = state_kinds(context.settings)
    tracker = context.tracker
    for item, _parent in block.walk:
        if item.checkbox is None or kinds.get(item.checkbox, OPEN) != DONE:
            continue
        for ref in tracker_refs(item.refs, tracker):
            issue = lookup(tracker, ref)
            if issue is None or not issue.blocked_by:
                continue
            still_open = [number for number in issue.blocked_by if (blocker := _get(tracker, number)) is not None and blocker.is_open]
            if not still_open:
                continue
            names = ", ".join(f"#{number}" for number in still_open)
            verb = "is" if len(still_open) == 1 else "are"
            yield RULE.finding(ref.span, f"Task is ticked but its issue {issue.name} is blocked by {names}, which {verb} still open.")


def _get(tracker, number: int):
    try:
        return tracker.get(number)
    except Exception:  # noqa: BLE001 - a broken source must not break a rule
        return None


def _check(context: Context) -> Iterator[Finding]:
    return tracker_findings(_MEMO, context, _check_block)


RULE = Rule(
    name="blocked-issue-done",
    code="BL309",
    severity=WARNING,
    summary="A ticked task whose issue is blocked by an issue still open on the tracker.",
    check=_check,
)
