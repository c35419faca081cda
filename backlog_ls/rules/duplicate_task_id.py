"""duplicate-task-id (BL104): two tasks named by the same task ID.

A task ID ("Task 2.3", "T12") is how commits, issues and other tasks refer to a
task, so it must name one task only, a list task or a heading written as one
("### Task 2.3: Parser ✅"). Only the ID a task starts with counts
("**Task 2.3:** ...", "Task 2.3 - ..."): an ID mentioned later in the text
("depends on Task 3.1") is a reference, not a name. Every later use is reported,
naming the line of the first; the fix (not applied by ``--fix``) renumbers the
later task to the next free ID with the same prefix (after "Task 6.5": "Task 6.6").

A task repeated with the same ID and the same text (a "Quality Checklist" that
lists the tasks again to track them) is a reference to the first, not a
duplicate. What can be wrong with it is its state: "T136 is done on line 221
but open here". The copies of one list that disagree are one finding, on the
first of them, with the others as related lines, and two fixes (neither safe):
make the copies match the first listing, or the first listing match the copies.

Across files (``rules.across_files``), an ID is reported when another file of the same
project names a different task with it, in the files that share an ID namespace:
``[rules.duplicate-task-id] scope = "folder"`` (the default: the files of one folder),
``"workspace"`` (every file of the project) or ``"file"`` (never across files).

Bad:

    - [x] **Task 6.3 (Issue #24):** Scaffold the site.
    - [ ] **Task 6.3 (#TBD):** Add a showcase page.

Good:

    - [x] **Task 6.3 (Issue #24):** Scaffold the site.
    - [ ] **Task 6.4 (#TBD):** Add a showcase page.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator

import attrs

from ..model import Item, TaskId
from . import WARNING, Context, Edit, Finding, Fix, Related, Rule
from ._heading_ids import heading_task_ids
from .common import TakenNumbers, lead_task_id, normal_text, normal_words, same_text, task_index
from .done_with_open_subtasks import OPEN, state_kinds


SCOPES = ("file", "folder", "workspace")
DEFAULT_SCOPE = "folder"


@attrs.frozen
class DuplicateTaskIdOptions:
    """Which files share task IDs with this one (the cross-file half, ``rules.across_files``)."""

    scope: str = attrs.field(default=DEFAULT_SCOPE, validator=attrs.validators.in_(SCOPES))


def _check(context: Context) -> Iterator[Finding]:
    spans = set()
    for finding in _list_duplicates(context):
        spans.add(finding.span)
        yield finding
    if heading_task_ids(context.backlog):
        # One finding per task ID: a list task already named as a duplicate is not named again.
        yield from (finding for finding in _heading_duplicates(context) if finding.span not in spans)


# "Task 1–2: tests pass" names a range of tasks (a checklist over the plan's headings), not one.
_RANGE_AFTER = re.compile(r"\s*[-–—]\s*\d")


def naming_id(task, lines) -> TaskId | None:
    """The task ID that names a list task, if any (not one opening a range: "Task 1–2: tests pass")."""
    task_id = lead_task_id(task, lines)
    if task_id is None or _RANGE_AFTER.match(lines[task_id.span.start_line], task_id.span.end_col):
        return None
    return task_id


def named_tasks(backlog) -> list[tuple[TaskId, bool, object]]:
    """(task ID, named by a heading?, the task or heading) for every task an ID names, in document order."""
    lines = backlog.lines
    named: list = [
        (task_id, False, task) for task in task_index(backlog).id_tasks if (task_id := naming_id(task, lines)) is not None
    ]
    named += [(heading.task_id, True, heading) for heading in backlog.headings if heading.task_id is not None]
    named.sort(key=lambda triple: triple[0].span)
    return named


def task_words(owner, is_heading: bool) -> str:
    """A named task's words, to tell a copy of it (the same words) from another task."""
    return heading_words(owner) if is_heading else normal_text(owner)


def _heading_duplicates(context: Context) -> Iterator[Finding]:
    """Duplicates that involve a heading task (those among list tasks alone are found above)."""
    named = named_tasks(context.backlog)
    first: dict[str, tuple[int, bool, object]] = {}
    for task_id, is_heading, owner in named:
        line, first_is_heading, first_owner = first.setdefault(task_id.text, (task_id.span.start_line, is_heading, owner))
        if line == task_id.span.start_line or not (is_heading or first_is_heading):
            continue
        if first_is_heading and not is_heading and heading_words(first_owner) == normal_text(owner):
            # A checklist over the plan's heading tasks: a reference; only a state it disagrees on matters.
            done = first_owner.task_state == "x"
            if done != (owner.checkbox in ("x", "X")):
                said = ("done", "open") if done else ("open", "done")
                message = f"{task_id.text} is {said[0]} on line {line + 1} but {said[1]} here."
                box = "[x]" if done else "[ ]"
                fix = Fix(f"Mark as on line {line + 1}: '{box}'", (Edit(owner.checkbox_span, box),), safe=False)
                yield RULE.finding(task_id.span, message, (fix,))
            continue
        message = f"Task ID '{task_id.text}' is also used by the task on line {line + 1}."
        yield RULE.finding(task_id.span, message)


