"""inconsistent-marker (BL203): items of one list written with different markers.

A list that switches from ``-`` to ``*`` (or from ``1.`` to ``1)``) half way looks
like one list in the source, but Markdown starts a new list at every change of
bullet character: the renderer draws two lists, numbering restarts, and tools
that read "the list under this heading" see only part of it. Items whose marker
differs from the first item's are reported, and the fix writes the first item's
marker (for a numbered item only its ``.`` or ``)`` changes).

Items count as one list when they are siblings (same parent, same quote depth,
all bullets or all numbered) and follow each other with nothing in between, or
only blank lines when the markers agree. A list that changes marker after a blank
line is taken for a deliberate second list and left alone.

Bad:

    - [x] Parse the backlog
    * [ ] Check the links
    * [ ] Publish diagnostics

Good:

    - [x] Parse the backlog
    - [ ] Check the links
    - [ ] Publish diagnostics
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from ..memo import LineageMemo, long_list_values
from ..model import LONG_LIST_ITEMS, Backlog, Block, Item, Span
from . import HINT, Context, Edit, Finding, Fix, Rule
from .common import BlockValues

_BLANK = re.compile(r"[ \t>]*$")
_THEMATIC_BREAK = re.compile(r"(?:[ \t]*>)*[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


# --- shared by the list rules -------------------------------------------------------------------


LIST_KINDS = frozenset({"list", "quote"})  # the blocks that hold list items


def is_ordered(item: Item) -> bool:
    return item.marker[:1].isdigit()


def _same_list_marker(a: Item, b: Item) -> bool:
    """True when Markdown keeps ``b`` in ``a``'s list: same bullet, or same ``.``/``)`` delimiter."""
    return a.marker[-1] == b.marker[-1]


def _gap(lines: Sequence[str], before: Item, after: Item) -> tuple[bool, int]:
    """Whether only blank lines separate two items, and how many there are."""
    first, last = before.span.end_line + 1, after.span.start_line - 1
    count = 0
    for line in range(first, last + 1):
        if not _BLANK.match(lines[line]):
            return False, 0
        count += 1
    return True, count


def _joins(lines: Sequence[str], previous: Item, item: Item) -> bool:
    """Whether ``item`` continues the visual list of its sibling ``previous`` (see ``visual_lists``)."""
    if item.quote_depth != previous.quote_depth or is_ordered(item) != is_ordered(previous):
        return False
    only_blank, blank_lines = _gap(lines, previous, item)
    return only_blank and (blank_lines == 0 or _same_list_marker(previous, item))


def joined_lists(backlog: Backlog) -> Iterator[list[Block]]:
    """Runs of adjacent top-level list blocks that a reader sees as one list (Markdown split
    them where the marker changed, with no blank line between): rare, and cheap to find."""
    blocks = backlog.blocks
    lines = backlog.lines
    run: list[Block] = []
    previous = None
    for block in blocks:
        if (
            previous is not None
            and block.kind == "list"
            and previous.kind == "list"
            and block.has_items
            and previous.items
            and _joins(lines, previous.items[-1], block.items[0])
        ):
            if not run:
                run.append(previous)
            run.append(block)
        elif run:
            yield run
            run = []
        previous = block
    if run:
        yield run


def sibling_groups(blocks: Sequence[Block]) -> Iterator[Sequence[Item]]:
    """Sibling items, two or more, of a unit's blocks: their top-level items, and each item's children."""
    top = [item for block in blocks for item in block.items]
    if len(top) > 1:
        yield top
    for item in top:
        yield from _groups_below(item)


def groups_where(block: Block, holds: Callable[[Sequence[Item]], bool], memo: LineageMemo) -> tuple[Sequence[Item], ...]:
    """The sibling groups of one block (``sibling_groups``) for which ``holds`` (usually none), in
    no particular order. Those below the top-level items of a long list are found item by item
    (``long_list_values`` in ``memo``): a keystroke in the list reads one item again, not the list."""
    if not block.has_items:
        return ()
    if block.item_count < LONG_LIST_ITEMS:
        return tuple(group for group in sibling_groups((block,)) if holds(group))
    top = list(block.items)
    found = [top] if holds(top) else []
    found.extend(long_list_values(block.items, memo, lambda item: [group for group in _groups_below(item) if holds(group)]))
    return tuple(found)


