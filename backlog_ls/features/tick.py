"""Tick and untick tasks. Pure: a backlog, a line (or lines) and the settings in, actions out.

The cursor may be anywhere on a task's own lines (its first line or a continuation
line). States cycle in a fixed order: open, then the custom states of the
configuration in their declared order (those on the way to done: not cancelled), then
done, then open again; with no custom states that is a plain toggle. "Done" is written the way the document writes it:
``[X]`` when most of its ticked tasks use a capital X, else ``[x]``.

Only the state character changes: one edit of one character per task.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from ..config import Settings
from ..memo import BlockMemo
from ..model import Backlog, Block, Item, Span
from ..patching import edited_blocks, edited_items
from ..rules import Edit
from ..rules.common import task_label
from ..states import OPEN as OPEN_KIND, kind_of_meaning, state_kinds, task_kind
from .edits import REWRITE, SELECTION, Action, item_at, own_lines, parents_around

OPEN = " "
DONE_CHARS = ("x", "X")


def done_char(backlog: Backlog) -> str:
    """How this document ticks a task: "X" when most ticked tasks use it, else "x"."""
    cached = backlog.__dict__.get("_done_char")
    if cached is None:
        upper, lower = _document_ticks(backlog)
        cached = backlog.__dict__["_done_char"] = "X" if upper > lower else "x"
    return cached


# How many ticked tasks use "X" and "x": per block (where it sits does not matter) and per
# top-level item (a long list's unedited items are the same objects after a keystroke).
_TICKS = BlockMemo(across_moves=True)
_TREE_TICKS = BlockMemo()
# The last document counted: (its blocks, its line count, its "X" and "x" ticks). Asked by the code
# actions at the cursor after every keystroke: the next document's counts are these, less the
# blocks (the items of one long list) the edit replaced and plus those it made, the others the
# same objects or copies moved by whole lines, whose counts are the same wherever they sit.
_last_document: tuple[tuple[Block, ...], int, int, int] | None = None


def _document_ticks(backlog: Backlog) -> tuple[int, int]:
    global _last_document
    blocks, line_count = backlog.blocks, len(backlog.lines)
    last = _last_document  # read once: another thread may replace it
    if last is None:
        upper, lower = _blocks_ticks(blocks)
    else:
        old_blocks, old_line_count, upper, lower = last
        edit = edited_blocks(old_blocks, blocks, old_line_count, line_count)
        old_middle = old_blocks[edit.before : len(old_blocks) - edit.after]
        middle = blocks[edit.before : len(blocks) - edit.after]
        in_list = edited_items(old_middle, middle, edit.delta)
        if in_list is not None:  # inside one long list: the items it replaced, and those read again
            first, old_last, items = in_list
            old_items = old_middle[0].items
            low = bisect.bisect_left(old_items, first, key=_start_line)
            removed = _ticks_of(old_items[low : bisect.bisect_right(old_items, old_last, lo=low, key=_start_line)])
            added = _ticks_of(items)
        else:
            removed, added = _blocks_ticks(old_middle), _blocks_ticks(middle)
        upper += added[0] - removed[0]
        lower += added[1] - removed[1]
    _last_document = (blocks, line_count, upper, lower)
    return upper, lower


def _blocks_ticks(blocks: Iterable[Block]) -> tuple[int, int]:
    upper = lower = 0
    for block in blocks:
        if block.has_items:
            block_upper, block_lower = _TICKS.get(block, lambda block=block: _ticks_of(block.items))
            upper += block_upper
            lower += block_lower
    return upper, lower


def _start_line(item: Item) -> int:
    return item.span.start_line


def _ticks_of(items: Iterable[Item]) -> tuple[int, int]:
    upper = lower = 0
    for item in items:
        item_upper, item_lower = _TREE_TICKS.get(item, lambda item=item: _tree_ticks(item))  # type: ignore[arg-type]
        upper += item_upper
        lower += item_lower
    return upper, lower


def _tree_ticks(item: Item) -> tuple[int, int]:
    boxes = [node.checkbox for node in item.walk()]
    return boxes.count("X"), boxes.count("x")


def state_cycle(settings: Settings | None, done: str) -> list[str]:
    # Only the states on the way from open to done (in progress, review...): a cancelled or done-like
    # state is a deliberate choice, offered as its own action, never a stop of the toggle.
    custom = [
        char
        for char, meaning in (settings.states if settings else {}).items()
        if char not in (OPEN, *DONE_CHARS) and isinstance(meaning, str) and kind_of_meaning(meaning) == OPEN_KIND
    ]
    return [OPEN, *custom, done]


def next_state(current: str, cycle: Sequence[str], done: str) -> str:
    """The state after ``current``; an unknown state is ticked."""
    if current in DONE_CHARS:
        current = done
    if current not in cycle:
        return done
    return cycle[(cycle.index(current) + 1) % len(cycle)]


def set_state(task: Item, char: str) -> Edit | None:
    """The one-character edit writing ``char`` into the task's checkbox; None when it is already so."""
    span = task.checkbox_span
    if span is None or task.checkbox == char:
        return None
    return Edit(Span(span.start_line, span.start_col + 1, span.end_line, span.end_col - 1), char)


