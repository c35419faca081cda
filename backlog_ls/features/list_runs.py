"""A long list's items in runs, found again from one keystroke to the next.

A keystroke in a long list re-reads the items around it (``parse._reparse_in_list``): the
list's block is new, but its other items are kept, or moved by whole lines with their lineage.
What a feature makes of the list (outline entries, folds, links, progress figures, their
JSON) it keeps per run of consecutive top-level items: a run ends after an item whose lineage's
address falls on ``_RUN_END`` (about one in 31), so the ends go with the items and an inserted
or edited item changes its own run only (or merges two). A run is found again, the very ``Run``
object, while its items have the same lineages and the same gaps between their first lines;
what features keep on it (``Run.values``, through a ``memo.LineageMemo``) is counted from its
first item's line, so it holds wherever the run moved. After a keystroke in a list of 2,000
items one run is made again and some 60 cost a lookup each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from operator import attrgetter, sub

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import LONG_LIST_ITEMS, Block, Item, Lineage, lineage_of

# A run ends after an item whose lineage's address, in 16-byte units, is a multiple of this.
_RUN_END = 31


class Run(Lineage):
    """Consecutive items of a long list as last seen; carries ``values`` as a lineage does.

    Kept on the lineage of its last item (``_RUNS``), with the lineages of the others: never
    an item, and never that last lineage itself (it holds the run: a cycle).
    """

    __slots__ = ("lineages", "gaps")

    def __init__(self, lineages: tuple[Lineage, ...], gaps: tuple[int, ...]) -> None:
        super().__init__()
        self.lineages = lineages  # of its items but the last, in order
        self.gaps = gaps  # each item's first line minus that of the item before it (the first item's left out)


@attrs.frozen(eq=False)
class ListRuns:
    """A long list's runs, and where each begins among its items."""

    runs: tuple[Run, ...]
    bounds: tuple[int, ...]  # the index of each run's first item, then the items' count

    def each(self, block: Block) -> Iterator[tuple[Run, tuple[Item, ...]]]:
        """Each run with its items in ``block`` (the list they were cut from, or a copy of it moved)."""
        items, bounds = block.items, self.bounds
        for at, run in enumerate(self.runs):
            yield run, items[bounds[at] : bounds[at + 1]]


def is_long(block: Block) -> bool:
    """Whether ``block`` is a list long enough to be re-read item by item, and so kept in runs
    (a list's block holds nothing but its items: no heading, no prose of its own)."""
    return block.kind == "list" and len(block.items) >= LONG_LIST_ITEMS


def list_runs(block: Block) -> ListRuns:
    """The runs of a long list, cut once per block (and its copies moved by whole lines)."""
    found = _CUT.peek(block)
    if found is MISSING:
        found = _CUT.put(block, _cut(block.items))
    return found


_CUT = BlockMemo(across_moves=True)  # block lineage -> its ``ListRuns`` (runs hold lineages, never items)
_RUNS = LineageMemo()  # the lineage of a run's last item -> that run
_ITEM_START = attrgetter("span.start_line")
_LINEAGE = attrgetter("lineage")


def _cut(items: tuple[Item, ...]) -> ListRuns:
    lineages = list(map(_LINEAGE, items))
    at = -1
    with suppress(ValueError):  # items never moved have none yet: the few read again, or all of a new list
        while True:
            at = lineages.index(None, at + 1)
            lineages[at] = lineage_of(items[at])
    starts = list(map(_ITEM_START, items))
    gaps = list(map(sub, starts[1:], starts[:-1]))  # gaps[n]: from item n to item n + 1
    runs, ends = _runs_of(lineages, gaps)
    return ListRuns(tuple(runs), (0, *ends))


def _runs_of(lineages: list, gaps: list) -> tuple[list[Run], list[int]]:
    """The runs of items with these lineages and gaps (found again where they are the same), and where each ends."""
    ends = [at for at, lineage in enumerate(lineages, 1) if not (id(lineage) >> 4) % _RUN_END]
    if lineages and (not ends or ends[-1] != len(lineages)):
        ends.append(len(lineages))
    runs = []
    first = 0
    peek = _RUNS.peek
    for end in ends:
        last = lineages[end - 1]
        before, between = tuple(lineages[first : end - 1]), tuple(gaps[first : end - 1])
        run = peek(last)
        if run is MISSING or run.gaps != between or run.lineages != before:
            run = _RUNS.put(last, Run(before, between))
        runs.append(run)
        first = end
    return runs, ends
