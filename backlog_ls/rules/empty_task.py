"""empty-task (BL202): a checkbox with no task after it.

An empty ``- [ ]`` renders as a checkbox with nothing beside it: it counts as an
open task in every progress figure, yet says nothing about what is to be done.
It is usually a line started and never finished, or left behind when the text
was moved elsewhere. A task whose text starts on the next line is not empty, and
neither is a list of one empty box (``## Next`` over ``- [ ]``): a slot a template
leaves to fill.

The fix deletes the line; it is never applied by ``check --fix`` (the author may
have meant to write something), and it is not offered when sub-tasks hang below.

Bad:

    - [x] Write the parser
    - [ ]
    - [ ] Write the checker

Good:

    - [x] Write the parser
    - [ ] Write the checker
"""

from __future__ import annotations

from collections.abc import Iterator

from ..memo import LineageMemo, long_list_values
from ..model import LONG_LIST_ITEMS, Backlog, Block, Item, Span
from . import WARNING, Context, Edit, Finding, Fix, Rule
from .common import BlockValues
from .inconsistent_marker import LIST_KINDS


def _block_tasks(block: Block, lines) -> tuple[Item, ...]:
    """The tasks of one block with no text (usually none), from the block's own lines alone: it
    is remembered while the block lives, and moves with it (whether a heading is above, which
    makes a lone empty box a template slot, is asked in ``_check``, for the few blocks with one)."""
    if not block.has_items:
        return ()
    if block.item_count >= LONG_LIST_ITEMS:  # item by item: a keystroke in the list reads one again
        return tuple(long_list_values(block.items, _ITEM_HAS_EMPTY, lambda item: _empty_tasks([item], lines)))
    return _empty_tasks(block.items, lines)


_ITEM_HAS_EMPTY = LineageMemo()  # a top-level item of a long list -> whether it holds an empty task


def _empty_tasks(items, lines) -> tuple[Item, ...]:
    found = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if item.checkbox is not None and not item.text and not _has_own_text(item, lines):
            found.append(item)
        if item.children:
            stack.extend(item.children)
    return tuple(found)


def _template_slot(block: Block, lines) -> bool:
    """A heading's whole list is one empty box ("## Next" over "- [ ]"): a slot a template leaves to fill."""
    item = block.items[0]
    if block.item_count != 1 or item.children or item.checkbox is None or item.quote_depth:
        return False
    above = block.start_line - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    return above >= 0 and lines[above].lstrip().startswith("#")


def _has_own_text(item: Item, lines) -> bool:
    """True when a line of the item outside its sub-items holds text (a task written on the next line)."""
    if item.text.strip():
        return True
    child_lines = set()
    for child in item.children:
        child_lines.update(range(child.span.start_line, child.span.end_line + 1))
    for line in range(item.span.start_line + 1, item.span.end_line + 1):
        if line not in child_lines and lines[line].strip(" \t>"):
            return True
    return False


_MEMO = BlockValues(_block_tasks, kinds=LIST_KINDS)


def _delete_line(backlog: Backlog, line: int) -> Edit:
    """Remove a whole line with its line break (and one blank line when blanks surround it)."""
    lines = backlog.lines
    last = len(lines) - 1
    end = line + 1
    if 0 < line < last and not lines[line - 1].strip() and end < last and not lines[end].strip():
        end += 1  # "a\n\n- [ ]\n\nb" -> "a\n\nb", not two blank lines
    if end <= last:
        return Edit(Span(line, 0, end, 0), "")
    if line == 0:
        return Edit(Span(0, 0, line, len(lines[line])), "")
    return Edit(Span(line - 1, len(lines[line - 1]), line, len(lines[line])), "")


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    for block, tasks in _MEMO.each(backlog.blocks, backlog.lines):
        if tasks and _template_slot(block, backlog.lines):
            continue
        for task in tasks:
            box = task.checkbox_span
            span = Span(task.marker_span.start_line, task.marker_span.start_col, box.end_line, box.end_col)
            fixes = ()
            if not task.children and task.span.start_line == task.span.end_line:
                fixes = (Fix("Delete the empty task", (_delete_line(backlog, task.line),), safe=False),)
            written = backlog.lines[span.start_line][span.start_col : span.end_col]
            yield RULE.finding(span, f"Empty task: '{written}' has no text.", fixes)


RULE = Rule(
    name="empty-task",
    code="BL202",
    severity=WARNING,
    summary="A checkbox with no task text after it ('- [ ]' alone on its line).",
    check=_check,
)