_STATUS_MARKS = re.compile(r"[\s✅✔☑✓]+$|\s*\((?:done|complete[d]?)\)\s*$", re.IGNORECASE)


def heading_words(heading) -> str:
    """A heading task's title as ``normal_text`` reads a list task: its status marks aside."""
    return normal_words(_STATUS_MARKS.sub("", heading.title))


def _list_duplicates(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    index = task_index(backlog)
    # A task's leading ID is its first one, so two equal leading IDs are two equal first IDs:
    # comparing first IDs settles the usual case (no duplicate) without looking closer, not even at the tasks.
    firsts = index.id_texts
    if len(set(firsts)) == len(firsts):
        return
    tasks = index.id_tasks  # document order
    repeated = {text for text, count in Counter(firsts).items() if count > 1}
    lines = backlog.lines
    first_task: dict[str, tuple[Item, TaskId]] = {}  # task ID -> the first task it names
    duplicates = []
    copies = []  # (copy, its ID, the first task) for copies whose state differs from the first's
    kinds = state_kinds(context.settings)
    for task, text in zip(tasks, firsts):
        if text not in repeated:
            continue
        task_id = lead_task_id(task, lines)
        if task_id is None:
            continue
        first, first_id = first_task.setdefault(text, (task, task_id))
        if first is task:
            continue
        if not same_text(first, task):
            duplicates.append((task_id, first_id.span.start_line))
        elif _state(first, kinds, context) != _state(task, kinds, context):
            copies.append((task, task_id, first))
    yield from _conflicts(copies, kinds, context)
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


def _state(task: Item, kinds, context: Context) -> str:
    """What a task's checkbox says, in words: open, done, or the meaning of another state."""
    char = task.checkbox or " "
    kind = kinds.get(char, OPEN)
    return kind if char in " xX" else (context.settings.state_name(char) or kind)


def _conflict_text(task_id: TaskId, copy: Item, first: Item, kinds, context: Context) -> str:
    return (
        f"{task_id.text} is {_state(first, kinds, context)} on line {first.line + 1} "
        f"but {_state(copy, kinds, context)} here."
    )


def _conflicts(copies, kinds, context: Context) -> Iterator[Finding]:
    """One finding per section of copies: a repeated list disagreeing in 28 places is one cause."""
    by_section: dict[int, list] = {}  # line of the heading above (-1: none) -> the copies under it
    heading_lines = [heading.span.start_line for heading in context.backlog.headings]
    for copy in copies:
        # A bisect, not a walk of the section tree: a repeated list of 20,000 tasks stays linear.
        above = bisect.bisect_right(heading_lines, copy[0].line) - 1
        by_section.setdefault(heading_lines[above] if above >= 0 else -1, []).append(copy)
    for group in by_section.values():
        task, task_id, first = group[0]
        message = _conflict_text(task_id, task, first, kinds, context)
        if len(group) == 2:
            message += " 1 more repeated task here disagrees with its first listing."
        elif len(group) > 2:
            message += f" {len(group) - 1} more repeated tasks here disagree with their first listing."
        related = [
            Related(other_id.span, _conflict_text(other_id, other, other_first, kinds, context))
            for other, other_id, other_first in group[1:]
        ]
        related += [Related(other_first.checkbox_span, f"First listed here ({other_id.text}).") for _, other_id, other_first in group]
        yield RULE.finding(task_id.span, message, _state_fixes(group), related=related)


def _state_fixes(group) -> tuple[Fix, ...]:
    task, _, first = group[0]
    if len(group) == 1:
        here = f"Mark as on line {first.line + 1}: '[{first.checkbox}]'"
        there = f"Mark line {first.line + 1} as here: '[{task.checkbox}]'"
    else:
        here = f"Make these {len(group)} tasks match their first listing"
        there = f"Make the first listings match these {len(group)} tasks"
    return (
        Fix(here, tuple(Edit(copy.checkbox_span, f"[{first.checkbox}]") for copy, _, first in group), safe=False),
        Fix(there, tuple(Edit(first.checkbox_span, f"[{copy.checkbox}]") for copy, _, first in group), safe=False),
    )


RULE = Rule(
    name="duplicate-task-id",
    code="BL104",
    severity=WARNING,
    summary="Two tasks start with the same task ID, or a task repeated with its ID disagrees on its state.",
    check=_check,
    options=DuplicateTaskIdOptions,
)
