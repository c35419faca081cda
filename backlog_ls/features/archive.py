""""Archive done tasks": the section's finished task trees move to an ``## Archive`` section.

Pure: a backlog and the heading's line in, an action out. A tree moves when its
top-level task and every task below it are ticked; it moves whole (subtasks,
continuation lines), in document order, text unchanged. The archive is the first
heading titled "Archive" (any level); when there is none, ``## Archive`` is added at
the end of the document. Offered on a section's heading (not the archive's own).
Edits: one deletion per run of adjacent trees and one insertion.
"""

from __future__ import annotations

from ..model import Backlog, Item, Span
from ..rules import Edit
from .edits import REWRITE, Action, section_here

ARCHIVE = "Archive"


def _done_tree(item: Item) -> bool:
    tasks = [node for node in item.walk() if node.is_task]
    return item.is_task and all(node.is_checked for node in tasks)


def archive_actions(backlog: Backlog, line: int, newline: str = "\n") -> list[Action]:
    section = section_here(backlog, line)
    if section is None or not (section.heading.span.start_line <= line <= section.heading.span.end_line):
        return []
    if section.title.strip().lower() == ARCHIVE.lower():
        return []
    trees = [item for item in section.items if _done_tree(item) and not item.quote_depth]
    if not trees:
        return []
    lines = backlog.lines
    moved = [lines[number] for item in trees for number in range(item.span.start_line, item.span.end_line + 1)]

    runs: list[list[int]] = []
    for item in trees:
        if runs and runs[-1][1] + 1 == item.span.start_line:
            runs[-1][1] = item.span.end_line
        else:
            runs.append([item.span.start_line, item.span.end_line])
    edits = []
    for start, end in runs:
        if end + 1 < len(lines):
            edits.append(Edit(Span(start, 0, end + 1, 0), ""))
        else:
            edits.append(Edit(Span(start - 1, len(lines[start - 1]), end, len(lines[end])), ""))

    archive = next((h for h in backlog.headings if h.title.strip().lower() == ARCHIVE.lower()), None)
    if archive is not None:
        target = section_here(backlog, archive.span.start_line)
        last = target.span.end_line if target is not None else archive.span.end_line
        at = Span.on_line(last, len(lines[last]), len(lines[last]))
        edits.append(Edit(at, "".join(newline + text for text in moved)))
    else:
        last = len(lines) - 1
        if lines[last] == "":
            before = "" if last == 0 or not lines[last - 1].strip() else newline
            text = before + f"## {ARCHIVE}{newline}{newline}" + "".join(text + newline for text in moved)
            edits.append(Edit(Span.on_line(last, 0, 0), text))
        else:
            text = f"{newline}{newline}## {ARCHIVE}{newline}{newline}" + newline.join(moved)
            edits.append(Edit(Span.on_line(last, len(lines[last]), len(lines[last])), text))
    count = len(trees)
    return [Action(f"Archive done tasks ({count} task{'s' if count != 1 else ''})", tuple(edits), REWRITE)]
