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

import bisect
import threading
from collections.abc import Callable, Hashable, Sequence
from itertools import compress, count, repeat
from operator import attrgetter, ge, is_not, ne, or_, sub
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
    # The section's span counted from its heading's first line: (last line - first, last column); None: not asked for.
    extent: tuple[int, int] | None = None
    seen: int = -1  # the last snapshot (``Index.serial``) it was found in, or made for


@attrs.frozen(eq=False)
class Change:
    """What a snapshot shares with the one made before it from the same document: its first ``kept``
    blocks are that one's very blocks, and its last ``moved`` are that one's last, moved by whole
    lines or not at all (the same lineages, the same gaps between them). Found by comparing the
    two snapshots' blocks (C loops, no Python step per block), so that what follows from the blocks
    (``derived``) is patched where they changed instead of made again for the whole document.
    A kept block may be a copy that did not move (the same lineage at the same line): what is
    remembered of a block is remembered by its lineage, so the two are one here."""

    kept: int
    moved: int
    count: int  # the earlier snapshot's blocks
    derived: dict  # what was made from the earlier snapshot (its ``Index.derived``)
    serial: int  # the earlier snapshot's ``Index.serial``


@attrs.frozen(eq=False)
class Index:
    """One snapshot's blocks as the regions are compared: lineages, gaps, the headings' blocks."""

    lines: Sequence[str]
    blocks: tuple[Block, ...]
    lineages: list
    gaps: list
    heads: list[int]  # the index of each heading's block, in document order (= sections' walk order)
    levels: list[int]  # each heading's level
    starts: list[int] = attrs.field(factory=list)  # each block's first line
    change: Change | None = None  # from the snapshot before, when one of the same document was indexed
    serial: int = attrs.field(factory=lambda: next(_SERIALS))  # this snapshot's number among those indexed
    # What features made from this snapshot's blocks alone, by name (a section's walk: by its
    # ``Regions`` and position): plain values (never a block, an index or a backlog), which the
    # next snapshot's ``change`` holds on to to patch them.
    derived: dict = attrs.field(factory=dict)

    def end(self, position: int) -> int:
        """The index of section ``position``'s heading block (of the block after the last, past the last section)."""
        return self.heads[position] if position < len(self.heads) else len(self.blocks)

    def section_end(self, block: int, level: int) -> int:
        """The index of the first heading block after ``block`` of ``level`` or above (the blocks' count, past the last)."""
        key = ("heads at or above", level)
        heads = self.derived.get(key)
        if heads is None:
            heads = self.derived[key] = list(compress(self.heads, map(ge, repeat(level), self.levels)))
        at = bisect.bisect_right(heads, block)
        return heads[at] if at < len(heads) else len(self.blocks)

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
    if found is not None:
        return found
    # Made under a lock: the check (a worker thread) and a request asked at once for the same new
    # snapshot made two, the second compared with the first (its trace, just recorded, had made
    # nothing yet), so every block's values were made again for the document links and the
    # progress tallies on half the keystrokes at 20,000 tasks.
    with _INDEXING:
        found = backlog.__dict__.get("_regions_index")
        if found is not None:
            return found
        blocks = backlog.blocks
        starts = list(map(attrgetter("start_line"), blocks))
        gaps = [0, *map(sub, starts[1:], starts[:-1])]
        headings = list(map(attrgetter("heading"), blocks))
        heads = list(compress(count(), headings))
        levels = list(map(attrgetter("level"), compress(headings, headings)))
        lineages = list(map(attrgetter("lineage"), blocks))
        before = _earlier(lineages)
        change = _change(before, lineages, starts, gaps) if before is not None else None
        found = Index(backlog.lines, blocks, lineages, gaps, heads, levels, starts, change)
        backlog.__dict__["_regions_index"] = found
        trace = _Trace(lineages, starts, gaps, found.derived, found.serial)
        _RECENT[:] = [*(other for other in _RECENT[-_RECENT_LIMIT + 1 :] if other is not before), trace]
        return found


_INDEXING = threading.Lock()


_SERIALS = count()


def per_block(index: Index, name: Hashable, owner: Any, value_of: Callable[[Block], Any]) -> list:
    """``value_of(block)`` for each block of the snapshot, where the value follows from the block alone
    (the same for its copies moved by whole lines) and from ``owner`` (the settings, the path), as
    ``memo.BlockMemo`` compares its keys. The values of the blocks this snapshot shares with the one
    before (``Change``) are that one's, taken over whole: ``value_of`` runs for the changed blocks alone."""
    blocks, change = index.blocks, index.change
    earlier = change.derived.get(name) if change is not None else None
    if earlier is not None and (earlier[0] is owner or earlier[0] == owner):
        before = earlier[1]
        changed = blocks[change.kept : len(blocks) - change.moved]
        values = before[: change.kept] + list(map(value_of, changed)) + before[change.count - change.moved :]
    else:
        values = list(map(value_of, blocks))
    found = index.derived.get(name)
    if found is None or not (found[0] is owner or found[0] == owner):  # the first owner's stay (one document, one settings)
        index.derived[name] = (owner, values)
    return values


