"""unknown-blocker (BL603): a dependency that names no task.

"depends on Task 9.9" where no task starts with "Task 9.9", or "⛔ abc123" where no
task carries "🆔 abc123": a typo, or a task that was renumbered or removed. With the
workspace index, a task in another backlog of the workspace counts too. An issue
that is not known is unknown-issue's (BL307) to report.

Bad:

    - [ ] Task 1.1: Parser
    - [ ] Task 1.2: Printer, depends on Task 1.0

Good:

    - [ ] Task 1.1: Parser
    - [ ] Task 1.2: Printer, depends on Task 1.1
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dependencies import TEXT, graph
from . import HINT, Context, Finding, Rule


def _check(context: Context) -> Iterator[Finding]:
    found = graph(context.backlog, context.settings, tracker=context.tracker, elsewhere=context.elsewhere)
    where = "this file" if context.elsewhere is None else "the workspace"
    for dependency in found.dependencies:
        blocker = dependency.blocker
        if dependency.origin != TEXT or dependency.known or blocker is None or blocker.kind == "issue":
            continue
        if blocker.kind == "id":
            message = f"No task in {where} carries '🆔 {blocker.name}': this dependency names nothing known."
        else:
            message = f"No task in {where} starts with {blocker.name}: this dependency names nothing known."
        yield RULE.finding(blocker.span, message)


RULE = Rule(
    name="unknown-blocker",
    code="BL603",
    severity=HINT,
    summary="A dependency naming no known task ('depends on Task 9.9' where no task starts with that ID).",
    check=_check,
)
