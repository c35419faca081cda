""""Move task to section": a task's whole tree moves to the end of another section's last list.

Pure: a backlog and a line in, actions (or targets and edits) out. The task is the
innermost task whose own text holds the line; it moves with its subtasks and
continuation lines (``item.span``), its text kept as written, re-indented only when
its top-level indent differs from the target list's. The target is the last
top-level list item of the section's own items (not its subsections'); a section
without a list gets the tree after its last content line (before its first
subsection). The hole left behind takes no stray blank line with it: when the tree
stood between two blank lines (or a blank line and the end of the document), one
of them goes too.

With at most ``MAX_INLINE`` sections the server offers one action per target; with
more, one command that asks the user (``nearest_targets`` picks the choices).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..model import Backlog, Item, Section, Span
from ..rules import Edit
from ..rules.common import is_dod_title
from .edits import REWRITE, Action, headings_with_items, item_at, section_here

MAX_INLINE = 12  # sections; above this, one "Move task to section…" command instead
MAX_CHOICES = 20  # sections offered by the command's message request
COMMAND_TITLE = "Move task to section…"


def all_sections(backlog: Backlog) -> list[Section]:
    """Every section in document order, listed once per parsed snapshot (each code action asks)."""
    found = backlog.__dict__.get("_all_sections")
    if found is None:
        found = backlog.__dict__["_all_sections"] = [section for root in backlog.sections for section in root.walk()]
    return found


def task_to_move(backlog: Backlog, line: int) -> Item | None:
    found = item_at(backlog, line)
    if found is None or found[0].quote_depth:
        return None
    return found[0]


def targets(backlog: Backlog, task: Item) -> list[Section]:
    """Every section the task can move to: those holding tasks (not the title above them, not a
    Definition of Done), but the one it is directly in, in document order."""
    return list(_targets(backlog, task))


def _targets(backlog: Backlog, task: Item) -> Iterator[Section]:
    own = backlog.section_at(task.span.start_line)
    for section in all_sections(backlog):
        if section is not own and any(True for _ in section.tasks()) and not is_dod_title(section.title):
            yield section


def nearest_targets(backlog: Backlog, task: Item, limit: int = MAX_CHOICES) -> list[Section]:
    """The ``limit`` targets whose headings are nearest the task, in document order."""
    found = targets(backlog, task)
    line = task.span.start_line
    nearest = sorted(range(len(found)), key=lambda i: (abs(found[i].heading.span.start_line - line), i))[:limit]
    return [found[i] for i in sorted(nearest)]


def title_for(section: Section) -> str:
    return f"Move task to '{section.title.strip()}'"


def _reindent(lines: Sequence[str], delta: int) -> list[str]:
    if delta == 0:
        return list(lines)
    out = []
    for text in lines:
        if not text.strip():
            out.append(text)
        elif delta > 0:
            out.append(" " * delta + text)
        else:
            strip = min(-delta, len(text) - len(text.lstrip(" ")))
            out.append(text[strip:])
    return out


def _deletion(lines: Sequence[str], start: int, end: int) -> Edit:
    """Remove lines ``start..end`` and, when they stood between blank lines, one blank line."""
    prev_blank = start > 0 and not lines[start - 1].strip()
    if end + 1 >= len(lines):  # the tree ends the document, without a final newline
        first = start - 2 if prev_blank and start >= 2 else start - 1
        if first < 0:
            return Edit(Span(start, 0, end, len(lines[end])), "")
        return Edit(Span(first, len(lines[first]), end, len(lines[end])), "")
    next_blank = not lines[end + 1].strip()
    at_eof = end + 1 == len(lines) - 1 and lines[end + 1] == ""
    if prev_blank and at_eof:
        return Edit(Span(start - 1, 0, end + 1, 0), "")
    if (prev_blank or start == 0) and next_blank and not at_eof:
        return Edit(Span(start, 0, end + 2, 0), "")
    return Edit(Span(start, 0, end + 1, 0), "")


def _last_list_item(section: Section) -> Item | None:
    return next((item for item in reversed(section.items) if not item.quote_depth), None)


def move_edits(backlog: Backlog, task: Item, target: Section, newline: str = "\n") -> tuple[Edit, ...]:
    """The edits moving ``task``'s tree to the end of ``target``'s last list."""
    lines = backlog.lines
    start, end = task.span.start_line, task.span.end_line
    tree = lines[start : end + 1]
    last = _last_list_item(target)
    if last is not None:
        moved = _reindent(tree, last.indent - task.indent)
        at = last.span.end_line
        insertion = Edit(Span.on_line(at, len(lines[at]), len(lines[at])), "".join(newline + text for text in moved))
    else:
        stop = target.children[0].heading.span.start_line if target.children else target.span.end_line + 1
        at = max(target.heading.span.end_line, backlog.last_content_line(stop))
        moved = _reindent(tree, -task.indent)
        insertion = Edit(Span.on_line(at, len(lines[at]), len(lines[at])), newline + "".join(newline + text for text in moved))
    return (_deletion(lines, start, end), insertion)


def move_actions(backlog: Backlog, line: int, newline: str = "\n", limit: int = MAX_INLINE) -> list[Action]:
    """One action per target section, when the document has at most ``limit`` sections."""
    task = task_to_move(backlog, line)
    if task is None or len(backlog.headings) > limit:  # a section per heading
        return []
    return [Action(title_for(section), move_edits(backlog, task, section, newline), REWRITE) for section in targets(backlog, task)]


def offers_command(backlog: Backlog, line: int, limit: int = MAX_INLINE) -> bool:
    """Whether the server offers the "Move task to section…" command (too many sections to list)."""
    task = task_to_move(backlog, line)
    # That there is a target says it (the command lists them only when run): the first section with
    # tasks but the task's own, found without building the document's section tree.
    return task is not None and len(backlog.headings) > limit and _has_target(backlog, task)


def _has_target(backlog: Backlog, task: Item) -> bool:
    """Whether ``_targets`` yields a section: one with tasks, not a Definition of Done, not the task's own."""
    own = section_here(backlog, task.span.start_line)
    for heading, items in headings_with_items(backlog):
        if heading is not (own.heading if own else None) and not is_dod_title(heading.title):
            if any(node.is_task for item in items for node in item.walk()):
                return True
    return False