def _groups_below(item: Item) -> Iterator[Sequence[Item]]:
    """Sibling items, two or more, below one item: its children, and each child's, and so on."""
    stack = [item] if item.children else []
    while stack:
        children = stack.pop().children
        if len(children) > 1:
            yield children
        for child in children:
            if child.children:
                stack.append(child)


def visual_lists(group: Sequence[Item], lines: Sequence[str]) -> Iterator[list[Item]]:
    """The runs of ``group`` (siblings) that a reader sees as one list, each of two items or more.

    Markdown ends a list where the bullet character changes; a reader does not.
    So siblings join when nothing but blank lines separates them, they sit at the
    same quote depth, they are all bullets or all numbered, and either no blank
    line separates them or their markers agree (then they are one Markdown list).
    """
    run = [group[0]]
    for item in group[1:]:
        if _joins(lines, run[-1], item):
            run.append(item)
        else:
            if len(run) > 1:
                yield run
            run = [item]
    if len(run) > 1:
        yield run


# --- the rule ------------------------------------------------------------------------------------


def _one_marker(group: Sequence[Item]) -> bool:
    """True when every item of the group ends its marker alike: then no run can mix markers."""
    marker = group[0].marker
    for item in group:
        if item.marker != marker and item.marker[-1] != marker[-1]:
            return False
    return True


def _mixed_groups(block: Block, lines: Sequence[str]) -> tuple[Sequence[Item], ...]:
    """The sibling groups of one block that mix markers (usually none)."""
    return groups_where(block, lambda group: not _one_marker(group), _ITEM_MIXED)


_ITEM_MIXED = LineageMemo()  # a top-level item of a long list -> whether a sibling group below it mixes markers


_MEMO = BlockValues(_mixed_groups, kinds=LIST_KINDS)


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    lines = backlog.lines
    groups: list[Sequence[Item]] = []
    for _, mixed in _MEMO.each(backlog.blocks, lines):
        groups.extend(mixed)
    for blocks in joined_lists(backlog):
        groups.append([item for block in blocks for item in block.items])
    seen: set[tuple[int, int]] = set()  # a joined group repeats its blocks' own top-level group
    for group in groups:
        for run in visual_lists(group, lines):
            first = run[0]
            for previous, item in zip(run, run[1:]):
                if _same_list_marker(first, item) or (item.marker_span[0], item.marker_span[1]) in seen:
                    continue
                seen.add((item.marker_span[0], item.marker_span[1]))
                yield _finding(lines, first, item, splits=not _same_list_marker(previous, item))


def _finding(lines: Sequence[str], first: Item, item: Item, splits: bool) -> Finding:
    span = item.marker_span
    why = ": GitHub ends the list here and starts another." if splits else "."
    if is_ordered(item):
        wanted = item.marker[:-1] + first.marker[-1]
        message = f"Marker '{item.marker}' ends in '{item.marker[-1]}' but this list's first item ends in '{first.marker[-1]}'{why}"
        edit = Edit(Span(span.start_line, span.end_col - 1, span.end_line, span.end_col), first.marker[-1])
    else:
        wanted = first.marker
        message = f"Marker '{item.marker}' differs from this list's first marker '{first.marker}'{why}"
        edit = Edit(span, first.marker)
    line = lines[span.start_line]
    new_line = line[: edit.span.start_col] + edit.new_text + line[edit.span.end_col :]
    fixes = ()
    empty_item = not line[span.end_col :].strip()
    if not empty_item and not _THEMATIC_BREAK.match(new_line):
        fixes = (Fix(f"Use '{wanted}' like the first item", (edit,), preferred=True),)
    return RULE.finding(span, message, fixes)


RULE = Rule(
    name="inconsistent-marker",
    code="BL203",
    severity=HINT,
    summary="Items of one list use different markers ('-' then '*', or '1.' then '1)'); GitHub splits the list there.",
    check=_check,
)