@attrs.frozen(eq=False)
class _Trace:
    """What the next snapshot of a document is compared with: an ``Index`` without its blocks and lines
    (a closed document's model is not kept for it), blocks told by their lineage and first line."""

    lineages: list
    starts: list
    gaps: list
    derived: dict
    serial: int


# The snapshots indexed last (of the documents open): the next snapshot of each is compared with its
# document's last (``Change``). A few documents' worth; a snapshot not found here is indexed whole.
_RECENT: list[_Trace] = []
_RECENT_LIMIT = 8


def _earlier(lineages: list) -> _Trace | None:
    """The last snapshot indexed of the same document: one sharing its first or its last block's lineage."""
    if not lineages:
        return None
    first, last = lineages[0], lineages[-1]
    for other in reversed(_RECENT):
        if other.lineages and (other.lineages[0] is first or other.lineages[-1] is last):
            return other
    return None


def _change(before: _Trace, lineages: list, starts: list, gaps: list) -> Change:
    # Kept: the same lineage at the same line (the very block, or a copy of it that did not move).
    limit = min(len(before.lineages), len(lineages))
    kept = next(compress(count(), map(or_, map(is_not, before.lineages, lineages), map(ne, before.starts, starts))), limit)
    moved = next(compress(count(), map(is_not, reversed(before.lineages), reversed(lineages))), limit)
    # ... with the same gaps between them (the first moved block's own gap may differ: it follows the edit)
    steady = next(compress(count(), map(ne, reversed(before.gaps), reversed(gaps))), limit)
    return Change(kept, min(moved, steady + 1, limit - kept), len(before.lineages), before.derived, before.serial)


class _Walk:
    """A section's subsections as ``Regions.subsections`` walks them: their entries, and their positions,
    regions and spans (None: not asked for), which the next snapshot's walk of the section takes over."""

    __slots__ = ("found", "positions", "regions", "spans")

    def __init__(self) -> None:
        self.found: list = []
        self.positions: list[int] = []
        self.regions: list[Region] = []
        self.spans: list[Span | None] = []

    def add(self, again: Callable[[int, Region, Span | None], Any], at: int, region: Region, span: Span | None) -> None:
        """A subsection found again."""
        self.found.append(again(at, region, span))
        self.positions.append(at)
        self.regions.append(region)
        self.spans.append(span)

    def visited(self, visit: Callable[[int], Any], at: int, spans: bool) -> int:
        """``visit(at)``'s entry; the position after its subtree."""
        entry = visit(at)
        self.found.append(entry)
        self.positions.append(at)
        self.regions.append(entry.region)
        self.spans.append(entry.span if spans else None)
        return at + entry.region.sections


# The fewest subsections whose walk a snapshot keeps for the next (``Regions.subsections``): below it,
# keeping the walk costs about what looking each of them up again does.
_KEPT_WALKS = 8


