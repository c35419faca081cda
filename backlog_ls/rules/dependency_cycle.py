"""dependency-cycle (BL602): tasks that wait for one another, so none of them can start.

"Task 1.2 depends on Task 1.3" and "Task 1.3 depends on Task 1.2" (or a longer loop, or
a task that depends on itself) is a plan that cannot be carried out: one of the
dependencies is wrong. One finding per cycle, on the first dependency written; the
others are related information.

Bad:

    - [ ] Task 1.2: Parser, after Task 1.3
    - [ ] Task 1.3: Printer, after Task 1.2

Good:

    - [ ] Task 1.2: Parser
    - [ ] Task 1.3: Printer, after Task 1.2
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dependencies import graph
from . import WARNING, Context, Finding, Related, Rule


def _check(context: Context) -> Iterator[Finding]:
    found = graph(context.backlog, context.settings, tracker=context.tracker, elsewhere=context.elsewhere)
    if not found.dependencies:
        return
    for cycle in found.cycles():
        first = cycle[0]
        if len(cycle) == 1:
            message = f"The task waits for itself ({first.label}): it can never start."
        else:
            loop = " → ".join(dependency.label for dependency in _in_order(cycle))
            message = f"A cycle of dependencies: {loop}; none of these tasks can start."
        related = tuple(Related(dependency.span, f"waits for {dependency.label}") for dependency in cycle[1:])
        yield RULE.finding(first.span, message, related=related)


def _in_order(cycle):
    """The cycle's dependencies followed from the first, as far as they chain (then the rest, as written)."""
    by_task = {}
    for dependency in cycle:
        by_task.setdefault(id(dependency.task), dependency)
    ordered = [cycle[0]]
    seen = {id(cycle[0])}
    while True:
        following = by_task.get(id(ordered[-1].target))
        if following is None or id(following) in seen:
            break
        ordered.append(following)
        seen.add(id(following))
    ordered.extend(dependency for dependency in cycle if id(dependency) not in seen)
    return [*ordered, ordered[0]] if ordered[-1].target is cycle[0].task else ordered


RULE = Rule(
    name="dependency-cycle",
    code="BL602",
    severity=WARNING,
    summary="Tasks that wait for one another in a cycle ('Task 1.2 after Task 1.3', 'Task 1.3 after Task 1.2').",
    check=_check,
)
