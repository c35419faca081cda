"""done-with-open-subtasks (BL301): a ticked task that still has an open subtask.

A task is ticked (``[x]``) while one of its subtasks, at any depth, is still open:
either the parent was ticked too early or the subtask was forgotten. Subtasks under
plain bullets count, and so do lists in block quotes, ordered lists and
tab-indented lists.

A cancelled subtask (``[-]`` by default, a state declared with a meaning such as
cancelled, dropped, wontfix, skipped, or an open one struck through whole:
``- [ ] ~~Port to Windows~~``) is not open. Any other state that is not
done (``[ ]``, an in-progress ``[~]``, an undeclared character) is open.

An open subtask is reported once, at the nearest ticked task above it (one cause, one
finding): a ticked task further up is reported for open subtasks of its own, and is
otherwise a related line of the finding below it. The message names the first open
subtask not reported below and counts every open one.

Two fixes are offered, neither applied by ``check --fix``, because only the author
knows which side is wrong: untick the task, or tick every open subtask.

Bad:

    - [x] Validate the configuration
      - [x] Parse the file
      - [ ] Report unknown keys

Good:

    - [ ] Validate the configuration
      - [x] Parse the file
      - [ ] Report unknown keys
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import attrs

from ..states import CANCELLED, DONE, OPEN, state_kinds, task_kind
from ..model import Item
from . import ERROR, Context, Edit, Finding, Fix, Related, Rule

# What a checkbox state amounts to for the progress rules (BL301, BL302, BL303, BL304): see states.py.
__all__ = ["CANCELLED", "DONE", "OPEN", "state_kinds", "task_kind"]


def snippet(item: Item, width: int = 50) -> str:
    """The first line of a task's text, shortened for a message."""
    text = " ".join(item.first_line_text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _message(total: int, open_subtasks: list[Item], first: Item) -> str:
    where = f"line {first.line + 1}: '{snippet(first)}'"
    count = len(open_subtasks)
    if total == 1:
        return f"Task is ticked but its subtask is open ({where})."
    if count == total:
        both = "both" if total == 2 else f"all {total}"
        return f"Task is ticked but {both} of its subtasks are open ({where})."
    verb = "is" if count == 1 else "are"
    return f"Task is ticked but {count} of its {total} subtasks {verb} open ({where})."


def _finding(item: Item, total: int, open_subtasks: list[Item], first: Item) -> Finding:
    assert item.checkbox_span is not None
    untick = Fix("Untick this task", (Edit(item.checkbox_span, "[ ]"),), safe=False)
    tick_all = Fix(
        "Tick all subtasks",
        tuple(Edit(sub.checkbox_span, "[x]") for sub in open_subtasks if sub.checkbox_span is not None),
        safe=False,
    )
    return RULE.finding(item.checkbox_span, _message(total, open_subtasks, first), (untick, tick_all))


def _scan(item: Item, kinds: Mapping[str, str], found: list[Finding]) -> tuple[int, list[Item], list[Item], list[int]]:
    """(number of task descendants, the open ones in document order, those of them no ticked task
    below ``item`` was reported for, the indices in ``found`` of the findings below that hold the
    others); records findings below and at ``item``."""
    total = 0
    open_subtasks: list[Item] = []
    unclaimed: list[Item] = []
    holders: list[int] = []
    for child in item.children:
        kind = task_kind(child, kinds) if child.checkbox is not None else None
        if kind is not None:
            total += 1
            if kind == OPEN:
                open_subtasks.append(child)
                unclaimed.append(child)
        if child.children:
            below, below_open, below_unclaimed, below_holders = _scan(child, kinds, found)
            total += below
            if kind is None or kind in (OPEN, DONE):
                open_subtasks += below_open  # a deferred or cancelled subtask takes its own subtasks with it
                unclaimed += below_unclaimed
                holders += below_holders
    if not open_subtasks or item.checkbox is None or kinds.get(item.checkbox, OPEN) != DONE:
        return total, open_subtasks, unclaimed, holders
    if not unclaimed:
        # Ticked too, but every open task below is already reported at a ticked task nearer to it.
        for index in holders:
            finding = found[index]
            above = Related(item.checkbox_span, f"Ticked above it too: '{snippet(item)}'.")
            found[index] = attrs.evolve(finding, related=(*finding.related, above))
        return total, open_subtasks, [], holders
    found.append(_finding(item, total, open_subtasks, unclaimed[0]))
    return total, open_subtasks, [], [len(found) - 1]


TreeScan = Callable[[Item, Mapping[str, str], list[Finding]], object]


def scan_task_tree(context: Context, item: Item, scan: TreeScan) -> Iterator[Finding]:
    """Run ``scan`` over one top-level item's tree (when it has children); what it records."""
    found: list[Finding] = []
    if item.children:
        scan(item, state_kinds(context.settings), found)
    return iter(found)


def _check_item(context: Context, item: Item) -> Iterator[Finding]:
    return scan_task_tree(context, item, _scan)


RULE = Rule(
    name="done-with-open-subtasks",
    code="BL301",
    severity=ERROR,
    summary="A ticked task with a subtask (at any depth) that is still open.",
    check_item=_check_item,
)