class Regions:
    """One feature's regions, by the lineage of their heading's block, under a key (its settings)."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo = BlockMemo(across_moves=True)

    def find(
        self, index: Index, position: int, key: Any = None, shape: Callable[[Span], Hashable] | None = None
    ) -> tuple[Region, Span | None] | None:
        """The region remembered for the section at ``position`` (walk order), with the section's span,
        when none of its blocks changed and ``shape(span)`` (what else its answer reads) is its
        ``shape``; None otherwise. Without ``shape`` the span is not worked out (None).

        A section that lies in what this snapshot shares with the one before (``Change``), its
        heading and the heading that ends it included, and that was found in that one, is found
        again without comparing its blocks or its shape: neither changed, by the blocks' lineages.
        So after a keystroke the sections around the edit are compared, and each other one costs
        a lookup (the sections of a changed parent are still visited, one step each)."""
        head = index.heads[position]
        region = self._memo.peek(index.blocks[head], key)
        if region is MISSING:
            return None
        after = position + region.sections
        end = index.end(after)
        change = index.change
        if change is not None and region.seen == change.serial:
            count = len(index.blocks)
            if end < change.kept or (head >= count - change.moved and end < count):
                region.seen = index.serial
                extent = region.extent
                if shape is None or extent is None:
                    return region, None if shape is None else index.span(position, region.sections)
                first = index.blocks[head].heading.span.start_line  # type: ignore[union-attr]
                return region, Span(first, 0, first + extent[0], extent[1])
        if after > len(index.heads):
            return None
        # The region ends where it did: at a heading of its level or above (or the document's end).
        if after < len(index.heads) and index.levels[after] > index.levels[position]:
            return None
        if index.lineages[head + 1 : end] != region.lineages or index.gaps[head + 1 : end] != region.gaps:
            return None
        span = None
        if shape is not None:
            span = index.span(position, region.sections)
            if region.shape != shape(span):
                return None
        region.seen = index.serial
        return region, span

    def subsections(
        self, index: Index, position: int, key: Any, visit: Callable[[int], Any], again: Callable[[int, Region, Span | None], Any], spans: bool
    ) -> list:
        """``visit(q)`` for the position ``q`` of each subsection of section ``position`` (-1: the
        top-level sections), in order, what it returns having the subsection's ``region``, whose size
        is the step; except that the subsections this snapshot shares with the one before (``Change``)
        are not looked up one by one:
        that snapshot's walk of the same section (its subsections' positions, regions and spans, kept
        in its ``derived``) gives them, those in its kept blocks at the same positions, those in its
        moved blocks further on by the sections added before them. Each is ``again(q, region, span)``
        (``span``: the subsection's, when ``spans``), the others ``visit(q)`` (what ``find`` misses).
        A section with a thousand subsections changes at every keystroke inside it: a lookup for
        each was most of a keystroke's outline, folds and links at 20,000 tasks."""
        heads, levels, count = index.heads, index.levels, len(index.heads)
        level = levels[position] if position >= 0 else 0
        if position + 1 >= count or levels[position + 1] <= level:  # none (most sections): nothing to keep
            return []
        change = index.change
        earlier = None
        # The earlier walk of the section at this position: before the moved blocks, the same section, or
        # the one the edit replaced (what is taken from it follows from ``Change`` alone, whichever it was).
        if change is not None and (position < 0 or heads[position] < len(index.blocks) - change.moved):
            earlier = change.derived.get((self, position))
            if earlier is not None and not (earlier[0] is key or earlier[0] == key):
                earlier = None
        walk = _Walk()
        at = position + 1
        if earlier is not None:
            _, before_positions, before_regions, before_spans, before_count = earlier
            kept_sections = bisect.bisect_left(heads, change.kept)  # the sections whose heading is in the kept blocks
            first_moved = len(index.blocks) - change.moved
            shift = count - before_count
            serial = index.serial
            taken = 0  # of the earlier walk's subsections
            while taken < len(before_positions) and before_positions[taken] == at:  # in the kept blocks, where they were
                region = before_regions[taken]
                after = at + region.sections
                if after >= kept_sections:  # it ends at or after the first changed block
                    break
                region.seen = serial
                walk.add(again, at, region, before_spans[taken])
                at = after
                taken += 1
            while at < count and levels[at] > level:
                if heads[at] >= first_moved:  # in the moved blocks: where the earlier walk had it, if it did
                    while taken < len(before_positions) and before_positions[taken] < at - shift:
                        taken += 1
                    if taken < len(before_positions) and before_positions[taken] == at - shift:
                        region = before_regions[taken]
                        after = at + region.sections
                        if after < count:  # not the document's last section (its span reads the lines after it)
                            region.seen = serial
                            span = before_spans[taken]
                            if span is not None and span.start_line != index.blocks[heads[at]].heading.span.start_line:  # type: ignore[union-attr]
                                span = self._span(index, at, region)
                            walk.add(again, at, region, span)
                            at = after
                            taken += 1
                            continue
                at = walk.visited(visit, at, spans)
        else:
            while at < count and levels[at] > level:
                at = walk.visited(visit, at, spans)
        if len(walk.positions) >= _KEPT_WALKS:
            index.derived[(self, position)] = (key, walk.positions, walk.regions, walk.spans, count)
        return walk.found

    @staticmethod
    def _span(index: Index, position: int, region: Region) -> Span:
        """A section found again's span where it is now, as ``find`` has it."""
        extent = region.extent
        if extent is None:
            return index.span(position, region.sections)
        first = index.blocks[index.heads[position]].heading.span.start_line  # type: ignore[union-attr]
        return Span(first, 0, first + extent[0], extent[1])

    def remember(
        self, index: Index, position: int, sections: int, shape: Hashable, value: Any, key: Any = None, span: Span | None = None
    ) -> Region:
        """A new region for the section at ``position`` whose subtree holds ``sections`` sections
        (``span``: the section's, when the answer reads it)."""
        head, end = index.heads[position], index.end(position + sections)
        extent = None if span is None else (span.end_line - span.start_line, span.end_col)
        region = Region(index.lineages[head + 1 : end], index.gaps[head + 1 : end], sections, shape, value, extent, index.serial)
        return self._memo.put(index.blocks[head], region, key)
