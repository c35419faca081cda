"""malformed-task (BL201): a checkbox that Markdown will not render as one, or an unknown state.

``[ x]``, ``[]`` and ``[x]text`` are shown as literal text by GitHub, and ``-[ ]``
is not even a list item, so the task silently drops out of every count. The
parser reports each with the text that repairs it; this rule words it. A state
character other than space, ``x`` and ``X`` must be declared in ``states``
(``states = { "~" = "in-progress" }``) so that a typo like ``[c]`` is caught.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Block
from . import ERROR, Context, Edit, Finding, Fix, Rule

_PARSER_PROBLEMS = ("checkbox-malformed", "checkbox-missing-space")


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    for problem in block.problems:
        if problem.code not in _PARSER_PROBLEMS:
            continue
        fixes = ()
        if problem.replacement is not None:
            fixes = (Fix(f"Write '{problem.replacement.strip()}'", (Edit(problem.span, problem.replacement),), preferred=True),)
        yield RULE.finding(problem.span, problem.message, fixes)
    known = context.settings.known_states()
    for task, _ in block.walk:
        state = task.checkbox
        if state is None:
            continue
        if state in known:
            continue
        span = task.checkbox_span
        yield RULE.finding(
            span,
            f"Unknown checkbox state '[{state}]': use '[ ]' or '[x]', or declare it in the configuration "
            f'(states = {{ "{state}" = "..." }}).',
            (
                Fix("Mark as open: '[ ]'", (Edit(span, "[ ]"),), safe=False),
                Fix("Mark as done: '[x]'", (Edit(span, "[x]"),), safe=False),
            ),
            severity="warning",
        )


RULE = Rule(
    name="malformed-task",
    code="BL201",
    severity=ERROR,
    summary="A checkbox Markdown does not render ('[ x]', '[]', '[x]text', '-[ ]'), or an undeclared state.",
    check_block=_check_block,
)
