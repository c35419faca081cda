"""Editing actions as plain values: a title, the kind of action, and minimal edits.

The pure features ``tick``, ``formatting`` and ``split`` return these; ``convert.py``
turns them into code actions tied to the document version. Edits are ``rules.Edit``
values (code point spans), so ``fixes.apply_fixes`` applies them in tests as the
editor would.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence

import attrs

from ..model import Backlog, Block, Heading, Item, Span, section_span
from ..rules import Edit

REWRITE = "rewrite"  # a refactoring on the item under the cursor: refactor.rewrite
SELECTION = "selection"  # an action over the selected lines: source.backlog-ls.*


@attrs.frozen
class Action:
    title: str
    edits: tuple[Edit, ...]
    kind: str = REWRITE
    preferred: bool = False


def own_lines(item: Item) -> range:
    """The lines of an item's own text (its first line and continuation lines, not its children)."""
    last = max(item.text_span.end_line, item.span.start_line)
    if item.children:
        last = min(last, item.children[0].span.start_line - 1)
    # Never empty: in "10. + a" the first child starts on the item's own first line.
    return range(item.span.start_line, max(last, item.span.start_line) + 1)


def item_at(backlog: Backlog, line: int, *, tasks_only: bool = True) -> tuple[Item, Item | None] | None:
    """The innermost (task) item whose own text holds ``line``, with its parent."""
    block = backlog.block_at(line)  # an item's lines are its block's: the others need no look
    if block is None:
        return None
    # Asked on every keystroke (code actions at the cursor): read the tree of the top-level item that
    # starts last at or above the line, not the whole list. Its items come last in the block's walk
    # (document order), so a match there is the one a walk through the whole block would keep.
    items = block.items
    first = bisect.bisect_right(items, line, key=_start_line) - 1
    found = _last_at(items[max(first, 0) :], line, tasks_only)
    if found is None and first > 0:
        # An item's own lines lie within its span, and the spans of a block's items follow one
        # another: only items whose span reaches the line (in practice none) can hold it. (Walking
        # every item above took 14 ms of each code action on a blank line in a list of 2,000.)
        low = first
        while low > 0 and items[low - 1].span.end_line >= line:
            low -= 1
        found = _last_at(items[low:first], line, tasks_only)
    return found


def _start_line(item: Item) -> int:
    return item.span.start_line


def _last_at(items: Sequence[Item], line: int, tasks_only: bool) -> tuple[Item, Item | None] | None:
    found = None
    for top in items:
        stack: list[tuple[Item, Item | None]] = [(top, None)]
        while stack:  # depth first, in document order (``Block.walk``'s order)
            item, parent = stack.pop()
            if item.span.start_line > line:
                return found
            if (item.is_task or not tasks_only) and line in own_lines(item):
                found = (item, parent)
            stack.extend((child, item) for child in reversed(item.children))
    return found


def parents_around(backlog: Backlog, item: Item) -> dict[int, Item | None]:
    """The parent of each item in ``item``'s top-level tree (so its ancestors'), by ``id``: what
    ``parents_of`` tells of them, without reading the rest of the document."""
    block = backlog.block_at(item.span.start_line)
    if block is not None:
        first = bisect.bisect_right(block.items, item.span.start_line, key=_start_line) - 1
        if first >= 0:
            pairs: dict[int, Item | None] = {}
            stack: list[tuple[Item, Item | None]] = [(block.items[first], None)]
            while stack:
                node, parent = stack.pop()
                pairs[id(node)] = parent
                stack.extend((child, node) for child in node.children)
            if id(item) in pairs:
                return pairs
    return parents_of(backlog)


@attrs.frozen
class SectionHere:
    """The innermost section around a line, as ``Backlog.section_at`` finds it (its heading, span
    and own items), without its subsections: found from the headings near the line, so that a code
    action asked on every keystroke does not build the whole document's section tree."""

    heading: Heading
    span: Span
    items: tuple[Item, ...]  # top-level list items directly in the section (not in subsections)

    @property
    def title(self) -> str:
        return self.heading.title

    @property
    def number(self) -> str | None:
        return self.heading.number


def section_here(backlog: Backlog, line: int) -> SectionHere | None:
    """The innermost section whose span holds ``line`` (``Backlog.section_at``'s), or None.

    The sections holding a line are the one of the last heading at or above it and that
    heading's ancestors (each the nearest heading above of a lower level): the first of them,
    going up, whose span (to the last line with text before the next heading of its level or
    above) reaches the line is the innermost.
    """
    blocks = backlog.blocks
    places = _heading_places(backlog)
    at = bisect.bisect_right(places, line, key=lambda index: blocks[index].start_line) - 1
    level = None
    while at >= 0:
        heading = blocks[places[at]].heading
        if level is None or heading.level < level:
            level = heading.level
            following = next((blocks[index].start_line for index in places[at + 1 :] if blocks[index].heading.level <= level), len(backlog.lines))
            span = section_span(heading, following, backlog.lines)
            if span.start_line <= line <= span.end_line:
                return SectionHere(heading, span, _own_items(blocks, places[at]))
            if level == 1:
                return None  # no heading above can hold it
        at -= 1
    return None


def _heading_places(backlog: Backlog) -> list[int]:
    """The index in ``backlog.blocks`` of each heading, once per parsed snapshot."""
    found = backlog.__dict__.get("_heading_places")
    if found is None:
        found = backlog.__dict__["_heading_places"] = [index for index, block in enumerate(backlog.blocks) if block.heading is not None]
    return found


def headings_with_items(backlog: Backlog) -> Iterator[tuple[Heading, tuple[Item, ...]]]:
    """Each heading with its section's own items, in document order, read as far as asked."""
    blocks = backlog.blocks
    for index in _heading_places(backlog):
        yield blocks[index].heading, _own_items(blocks, index)


def _own_items(blocks: Sequence[Block], heading_at: int) -> tuple[Item, ...]:
    items: list[Item] = []
    for block in blocks[heading_at + 1 :]:
        if block.heading is not None:
            break
        items.extend(block.items)
    return tuple(items)


def items_in(backlog: Backlog, first_line: int, last_line: int) -> list[tuple[Item, Item | None]]:
    """Every item whose first line lies in ``first_line..last_line``, in document order."""
    return [(item, parent) for item, parent in backlog.item_pairs if first_line <= item.span.start_line <= last_line]


def parents_of(backlog: Backlog) -> dict[int, Item | None]:
    return {id(item): parent for item, parent in backlog.item_pairs}


def line_edits(before: Sequence[str], after: Sequence[str]) -> list[Edit]:
    """Minimal edits from one list of lines to another of the same length: per changed line,
    only the run of characters between the common prefix and the common suffix."""
    from ..fixes import in_line_edit

    found = (in_line_edit(number, old, new) for number, (old, new) in enumerate(zip(before, after)))
    return [edit for edit in found if edit is not None]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text after ``edits`` (which must not overlap): for tests and previews."""
    from ..fixes import apply_fixes
    from ..rules import Fix

    edits = tuple(edits)
    if not edits:
        return text
    applied = apply_fixes(text, [Fix("edits", edits)])
    if not applied.applied:
        raise ValueError("the edits overlap")
    return applied.text
