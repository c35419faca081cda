"""alternate-state (BL206): checkbox states GitHub shows as text, said once per file.

``[~]``, ``[-]``, ``[/]`` and the other alternate states (see malformed-task) are
deliberate marks, and backlog-ls counts them by their meaning; but GitHub, and
most Markdown viewers, render only ``[ ]`` and ``[x]`` as checkboxes and show the
rest as literal text. This notice says so once per file, at info level, on the
first such task, naming what each state is read as; the other states' first
lines are its related lines. Turn it off with ``[rules] alternate-state = "off"``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..states import BUILTIN_STATES
from . import INFO, Context, Finding, Related, Rule


def _check(context: Context) -> Iterator[Finding]:
    meanings = context.settings
    first_of: dict[str, object] = {}  # state -> its first task, in document order
    count = 0
    for task in context.backlog.tasks():
        state = task.checkbox
        if state in BUILTIN_STATES or meanings.state_name(state) is None:
            continue  # a plain box, or an unknown state (malformed-task's)
        count += 1
        first_of.setdefault(state, task)
    if not first_of:
        return
    states = list(first_of)
    read_as = ", ".join(f"[{state}] as {meanings.state_name(state)}" for state in states)
    tasks = "1 task" if count == 1 else f"{count} tasks"
    boxes = ", ".join(f"[{state}]" for state in states)
    message = (
        f"GitHub shows {boxes} as text, not as a checkbox ({tasks} in this file); "
        f"backlog-ls reads {read_as}."
    )
    first = first_of[states[0]]
    related = [Related(first_of[state].checkbox_span, f"First [{state}] here.") for state in states[1:]]
    yield RULE.finding(first.checkbox_span, message, related=related)


RULE = Rule(
    name="alternate-state",
    code="BL206",
    severity=INFO,
    summary="Checkbox states other than '[ ]' and '[x]' ('[~]', '[-]', '[/]' ...): GitHub shows them as text; said once per file.",
    check=_check,
)
