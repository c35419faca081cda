"""duplicate-task-id (BL104): two tasks named by the same task ID.

A task ID ("Task 2.3", "T12") is how commits, issues and other tasks refer to a
task, so it must name one task only, a list task or a heading written as one
("### Task 2.3: Parser ✅"). Only the ID a task starts with counts
("**Task 2.3:** ...", "Task 2.3 - ..."): an ID mentioned later in the text
("depends on Task 3.1") is a reference, not a name. Every later use is reported,
naming the line of the first; the fix (not applied by ``--fix``) renumbers the
later task to the next free ID with the same prefix (after "Task 6.5": "Task 6.6").

Bad:

    - [x] **Task 6.3 (Issue #24):** Scaffold the site.
    - [ ] **Task 6.3 (#TBD):** Add a showcase page.

Good:

    - [x] **Task 6.3 (Issue #24):** Scaffold the site.
    - [ ] **Task 6.4 (#TBD):** Add a showcase page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from . import WARNING, Context, Edit, Finding, Fix, Rule
from ._heading_ids import heading_task_ids
from .common import TakenNumbers, lead_task_id, task_index


def _check(context: Context) -> Iterator[Finding]:
    yield from _list_duplicates(context)
    if heading_task_ids(context.backlog):
        yield from _heading_duplicates(context)


# "Task 1–2: tests pass" names a range of tasks (a checklist over the plan's headings), not one.
_RANGE_AFTER = re.compile(r"\s*[-–—]\s*\d")


def _heading_duplicates(context: Context) -> Iterator[Finding]:
    """Duplicates that involve a heading task (those among list tasks alone are found above)."""
    backlog = context.backlog
    lines = backlog.lines
    named = [
        (task_id, False)
        for task in task_index(backlog).id_tasks
        if (task_id := lead_task_id(task, lines)) and not _RANGE_AFTER.match(lines[task_id.span.start_line], task_id.span.end_col)
    ]
    named += [(task_id, True) for task_id in heading_task_ids(backlog)]
    named.sort(key=lambda pair: pair[0].span)
    first: dict[str, tuple[int, bool]] = {}
    for task_id, is_heading in named:
        line, first_is_heading = first.setdefault(task_id.text, (task_id.span.start_line, is_heading))
        if line != task_id.span.start_line and (is_heading or first_is_heading):
            message = f"Task ID '{task_id.text}' is also used by the task on line {line + 1}."
            yield RULE.finding(task_id.span, message)


def _list_duplicates(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    index = task_index(backlog)
    tasks = index.id_tasks  # document order
    # A task's leading ID is its first one, so two equal leading IDs are two equal first IDs:
    # comparing first IDs settles the usual case (no duplicate) without looking closer.
    firsts = index.id_texts
    if len(set(firsts)) == len(firsts):
        return
    repeated = {text for text, count in Counter(firsts).items() if count > 1}
    lines = backlog.lines
    first_line: dict[str, int] = {}  # task ID -> line of the first task it names
    duplicates = []
    for task, text in zip(tasks, firsts):
        if text not in repeated:
            continue
        task_id = lead_task_id(task, lines)
        if task_id is None:
            continue
        line = first_line.setdefault(text, task_id.span.start_line)
        if line != task_id.span.start_line:
            duplicates.append((task_id, line))
    if not duplicates:
        return
    taken = TakenNumbers(index.id_numbers)
    for task_id, line in duplicates:
        fixes = ()
        new_id = taken.renumber(task_id)
        if new_id is not None:
            fixes = (Fix(f"Renumber to '{new_id}'", (Edit(task_id.span, new_id),), safe=False),)
        message = f"Task ID '{task_id.text}' is also used by the task on line {line + 1}."
        yield RULE.finding(task_id.span, message, fixes)


RULE = Rule(
    name="duplicate-task-id",
    code="BL104",
    severity=WARNING,
    summary="Two tasks start with the same task ID.",
    check=_check,
)
