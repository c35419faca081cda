"""parent-not-done (BL302): every subtask is ticked but the task above them is not.

When the last subtask is ticked the parent is often forgotten, so the backlog
under-reports progress. Only a task with at least one subtask (at any depth, under
plain bullets too) is considered, and only when all of them are done; cancelled
subtasks (a declared state such as ``"-" = "cancelled"``) do not count against it,
but at least one must be done. A hint: the parent may have work of its own left,
so the fix "Tick this task" is offered but never applied by ``check --fix``.

Bad:

    - [ ] Validate the configuration
      - [x] Parse the file
      - [x] Report unknown keys

Good:

    - [x] Validate the configuration
      - [x] Parse the file
      - [x] Report unknown keys
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..model import Item
from . import HINT, Context, Edit, Finding, Fix, Rule
from ..states import task_kind
from .done_with_open_subtasks import CANCELLED, DONE, OPEN, scan_task_tree


def _message(done: int, cancelled: int) -> str:
    total = done + cancelled
    if total == 1:
        return "Its only subtask is done, but this task is not ticked."
    if cancelled:
        return f"All {total} subtasks are done or cancelled, but this task is not ticked."
    return f"All {total} subtasks are done, but this task is not ticked."


def _scan(item: Item, kinds: Mapping[str, str], found: list[Finding]) -> tuple[int, int, int]:
    """(done, cancelled, open) task descendants of ``item``; records findings below and at ``item``."""
    done = cancelled = open_ = 0
    for child in item.children:
        if child.checkbox is not None:
            kind = task_kind(child, kinds)
            if kind == DONE:
                done += 1
            elif kind == CANCELLED:
                cancelled += 1
            else:
                open_ += 1
        if child.children:
            d, c, o = _scan(child, kinds, found)
            done, cancelled, open_ = done + d, cancelled + c, open_ + o
    if (
        done
        and not open_
        and item.checkbox_span is not None
        and kinds.get(item.checkbox, OPEN) == OPEN  # type: ignore[arg-type]
    ):
        fix = Fix("Tick this task", (Edit(item.checkbox_span, "[x]"),), safe=False, preferred=True)
        found.append(RULE.finding(item.checkbox_span, _message(done, cancelled), (fix,)))
    return done, cancelled, open_


def _check_item(context: Context, item: Item) -> Iterator[Finding]:
    return scan_task_tree(context, item, _scan)


RULE = Rule(
    name="parent-not-done",
    code="BL302",
    severity=HINT,
    summary="Every subtask is ticked but the parent task is still open.",
    check_item=_check_item,
    lines_in_text=False,
)
