""""Renumber tasks in section": the section's task IDs become K.1 ... K.n in document order.

Pure: a backlog and a line in, an action out. K is the section's heading number
("## Phase 3: ..." -> 3). Only the leading IDs of the section's own top-level tasks
with a dotted number ("Task 3.2", "T3.2") are rewritten, keeping their word; an ID
mentioned elsewhere ("depends on Task 3.1") is left as written. Offered on the
heading and on those tasks' lines, when at least one ID changes.
"""

from __future__ import annotations

from ..model import Backlog, Section
from ..rules import Edit
from ..rules.common import lead_task_id
from .edits import REWRITE, Action, own_lines


def _numbered(section: Section, backlog: Backlog):
    for item in section.items:
        if not item.is_task:
            continue
        task_id = lead_task_id(item, backlog.lines)
        if task_id is not None and "." in task_id.number:
            yield item, task_id


def renumber_actions(backlog: Backlog, line: int) -> list[Action]:
    section = backlog.section_at(line)
    if section is None or not section.number:
        return []
    numbered = list(_numbered(section, backlog))
    on_heading = section.heading.span.start_line <= line <= section.heading.span.end_line
    if not numbered or not (on_heading or any(line in own_lines(item) for item, _ in numbered)):
        return []
    edits = []
    for index, (_, task_id) in enumerate(numbered, start=1):
        wanted = f"{section.number}.{index}"
        if task_id.number != wanted:
            span = task_id.span
            edits.append(Edit(span._replace(start_col=span.end_col - len(task_id.number)), wanted))
    if not edits:
        return []
    return [Action(f"Renumber tasks in section {section.number} ({len(edits)} IDs change)", tuple(edits), REWRITE)]
