"""malformed-task (BL201): a checkbox the renderer will not show as one.

``[ x]``, ``[]`` and ``[x]text`` are shown as literal text by GitHub, and ``-[ ]``
is not even a list item, so the task silently drops out of every count.
The parser reports each with the text that repairs it; this rule only words it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Backlog
from . import ERROR, Edit, Finding, Fix, Rule

_PARSER_PROBLEMS = ("checkbox-malformed", "checkbox-missing-space")


def _check(backlog: Backlog) -> Iterator[Finding]:
    for problem in backlog.problems:
        if problem.code not in _PARSER_PROBLEMS:
            continue
        fixes = ()
        if problem.replacement is not None:
            fixes = (Fix(f"Write '{problem.replacement.strip()}'", (Edit(problem.span, problem.replacement),)),)
        yield RULE.finding(problem.span, problem.message, fixes)


RULE = Rule(
    name="malformed-task",
    code="BL201",
    severity=ERROR,
    summary="A task checkbox written so that Markdown does not render it as a checkbox.",
    check=_check,
)
