"""Folding ranges: sections, task trees, code and HTML blocks, front matter.

Whole lines only: every client supports those, and a backlog has nothing to fold
inside a line. A range that would fold a single line is left out.

The folds inside a block (its code, its task trees) are found once per block and
remembered relative to its first line, so they hold when an Enter above moves it
(``memo.BlockMemo(across_moves=True)``); only the sections' folds are found each time.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..memo import MISSING, BlockMemo
from ..model import Backlog, Block, Item

COMMENT = "comment"  # an HTML comment block, so "fold all comments" can find it


@attrs.frozen
class Fold:
    start_line: int
    end_line: int
    kind: str | None = None


@attrs.frozen(eq=False)
class BlockFolds:
    """The folds inside one block: (first, last, kind) with lines counted from the block's first."""

    block: Block
    relative: tuple[tuple[int, int, str | None], ...]


def folding_ranges(backlog: Backlog) -> list[Fold]:
    """Every fold, sorted by start line (outer before inner)."""
    folds: list[Fold] = []
    for entry in fold_entries(backlog):
        if isinstance(entry, Fold):
            folds.append(entry)
        else:
            first = entry.block.start_line
            folds.extend(Fold(first + start, first + end, kind) for start, end, kind in entry.relative)
    return folds


_BLOCK_FOLDS = BlockMemo(across_moves=True)


def fold_entries(backlog: Backlog) -> list[Fold | BlockFolds]:
    """The folds in document order: each section's ``Fold``, each block's ``BlockFolds``."""
    sections = iter([section for root in backlog.sections for section in root.walk()])
    entries: list[Fold | BlockFolds] = []
    for block in backlog.blocks:
        if block.heading is not None:
            span = next(sections).span
            if span.end_line > span.start_line:
                entries.append(Fold(span.start_line, span.end_line))
            continue
        relative = _BLOCK_FOLDS.peek(block)
        if relative is MISSING:
            relative = _BLOCK_FOLDS.put(block, _block_folds(block, backlog.lines))
        if relative:
            entries.append(BlockFolds(block, relative))
    return entries


def _block_folds(block: Block, lines) -> tuple[tuple[int, int, str | None], ...]:
    folds: list[Fold] = []
    if block.kind == "front-matter" or block.kind == "code":
        folds.append(Fold(block.start_line, block.end_line))
    elif block.kind == "html":
        first = lines[block.start_line].lstrip()
        folds.append(Fold(block.start_line, block.end_line, COMMENT if first.startswith("<!--") else None))
    folds.extend(_item_folds(block.items))
    folds = [fold for fold in folds if fold.end_line > fold.start_line]
    folds.sort(key=lambda fold: (fold.start_line, -fold.end_line))
    start = block.start_line
    return tuple((fold.start_line - start, fold.end_line - start, fold.kind) for fold in folds)


def _item_folds(items: Iterable[Item]) -> list[Fold]:
    folds = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if item.children:
            folds.append(Fold(item.span.start_line, item.span.end_line))
            stack.extend(item.children)
    return folds
