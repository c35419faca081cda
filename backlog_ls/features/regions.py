"""Sections found again after a keystroke: what the outline and the folds remember per section.

A section's region is its heading's block and every block after it up to the next heading
of its level or above (its subsections included). Its outline entry and its folds, with
lines counted from its heading's line, follow from the blocks of that region alone: their
texts and where each sits after the one before. A keystroke changes one block (a new
lineage) and an Enter moves the blocks below it (the same lineages, one line further
down), so after either every section but those around the edit is found again here, the
same ``Region`` as before, and its remembered answer (encoded once, ``convert.py``) is used
as it is, or with its line numbers written anew: the sections are not walked again.

The sections are found from the headings' levels as ``Backlog.sections`` finds them, without
building that tree: a snapshot's sections are walked only where they changed.
A ``Region`` holds the lineages of its blocks, never a block or an item (they would live on).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from operator import attrgetter, sub
from typing import Any

import attrs

from ..memo import MISSING, BlockMemo
from ..model import Backlog, Block, Heading, Span, section_span


@attrs.define(eq=False, weakref_slot=True)
class Region:
    """A section's region as last seen, found again (this very object) while it is the same."""

    lineages: list  # of the blocks after the heading's, in order
    gaps: list  # each of those blocks' first line minus the first line of the block before it
    sections: int  # the sections of its subtree, itself included
    shape: Hashable = None  # what else the answer reads (the section's last line, its progress ...)
    value: Any = None  # what the feature counts for the whole region (outline entries, folds)


@attrs.frozen(eq=False)
class Index:
    """One snapshot's blocks as the regions are compared: lineages, gaps, the headings' blocks."""

    lines: Sequence[str]
    blocks: tuple[Block, ...]
    lineages: list
    gaps: list
    heads: list[int]  # the index of each heading's block, in document order (= sections' walk order)
    levels: list[int]  # each heading's level

    def end(self, position: int) -> int:
        """The index of section ``position``'s heading block (of the block after the last, past the last section)."""
        return self.heads[position] if position < len(self.heads) else len(self.blocks)

    def heading(self, position: int) -> Heading:
        return self.blocks[self.heads[position]].heading  # type: ignore[return-value]

    def span(self, position: int, sections: int) -> Span:
        """Section ``position``'s span when its subtree holds ``sections`` sections, as
        ``Backlog.sections`` has it: from its heading to the last line with text before the next."""
        after = self.end(position + sections)
        next_line = self.blocks[after].start_line if after < len(self.blocks) else len(self.lines)
        return section_span(self.heading(position), next_line, self.lines)


def index(backlog: Backlog) -> Index:
    """The snapshot's ``Index``, made once per parsed snapshot."""
    found = backlog.__dict__.get("_regions_index")
    if found is None:
        blocks = backlog.blocks
        starts = list(map(attrgetter("start_line"), blocks))
        gaps = [0, *map(sub, starts[1:], starts[:-1])]
        heads = [n for n, heading in enumerate(map(attrgetter("heading"), blocks)) if heading is not None]
        levels = [blocks[n].heading.level for n in heads]  # type: ignore[union-attr]
        lineages = list(map(attrgetter("lineage"), blocks))
        found = backlog.__dict__["_regions_index"] = Index(backlog.lines, blocks, lineages, gaps, heads, levels)
    return found


def subsections(index: Index, position: int, visit: Callable[[int], Any]) -> list:
    """``visit(q)`` for the position ``q`` of each subsection of section ``position`` (-1: the top-level
    sections), in order; what it returns has the subsection's ``region``, whose size is the step."""
    level = index.levels[position] if position >= 0 else 0
    levels, count = index.levels, len(index.heads)
    found = []
    at = position + 1
    while at < count and levels[at] > level:
        entry = visit(at)
        found.append(entry)
        at += entry.region.sections
    return found


class Regions:
    """One feature's regions, by the lineage of their heading's block, under a key (its settings)."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo = BlockMemo(across_moves=True)

    def find(self, index: Index, position: int, key: Any = None) -> Region | None:
        """The region remembered for the section at ``position`` (walk order) when none of its
        blocks changed (its ``shape`` is the caller's to compare); None otherwise."""
        head = index.heads[position]
        region = self._memo.peek(index.blocks[head], key)
        if region is MISSING:
            return None
        after = position + region.sections
        if after > len(index.heads):
            return None
        end = index.end(after)
        # The region ends where it did: at a heading of its level or above (or the document's end).
        if after < len(index.heads) and index.levels[after] > index.levels[position]:
            return None
        if index.lineages[head + 1 : end] != region.lineages or index.gaps[head + 1 : end] != region.gaps:
            return None
        return region

    def remember(self, index: Index, position: int, sections: int, shape: Hashable, value: Any, key: Any = None) -> Region:
        """A new region for the section at ``position`` whose subtree holds ``sections`` sections."""
        head, end = index.heads[position], index.end(position + sections)
        region = Region(index.lineages[head + 1 : end], index.gaps[head + 1 : end], sections, shape, value)
        return self._memo.put(index.blocks[head], region, key)
