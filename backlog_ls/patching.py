"""Values derived from a document's blocks, brought up to date after an edit by patching the last ones.

What the workspace index keeps of an open document (``workspace_index.summary``) and what the
cross-file rules take of it (``rules.across_files.facts_of``) are flat runs of entries in block
order, each with a ``span`` on its block's lines. After an edit, the blocks before it are the same
objects (``parse.reparse``) and those after it are the same or copies moved by whole lines (same
``lineage``): ``edited_blocks`` finds the blocks between, and ``spliced`` replaces their entries in
the old run with those read again, moving the entries below. Pure, no IO.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .model import LONG_LIST_ITEMS, Block, Item


class Edit(NamedTuple):
    """Blocks ``before`` (from the top) are as they were and ``after`` (from the bottom) moved by
    ``delta`` lines; old lines ``first``..``old_last`` became ``first``..``old_last + delta``."""

    before: int
    after: int
    first: int
    old_last: int
    delta: int
    text_first: int  # ``first`` before the headings read again and found equal: any line may differ from here


def edited_blocks(old_blocks: Sequence[Block], blocks: Sequence[Block], old_line_count: int, line_count: int) -> Edit:
    delta = line_count - old_line_count
    shared = min(len(old_blocks), len(blocks))
    before = same_from_top(old_blocks, blocks)
    after = moved_from_bottom(old_blocks[before:], blocks[before:], delta)
    text_first = old_blocks[before - 1].end_line + 1 if before else 0
    # The re-parse reads a few unedited blocks again before the edit (``parse.reparse``): a heading
    # read again equal to the old one (its title and spans: its whole line) has the old one's entries.
    while before < shared - after and old_blocks[before].heading is not None and old_blocks[before] == blocks[before]:
        before += 1
    first = old_blocks[before - 1].end_line + 1 if before else 0
    old_last = old_blocks[len(old_blocks) - after].start_line - 1 if after else old_line_count - 1
    return Edit(before, after, first, old_last, delta, text_first)


def moved_from_bottom(old_blocks: Sequence[Block], blocks: Sequence[Block], delta: int) -> int:
    """How many of ``blocks``' last blocks are ``old_blocks``' moved down by ``delta`` lines: the same
    objects, or copies an edit above them moved by whole lines (``parse.shift``: the same lineage)."""
    return _moved_from_bottom(old_blocks, blocks, delta, _BLOCK_START)


def edited_items(old_middle: tuple[Block, ...], middle: tuple[Block, ...], delta: int):
    """For an edit inside one long list (``parse.reparse`` keeps its other items) that moves the
    lines below the list by ``delta``, as it moves the blocks below: the old lines of the items it
    replaced (first, last) and the items to read again; else None."""
    if len(old_middle) != 1 or len(middle) != 1:
        return None
    old, new = old_middle[0], middle[0]
    if old.kind != "list" or new.kind != "list" or old.start_line != new.start_line or new.end_line - old.end_line != delta:
        return None
    if len(old.items) < LONG_LIST_ITEMS or len(new.items) < LONG_LIST_ITEMS or old.refs or new.refs:
        return None
    old_items, items = old.items, new.items
    before = same_from_top(old_items, items)
    after = moved_items_from_bottom(old_items[before:], items[before:], delta)
    first = old_items[before - 1].span.end_line + 1 if before else old.start_line
    old_last = old_items[len(old_items) - after].span.start_line - 1 if after else old.end_line
    return first, old_last, items[before : len(items) - after]


def moved_items_from_bottom(old_items: Sequence[Item], items: Sequence[Item], delta: int) -> int:
    """As ``moved_from_bottom``, for the items of a list."""
    return _moved_from_bottom(old_items, items, delta, _ITEM_START)


_BLOCK_START = operator.attrgetter("start_line")
_ITEM_START = operator.attrgetter("span.start_line")
_LINEAGE = operator.attrgetter("lineage")


def _moved_from_bottom(old: Sequence, new: Sequence, delta: int, start_of: Callable[[Any], int]) -> int:
    # Scans in C: an Enter at the middle of a list of 20,000 items moves 10,000 of them.
    if not delta:
        after = same_from_bottom(old, new)
        old, new = old[: len(old) - after], new[: len(new) - after]
    else:
        after = 0
    old_lineages, lineages = list(map(_LINEAGE, reversed(old))), list(map(_LINEAGE, reversed(new)))
    same = same_from_top(old_lineages, lineages)
    if None in lineages[:same]:  # an item never moved has none (``model.lineage_of``): it is no copy
        same = lineages.index(None)
    moved_by = map(operator.sub, map(start_of, reversed(new[len(new) - same :])), map(start_of, reversed(old[len(old) - same :])))
    return after + next(itertools.compress(itertools.count(), map(delta.__ne__, moved_by)), same)


def same_from_top(old: Sequence, new: Sequence) -> int:
    """How many of ``new``'s first values are ``old``'s (the same objects): a C-level scan."""
    return next(itertools.compress(itertools.count(), map(operator.is_not, old, new)), min(len(old), len(new)))


def same_from_bottom(old: Sequence, new: Sequence) -> int:
    """How many of ``new``'s last values are ``old``'s (the same objects)."""
    return same_from_top(old[::-1], new[::-1])


def start_line(entry: Any) -> int:
    return entry.span.start_line


def entries_on(entries: Sequence, first: int, last: int) -> Sequence:
    """The entries starting on lines ``first``..``last``: the entries of a block lie on its lines and
    the runs are in block order, so their first lines rise from block to block."""
    low = bisect.bisect_left(entries, first, key=start_line)
    return entries[low : bisect.bisect_left(entries, last + 1, key=start_line, lo=low)]


def spliced(entries: tuple, first: int, old_last: int, new: tuple, delta: int, move: Callable[[Any, int], Any]) -> tuple:
    """``entries`` with those on lines ``first``..``old_last`` replaced by ``new`` and those below
    moved by ``delta`` lines (``move(entry, delta)``)."""
    low = bisect.bisect_left(entries, first, key=start_line)
    high = bisect.bisect_left(entries, old_last + 1, key=start_line, lo=low)
    below = entries[high:]
    if delta and below:
        below = tuple([move(entry, delta) for entry in below])
    return entries[:low] + new + below
