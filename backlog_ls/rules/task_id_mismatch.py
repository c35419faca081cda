"""task-id-mismatch (BL105): a task's ID belongs to another phase than the section it sits in.

In a backlog that numbers tasks by phase ("Task 8.2" under "## Phase 8"), a
"Task 7.2" under "## Phase 8" was either moved without being renumbered or
numbered wrong. The first number of the ID a task starts with is compared with
the numbers of the headings above it: when none of them agrees, the task is
reported against the nearest heading whose number is a whole number (else the
nearest numbered one). A subsection numbered "1.2" under "Phase 1" agrees with
"Task 1.5" through its first number, and a task under a heading without a
number ("## Bug Tracker") is never reported.

The rule only speaks where the file follows the convention: at least two tasks
agree with their heading, and more agree than disagree (a backlog whose
"Sprint 12" holds "Task 3.1" numbers tasks some other way). IDs
without a dot ("Task 7", "T12") are not numbered by phase and are left alone, as
are mentions later in the text ("depends on Task 3.1"). A heading written as a task
("### Task 7.2: Hooks" under "## Phase 8") is compared with the headings above it.

Bad:

    ## Phase 8: Community
    - [x] **Task 8.1 (Issue #31):** Write a contributing guide.
    - [x] **Task 7.2 (Issue #33):** Add a hook system.

Good:

    ## Phase 8: Community
    - [x] **Task 8.1 (Issue #31):** Write a contributing guide.
    - [x] **Task 8.2 (Issue #33):** Add a hook system.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..memo import MISSING, PlacedMemo
from ..model import TaskId
from . import WARNING, Context, Finding, Rule
from ._heading_ids import heading_tasks_with_phases
from .common import display_title, lead_task_id, leading_number, task_index


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    lines = backlog.lines
    agree = 0
    disagree = []
    for group in task_index(backlog).groups:
        if not group.facts:
            continue
        prefixes = group.prefixes
        if not prefixes:
            continue
        key = (RULE.code, prefixes)
        for facts in group.facts:
            if not facts.id_numbers:  # one for each task with an ID; its items are not asked for
                continue
            # A block's answer depends on the block and the prefixes only: kept while the block lives,
            # and moved with its copies (an Enter above it).
            found = facts.memo.get(key)
            if found is None:
                found = _MOVED.peek(facts.lineage, facts.start_line, prefixes)
                if found is MISSING:
                    found = _MOVED.put(facts.lineage, facts.start_line, _agreement(facts, prefixes, lines), prefixes)
                facts.memo[key] = found
            agree += found[0]
            if found[1]:
                disagree.extend((task_id, group) for task_id in found[1])
    numbered_above = [(task_id, group.numbered) for task_id, group in disagree]
    for task_id, above in heading_tasks_with_phases(backlog):
        if not above or "." not in task_id.number or leading_number(task_id.number) is None:
            continue
        if leading_number(task_id.number) in {phase for _, phase in above}:
            agree += 1
        else:
            numbered_above.append((task_id, above))
    if agree < 2 or agree <= len(numbered_above):
        return
    for task_id, numbered in numbered_above:
        # Name the nearest heading with a whole number ("Phase 8"), else the nearest numbered one.
        heading, phase = next(((h, p) for h, p in numbered if h.number.isdigit()), numbered[0])
        message = (
            f"'{task_id.text}' is under '{display_title(heading)}': "
            f"a task of this section should be numbered {phase}.x."
        )
        yield RULE.finding(task_id.span, message)


def _moved_agreement(agreement: tuple[int, tuple[TaskId, ...]], delta: int) -> tuple[int, tuple[TaskId, ...]]:
    agreeing, odd = agreement
    return agreeing, tuple([TaskId(task_id.span.shifted(delta), task_id.text, task_id.number) for task_id in odd])


_MOVED = PlacedMemo(_moved_agreement)  # list block lineage -> (its start line, ``_agreement``), by prefixes


def _agreement(facts, prefixes: tuple[str, ...], lines) -> tuple[int, tuple]:
    """How many of a block's task IDs start with one of ``prefixes``, and the leading IDs that do not."""
    numbers = facts.id_numbers
    # Usually all do: count them in one go over the joined numbers, look closer only when not.
    joined = "\n" + "\n".join(numbers)
    agreeing = sum(joined.count(f"\n{prefix}") for prefix in prefixes)
    if agreeing == len(numbers):
        return agreeing, ()
    odd = []
    for task, number in zip(facts.id_tasks, numbers):
        if number.startswith(prefixes):
            continue
        task_id = lead_task_id(task, lines)
        if task_id is not None and "." in task_id.number and leading_number(task_id.number) is not None:
            odd.append(task_id)
    return agreeing, tuple(odd)


RULE = Rule(
    name="task-id-mismatch",
    code="BL105",
    severity=WARNING,
    summary="A task ID's phase number differs from the number of the section it sits in ('Task 7.2' under 'Phase 8').",
    check=_check,
)
