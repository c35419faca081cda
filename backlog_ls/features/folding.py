"""Folding ranges: sections, task trees, code and HTML blocks, front matter.

Whole lines only: every client supports those, and a backlog has nothing to fold
inside a line. A range that would fold a single line is left out.

The folds inside a block (its code, its task trees) are found once per block and
remembered relative to its first line, so they hold when an Enter above moves it
(``memo.BlockMemo(across_moves=True)``); a section's, its subsections' included, are
remembered while none of its blocks changed (``features.regions``): after a keystroke only
the sections around the edit are walked again. A long list's folds are remembered per run of
its items (``features.list_runs``): a keystroke inside it folds one run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import Backlog, Block, Item, Span
from . import list_runs, regions

COMMENT = "comment"  # an HTML comment block, so "fold all comments" can find it


@attrs.frozen
class Fold:
    start_line: int
    end_line: int
    kind: str | None = None


@attrs.frozen(eq=False)
class BlockFolds:
    """The folds inside one block: (first, last, kind) with lines counted from the block's first.

    A long list's are kept per run of its items (``runs``, ``features.list_runs``) and joined
    into ``relative`` only when asked."""

    block: Block
    _relative: tuple[tuple[int, int, str | None], ...] | None
    count: int
    runs: tuple[RunFolds, ...] | None = None

    @property
    def relative(self) -> tuple[tuple[int, int, str | None], ...]:
        if self._relative is not None:
            return self._relative
        first = self.block.start_line
        return tuple(
            (start + moved, end + moved, kind) for run in self.runs or () for moved in (run.start_line - first,) for start, end, kind in run.relative
        )


@attrs.frozen(eq=False)
class RunFolds:
    """The folds of one run of a long list's items, lines counted from its first: ``run`` is the
    same object while they are, and ``convert.fold_entries_json`` keeps their JSON on it."""

    run: list_runs.Run
    start_line: int
    relative: tuple[tuple[int, int, str | None], ...]


@attrs.define(eq=False)
class SectionFolds:
    """A section's folds in this snapshot, its subsections' included: its own fold, its blocks'
    and its subsections', in order (``entries()``).

    ``region`` is the same object from one snapshot to the next while none of the section's
    blocks changed (``features.regions``); its ``value`` is how many folds the section makes.
    ``convert.fold_entries_json`` remembers the section's JSON by it.
    """

    position: int  # among the sections, in document order
    span: Span
    region: regions.Region
    _index: regions.Index = attrs.field(repr=False)
    _lines: Sequence[str] = attrs.field(repr=False)
    _subsections: list[SectionFolds] | None = attrs.field(default=None, repr=False)

    @property
    def start_line(self) -> int:
        return self.span.start_line

    def subsections(self) -> list[SectionFolds]:
        if self._subsections is None:
            self._subsections = _subsections(self._index, self._lines, self.position)
        return self._subsections

    def entries(self) -> list[Fold | BlockFolds | SectionFolds]:
        span = self.span
        found: list[Fold | BlockFolds | SectionFolds] = []
        if span.end_line > span.start_line:
            found.append(Fold(span.start_line, span.end_line))
        index = self._index
        for block in index.blocks[index.heads[self.position] + 1 : index.end(self.position + 1)]:
            entry = _block_entry(block, self._lines)
            if entry is not None:
                found.append(entry)
        found.extend(self.subsections())
        return found


def folding_ranges(backlog: Backlog) -> list[Fold]:
    """Every fold, sorted by start line (outer before inner)."""
    folds: list[Fold] = []

    def add(entries: Iterable[Fold | BlockFolds | SectionFolds]) -> None:
        for entry in entries:
            if isinstance(entry, Fold):
                folds.append(entry)
            elif isinstance(entry, BlockFolds):
                first = entry.block.start_line
                folds.extend(Fold(first + start, first + end, kind) for start, end, kind in entry.relative)
            else:
                add(entry.entries())

    add(fold_entries(backlog))
    return folds


_BLOCK_FOLDS = BlockMemo(across_moves=True)
# section heading's block lineage -> its ``Region``, whose ``value`` is how many folds it makes
_REGIONS = regions.Regions()


def fold_entries(backlog: Backlog) -> list[BlockFolds | SectionFolds]:
    """The folds in document order: those of the blocks before the first heading, then each
    top-level section's (``convert.fold_entries_json`` encodes each block and section once)."""
    index = regions.index(backlog)
    lines = backlog.lines
    entries: list[BlockFolds | SectionFolds] = []
    for block in index.blocks[: index.end(0)]:
        entry = _block_entry(block, lines)
        if entry is not None:
            entries.append(entry)
    entries.extend(_subsections(index, lines, -1))
    return entries


def _relative(block: Block, lines: Sequence[str]) -> tuple[tuple[int, int, str | None], ...]:
    relative = _BLOCK_FOLDS.peek(block)
    if relative is MISSING:
        relative = _BLOCK_FOLDS.put(block, _block_folds(block, lines))
    return relative


def _block_entry(block: Block, lines: Sequence[str]) -> BlockFolds | None:
    """The block's folds, None when it has none."""
    if not list_runs.is_long(block):
        relative = _relative(block, lines)
        return BlockFolds(block, relative, len(relative)) if relative else None
    runs = tuple(_run_folds(run, items, delta) for run, items, delta in list_runs.list_runs(block).each(block))
    count = sum(len(run.relative) for run in runs)
    return BlockFolds(block, None, count, tuple(run for run in runs if run.relative)) if count else None


_RUN_FOLDS = LineageMemo()  # run of a long list's items -> its items' folds, lines counted from its first


def _run_folds(run: list_runs.Run, items: tuple[Item, ...], delta: int = 0) -> RunFolds:
    """The run's folds; ``items`` lie ``delta`` lines above where the run is (``ListRuns.each``)."""
    first = items[0].span.start_line  # where the items lie: the folds are counted from it
    relative = _RUN_FOLDS.peek(run)
    if relative is MISSING:
        folds = [fold for fold in _item_folds(items) if fold.end_line > fold.start_line]
        folds.sort(key=lambda fold: (fold.start_line, -fold.end_line))
        relative = _RUN_FOLDS.put(run, tuple((fold.start_line - first, fold.end_line - first, fold.kind) for fold in folds))
    return RunFolds(run, first + delta, relative)


def _section_entry(index: regions.Index, lines: Sequence[str], position: int) -> SectionFolds:
    found = _REGIONS.find(index, position, None, _lines_spanned)
    if found is not None:
        return SectionFolds(position, found[1], found[0], index, lines)  # type: ignore[arg-type]
    subsections = _subsections(index, lines, position)
    sections = 1 + sum(entry.region.sections for entry in subsections)
    span = index.span(position, sections)
    folds = (span.end_line > span.start_line) + sum(entry.region.value for entry in subsections)
    for block in index.blocks[index.heads[position] + 1 : index.end(position + 1)]:
        entry = _block_entry(block, lines)
        folds += entry.count if entry is not None else 0
    region = _REGIONS.remember(index, position, sections, _lines_spanned(span), folds, None, span)
    return SectionFolds(position, span, region, index, lines, subsections)


def _subsections(index: regions.Index, lines: Sequence[str], position: int) -> list[SectionFolds]:
    """The subsections of a section walked again (-1: the top-level sections)."""
    return _REGIONS.subsections(
        index, position, None, lambda at: _section_entry(index, lines, at), lambda at, region, span: SectionFolds(at, span, region, index, lines), True
    )


def _lines_spanned(span: Span) -> int:
    return span.end_line - span.start_line


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
