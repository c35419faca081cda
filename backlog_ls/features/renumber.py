""""Renumber tasks in section": the section's task IDs become K.1 ... K.n in document order.

Pure: a backlog and a line in, an action out. K is the section's heading number
("## Phase 3: ..." -> 3). Only the leading IDs of the section's own top-level tasks
with a dotted number ("Task 3.2", "T3.2") are rewritten, keeping their word; an ID
mentioned elsewhere ("depends on Task 3.1") is left as written. Offered on the
heading and on those tasks' lines, when at least one ID changes.
"""

from __future__ import annotations

import re

from ..model import Backlog, Heading, Section, Span
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


# --- "Renumber phases" ---------------------------------------------------------------------------
#
# Offered (never applied by fix-all or formatting: some plans keep phases out of order on
# purpose) on a heading with a "Phase N" style number: every heading of the same level
# whose title starts with the same word and a plain number ("Phase 7", "**Stage 2**")
# becomes 1..n in document order, and the leading dotted task IDs of the tasks under each
# (its subsections included) that start with the old number follow ("Task 7.2" under the
# phase that becomes 8 -> "Task 8.2"). Edits cover the digits only.

_PHASE = re.compile(r"^[^\w]*(?P<word>[A-Za-z]+)[ \t]*[-#]?[ \t]*(?P<number>\d+)(?![\w]|\.\d)")


def _phase_number(heading: Heading, lines) -> tuple[str, Span] | None:
    """The heading's word (lowercase) and the span of its number's digits."""
    if heading.number is None or not heading.number.isdigit():
        return None
    span = heading.title_span
    text = lines[span.start_line][span.start_col : span.end_col if span.end_line == span.start_line else None]
    match = _PHASE.match(text.replace("*", " ").replace("_", " "))
    if match is None or match.group("number") != heading.number:
        return None
    start = span.start_col + match.start("number")
    return match.group("word").lower(), Span.on_line(span.start_line, start, start + len(heading.number))


def _sections_by_heading(backlog: Backlog) -> dict[int, Section]:
    return {section.heading.span.start_line: section for root in backlog.sections for section in root.walk()}


def renumber_phases_actions(backlog: Backlog, line: int) -> list[Action]:
    lines = backlog.lines
    here = next((h for h in backlog.headings if h.span.start_line <= line <= h.span.end_line), None)
    found = _phase_number(here, lines) if here is not None else None
    if found is None:
        return []
    word = found[0]
    phases = [
        (heading, numbered)
        for heading in backlog.headings
        if heading.level == here.level and (numbered := _phase_number(heading, lines)) is not None and numbered[0] == word
    ]
    sections = _sections_by_heading(backlog)
    edits = []
    changed = 0
    for index, (heading, (_, span)) in enumerate(phases, start=1):
        old, new = heading.number, str(index)
        if old == new:
            continue
        changed += 1
        edits.append(Edit(span, new))
        section = sections.get(heading.span.start_line)
        if section is None:
            continue
        for inner in section.walk():
            for task in inner.tasks():
                task_id = lead_task_id(task, lines)
                if task_id is None or "." not in task_id.number:
                    continue
                first = task_id.number.split(".", 1)[0]
                if first != old:
                    continue
                start = task_id.span.end_col - len(task_id.number)
                edits.append(Edit(Span.on_line(task_id.span.start_line, start, start + len(first)), new))
    if not changed:
        return []
    title = f"Renumber phases 1..{len(phases)} ({changed} heading{'s' if changed != 1 else ''} change)"
    return [Action(title, tuple(edits), REWRITE)]
