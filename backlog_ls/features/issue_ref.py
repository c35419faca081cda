""""Add issue reference": a placeholder written the way the document writes its issues.

Pure: a backlog and a line in, an action out. The style (``#TBD`` or ``Issue #TBD``,
in parentheses or not, in the bold title, before or after the text) is the one
missing-issue's fix uses (``rules.common.PlaceholderStyle``).
"""

from __future__ import annotations

from ..model import Backlog
from ..rules import Edit
from ..rules.common import task_index
from .edits import REWRITE, Action, item_at

TITLE = "Add issue reference"


def add_issue_actions(backlog: Backlog, line: int) -> list[Action]:
    """For the task on ``line`` when it names no issue and no placeholder yet."""
    found = item_at(backlog, line)
    if found is None:
        return []
    task = found[0]
    if task.refs.issues or task.refs.placeholders:
        return []
    style = task_index(backlog).placeholder_style
    span, text = style.edit_for(task, backlog.lines)
    return [Action(f"{TITLE} '{style.written}'", (Edit(span, text),), REWRITE)]