def _is_done(task: Item) -> bool:
    return task.checkbox in DONE_CHARS


def _open_tasks(item: Item, kinds: Mapping[str, str]) -> list[Item]:
    """The open tasks in ``item``'s subtree: not done, and not cancelled or deferred (those stay as they are)."""
    return [node for node in item.walk() if node.is_task and task_kind(node, kinds) == OPEN_KIND]


def _state_title(char: str, settings: Settings | None) -> str:
    meaning = (settings.state_name(char) if settings else None) or "custom state"
    return f"Mark task as {meaning} [{char}]"


def toggle_edit(backlog: Backlog, line: int, settings: Settings | None = None) -> Edit | None:
    """The edit the toggle command makes: the task on ``line`` to its next state."""
    found = item_at(backlog, line)
    if found is None:
        return None
    task = found[0]
    done = done_char(backlog)
    return set_state(task, next_state(task.checkbox or OPEN, state_cycle(settings, done), done))


def tick_actions(backlog: Backlog, line: int, settings: Settings | None = None) -> list[Action]:
    """The tick / untick actions for the task whose own text holds ``line``."""
    found = item_at(backlog, line)
    if found is None:
        return []
    task, _ = found
    done = done_char(backlog)
    state = next_state(task.checkbox or OPEN, state_cycle(settings, done), done)
    actions: list[Action] = []
    if state != done:
        step = set_state(task, state)
        if step is not None:
            title = "Untick task" if _is_done(task) and state == OPEN else _state_title(state, settings)
            actions.append(Action(title, (step,), REWRITE, preferred=True))
        if _is_done(task):
            return actions
    # An open task (in progress too) can always be ticked at once, with its cascades.
    edit = set_state(task, done)
    if edit is None:
        return actions
    actions.append(Action("Tick task", (edit,), REWRITE, preferred=not actions))
    kinds = state_kinds(settings)
    open_below = [node for node in _open_tasks(task, kinds) if node is not task]
    if open_below:
        edits = [edit] + [e for node in open_below if (e := set_state(node, done)) is not None]
        actions.append(Action(f"Tick task with all subtasks ({len(open_below)} open)", tuple(edits), REWRITE))
        return actions
    # Ticking the last open subtask: offer to tick the parents it completes too.
    parents = parents_around(backlog, task)
    closing: list[Item] = []
    closed = {id(task)}
    child = task
    while (parent := parents.get(id(child))) is not None and parent.is_task and task_kind(parent, kinds) == OPEN_KIND:
        still_open = [node for node in _open_tasks(parent, kinds) if node is not parent and id(node) not in closed]
        if still_open:
            break
        closing.append(parent)
        closed.add(id(parent))
        child = parent
    if closing:
        edits = [edit] + [e for node in closing if (e := set_state(node, done)) is not None]
        label = task_label(closing[0], backlog.lines)
        title = f"Tick task and its parent '{label}'" if len(closing) == 1 else f"Tick task and its {len(closing)} parents"
        actions.append(Action(title, tuple(edits), REWRITE))
    return actions


def selection_actions(backlog: Backlog, first_line: int, last_line: int, settings: Settings | None = None) -> list[Action]:
    """Tick every task whose own text lies in the selected lines (untick them when all are done)."""
    tasks = [
        item
        for item, _ in backlog.item_pairs
        if item.is_task and item.span.start_line <= last_line and own_lines(item)[-1] >= first_line
    ]
    if not tasks:
        return []
    done = done_char(backlog)
    if all(_is_done(task) for task in tasks):
        edits = [e for task in tasks if (e := set_state(task, OPEN)) is not None]
        title = f"Untick {len(edits)} task{'s' if len(edits) != 1 else ''} in the selection"
    else:
        edits = [e for task in tasks if not _is_done(task) and (e := set_state(task, done)) is not None]
        title = f"Tick {len(edits)} task{'s' if len(edits) != 1 else ''} in the selection"
    return [Action(title, tuple(edits), SELECTION)] if edits else []
