"""placeholder-issue (BL102): a task names a placeholder (#TBD, #TODO, #?, #XXX, #n) instead of its issue.

A placeholder marks an issue that is not filed yet. On an open task that is a
reminder (a hint); on a ticked task it is a gap in the record, because finished
work must name its issue (a warning). Every placeholder in a list item is
reported, in tasks, subtasks and plain bullets alike (a plain bullet counts as
open); placeholders in headings and prose paragraphs, which usually explain the
convention, are not. File the issue, then write its number in place of the
placeholder.

Bad:

    - [x] **Task 14.2 (#TBD):** Extend the security model.

Good:

    - [x] **Task 14.2 (Issue #49):** Extend the security model.
    - [ ] **Task 14.8 (#TBD):** Presence monitor (open: a hint until the issue is filed).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import NO_REFERENCES, Item
from . import HINT, WARNING, Context, Finding, Rule


def _check_item(context: Context, item: Item) -> Iterator[Finding]:
    # Every placeholder of an item and the items below it: the findings of a top-level item depend
    # on it alone, so the engine keeps them per item, and moves them with its copies (an Enter above).
    yield from _findings(node for node in item.walk() if node.refs is not NO_REFERENCES and node.refs.placeholders)


def _findings(items) -> Iterator[Finding]:
    for item in items:
        checked = item.is_checked
        for placeholder in item.refs.placeholders:
            text = placeholder.text
            if checked:
                message = (
                    f"Finished task names a placeholder '{text}' instead of its issue: finished work must "
                    "name its issue; write its number here (file the issue first if there is none)."
                )
                yield RULE.finding(placeholder.span, message, severity=WARNING)
            else:
                message = f"'{text}' stands for an issue not filed yet: file it and write its number here."
                yield RULE.finding(placeholder.span, message)


RULE = Rule(
    name="placeholder-issue",
    code="BL102",
    severity=HINT,
    summary="A placeholder (#TBD, #TODO, #?) where an issue number belongs; a warning on a finished task.",
    check_item=_check_item,
    lines_in_text=False,  # no message names a line: a copy's findings are the block's, moved
    variants=(("warning", "a placeholder on a ticked task, whose issue should be known by now"),),
)
