"""Folding ranges: sections, task trees, code and HTML blocks, front matter.

Whole lines only: every client supports those, and a backlog has nothing to fold
inside a line. A range that would fold a single line is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..model import Backlog, Item

COMMENT = "comment"  # an HTML comment block, so "fold all comments" can find it


@attrs.frozen
class Fold:
    start_line: int
    end_line: int
    kind: str | None = None


def folding_ranges(backlog: Backlog) -> list[Fold]:
    """Every fold, sorted by start line (outer before inner)."""
    folds: list[Fold] = []
    for block in backlog.blocks:
        if block.kind == "front-matter" or block.kind == "code":
            folds.append(Fold(block.start_line, block.end_line))
        elif block.kind == "html":
            first = backlog.lines[block.start_line].lstrip()
            folds.append(Fold(block.start_line, block.end_line, COMMENT if first.startswith("<!--") else None))
    for root in backlog.sections:
        for section in root.walk():
            folds.append(Fold(section.span.start_line, section.span.end_line))
    folds.extend(_item_folds(backlog.items))
    folds = [fold for fold in folds if fold.end_line > fold.start_line]
    folds.sort(key=lambda fold: (fold.start_line, -fold.end_line))
    return folds


def _item_folds(items: Iterable[Item]) -> list[Fold]:
    folds = []
    stack = list(items)
    while stack:
        item = stack.pop()
        if item.children:
            folds.append(Fold(item.span.start_line, item.span.end_line))
            stack.extend(item.children)
    return folds
