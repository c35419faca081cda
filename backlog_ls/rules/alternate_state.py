"""alternate-state (BL206): checkbox states GitHub shows as text, said once per file.

``[~]``, ``[-]``, ``[/]`` and the other alternate states (see malformed-task) are
deliberate marks, and backlog-ls counts them by their meaning; but GitHub, and
most Markdown viewers, render only ``[ ]`` and ``[x]`` as checkboxes and show the
rest as literal text. This notice says so once per file, at info level, on the
first such task, naming what each state is read as; the other states' first
lines are its related lines. Kiro's specs mark an optional task ``- [ ]* 2.3 ...``, which
GitHub shows as text too: said in the same notice, not as a malformed box. Turn it off with ``[rules] alternate-state = "off"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..memo import MISSING, BlockMemo, LineageMemo, long_list_values
from ..model import LONG_LIST_ITEMS, Block, Item
from ..states import BUILTIN_STATES
from . import INFO, Context, Finding, Related, Rule


def _alternate(items: Iterable[Item], meanings) -> tuple[Item, ...]:
    """The tasks among ``items`` and below them whose box holds a known state other than [ ] and [x]."""
    return tuple(
        task
        for item in items
        for task in item.walk()
        if task.checkbox is not None and task.checkbox not in BUILTIN_STATES and meanings.state_name(task.checkbox) is not None
    )  # a plain box, or an unknown state (malformed-task's), is not one


# Per block, under the settings (they declare the states); most blocks have none, wherever they sit.
_BLOCKS = BlockMemo(empty_moves=True)
_ITEMS = LineageMemo()  # a top-level item of a long list -> whether it has one


def _block_tasks(block: Block, meanings) -> tuple[Item, ...]:
    if block.item_count < LONG_LIST_ITEMS:
        return _alternate(block.items, meanings)
    return tuple(long_list_values(block.items, _ITEMS, lambda item: _alternate((item,), meanings), meanings))


def _check(context: Context) -> Iterator[Finding]:
    meanings = context.settings
    first_of: dict[str, object] = {}  # state -> its first task, in document order
    count = 0
    peek, put = _BLOCKS.peek, _BLOCKS.put
    for block in context.backlog.blocks:
        if not block.has_items:
            continue
        tasks = peek(block, meanings)
        if tasks is MISSING:
            tasks = put(block, _block_tasks(block, meanings), meanings)
        for task in tasks:
            count += 1
            first_of.setdefault(task.checkbox, task)
    optional = [problem for problem in context.backlog.problems if problem.code == "checkbox-optional-mark"]
    if not first_of and not optional:
        return
    states = list(first_of)
    spans = [first_of[state].checkbox_span for state in states]
    labels = [f"First [{state}] here." for state in states]
    sentences = []
    if states:
        read_as = ", ".join(f"[{state}] as {meanings.state_name(state)}" for state in states)
        tasks = "1 task" if count == 1 else f"{count} tasks"
        boxes = ", ".join(f"[{state}]" for state in states)
        sentences.append(
            f"GitHub shows {boxes} as text, not as a checkbox ({tasks} in this file); backlog-ls reads {read_as}."
        )
    if optional:
        lines_of = context.backlog.lines
        marks = sorted({lines_of[p.span.start_line][p.span.start_col : p.span.end_col] for p in optional})
        lines = "1 line" if len(optional) == 1 else f"{len(optional)} lines"
        them = "it as a task" if len(optional) == 1 else "them as tasks"
        sentences.append(
            f"GitHub shows {', '.join(marks)} (Kiro's optional task) as text, not as a checkbox ({lines} in this file); "
            f"backlog-ls, like GitHub, does not count {them}."
        )
        spans.append(optional[0].span)
        labels.append("First optional task here.")
    order = sorted(range(len(spans)), key=lambda index: (spans[index].start_line, spans[index].start_col))
    first = spans[order[0]]
    related = [Related(spans[index], labels[index]) for index in order[1:]]
    yield RULE.finding(first, " ".join(sentences), related=related)


RULE = Rule(
    name="alternate-state",
    code="BL206",
    severity=INFO,
    summary="Checkbox states other than '[ ]' and '[x]' ('[~]', '[-]', '[/]' ...) and Kiro's optional '[ ]*': "
    "GitHub shows them as text; said once per file.",
    check=_check,
)
