"""blocked-task-done (BL601): a ticked task that waits for a task or issue still open.

A task says what it waits for: "blocked by #12", "depends on Task 3.1", "after T10",
"requires #5", "needs Task 2.1", Obsidian Tasks' "⛔ abc123", or a "Depends on: Task 1.1"
bullet below it (see ``dependencies.py``). Ticked while what it waits for is still
open, it was ticked too early, or the dependency is stale. The finding sits on the
blocker's name; the blocker's own line is related information (a click away), and
"Untick this task" is offered (never applied by ``--fix``).

A blocker the tracker records on the task's issue (GitHub's "blocked by") is
blocked-issue-done's (BL309) to report.

Bad:

    - [ ] Task 1.1: Parser
    - [x] Task 1.2: Printer, depends on Task 1.1

Good:

    - [x] Task 1.1: Parser
    - [x] Task 1.2: Printer, depends on Task 1.1
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dependencies import TEXT, describe, graph
from . import WARNING, Context, Edit, Finding, Fix, Related, Rule


def _check(context: Context) -> Iterator[Finding]:
    found = graph(context.backlog, context.settings, tracker=context.tracker, elsewhere=context.elsewhere)
    for dependency in found.dependencies:
        task = dependency.task
        if dependency.origin != TEXT or not task.is_done or not dependency.is_open:
            continue
        fixes = ()
        if task.item is not None and task.item.checkbox_span is not None:
            fixes = (Fix("Untick this task", (Edit(task.item.checkbox_span, "[ ]"),), safe=False),)
        related = ()
        if dependency.target is not None:
            related = (Related(dependency.target.span, f"{dependency.label} is still open"),)
        yield RULE.finding(
            dependency.span,
            f"Task is ticked but waits for {describe(dependency)}, which is still open.",
            fixes,
            related=related,
        )


RULE = Rule(
    name="blocked-task-done",
    code="BL601",
    severity=WARNING,
    summary="A ticked task that waits for a task or issue still open ('blocked by #12', 'depends on Task 3.1', '⛔ abc123').",
    check=_check,
)
