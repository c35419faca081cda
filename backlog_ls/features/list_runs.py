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

import bisect
from collections.abc import Iterator, Sequence
from contextlib import suppress
from itertools import compress, count
from operator import attrgetter, ne, sub

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import LONG_LIST_ITEMS, Block, Item, Lineage, lineage_of
from ..patching import same_from_bottom, same_from_top

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

    def each(self, block: Block) -> Iterator[tuple[Run, tuple[Item, ...], int]]:
        """Each run with its items and how many lines below them the run lies in ``block`` (the list
        they were cut from, or a copy of it moved).

        A copy an Enter above moved makes its items only when first read (``Block.moved_from``),
        and on a keystroke nothing else reads those of a long list below the edit: the items are
        those of the block it was moved from (``Block.unmoved``, the same items but for their
        lines), and the delta says how far to move what is made of them."""
        unmoved = block.unmoved
        items, bounds, delta = unmoved.items, self.bounds, block.start_line - unmoved.start_line
        for at, run in enumerate(self.runs):
            yield run, items[bounds[at] : bounds[at + 1]], delta


def is_long(block: Block) -> bool:
    """Whether ``block`` is a list long enough to be re-read item by item, and so kept in runs
    (a list's block holds nothing but its items: no heading, no prose of its own)."""
    return block.kind == "list" and block.item_count >= LONG_LIST_ITEMS


def list_runs(block: Block) -> ListRuns:
    """The runs of a long list, cut once per block (and its copies moved by whole lines)."""
    found = _CUT.peek(block)
    if found is MISSING:
        # Cut from the items of the block a copy an Enter moved was moved from: the same items but
        # for their lines, and the runs hold only lineages and gaps, so the copy's are not made.
        found = _CUT.put(block, _cut(block.unmoved.items))
    return found


_CUT = BlockMemo(across_moves=True)  # block lineage -> its ``ListRuns`` (runs hold lineages, never items)
_RUNS = LineageMemo()  # the lineage of a run's last item -> that run
_ITEM_START = attrgetter("span.start_line")
_LINEAGE = attrgetter("lineage")


def _cut(items: tuple[Item, ...]) -> ListRuns:
    global _last_cut
    last = _last_cut  # read once: another thread may replace it
    found = _recut(last, items) if last is not None else None
    if found is None:
        lineages = _lineages(items)
        starts = list(map(_ITEM_START, items))
        runs, ends = _runs_of(lineages, _gaps(starts))
        found = ListRuns(tuple(runs), (0, *ends)), lineages, starts
    cut, lineages, starts = found
    _last_cut = (items, lineages, starts, cut)
    return cut


def _lineages(items: Sequence[Item]) -> list[Lineage]:
    lineages = list(map(_LINEAGE, items))
    at = -1
    with suppress(ValueError):  # items never moved have none yet: the few read again, or all of a new list
        while True:
            at = lineages.index(None, at + 1)
            lineages[at] = lineage_of(items[at])
    return lineages


def _gaps(starts: list[int]) -> list[int]:
    return list(map(sub, starts[1:], starts[:-1]))  # gaps[n]: from item n to item n + 1


# The last list cut: its items, their lineages and first lines, and its runs. A keystroke in a long
# list leaves its items the same objects but around the edit (below an Enter, copies moved by the
# same lines, with the lineages of the old ones), so the next cut keeps the runs before and after
# the changed items and cuts only the runs between (``_recut``): at 20,000 items a keystroke reads
# one run again, where reading every item's lineage and line took 10 ms.
_last_cut: tuple[tuple[Item, ...], list[Lineage], list[int], ListRuns] | None = None


def _recut(last: tuple, items: tuple[Item, ...]) -> tuple[ListRuns, list[Lineage], list[int]] | None:
    """The runs of ``items`` (with their lineages and first lines) from those of the last list cut;
    None when the two lists share no run (another list, or most of this one changed)."""
    old_items, old_lineages, old_starts, old = last
    count, old_count = len(items), len(old_items)
    shortest = min(count, old_count)
    top = same_from_top(old_items, items)  # the same objects: the same lineages on the same lines
    bottom = same_from_bottom(old_items[top:], items[top:])
    delta = 0
    if not bottom and top < shortest:  # an Enter or a joined line in the list: the items below are copies
        delta = items[-1].span.start_line - old_items[-1].span.start_line
        limit = shortest - top
        tail = _lineages(items[count - limit :])
        bottom = _same_count(old_lineages[old_count - limit :][::-1], tail[::-1])
        # ... moved by the same lines, all of them (their gaps are the old ones)
        moved = map(_ITEM_START, items[count - bottom :])
        if bottom and any(map(ne, moved, (start + delta for start in old_starts[old_count - bottom :]))):
            bottom = 0
    bounds, runs = old.bounds, old.runs
    # Whole runs before the change and after it are the old ones; a run the change reaches is cut again.
    kept_before = bisect.bisect_right(bounds, top) - 1  # runs wholly in the first ``top`` items
    kept_after = len(runs) - bisect.bisect_left(bounds, old_count - bottom)  # ... in the last ``bottom``
    kept_after = max(0, min(kept_after, len(runs) - kept_before))
    shift = count - old_count
    # A kept run must still end where a run ends: after an item whose lineage ends runs (not only
    # because the old list ended there), and before a kept run after the change likewise.
    while kept_before and not _ends_run(lineage_of(items[bounds[kept_before] - 1])):
        kept_before -= 1
    while kept_after and (before_kept := bounds[len(runs) - kept_after] + shift) > 0 and not _ends_run(lineage_of(items[before_kept - 1])):
        kept_after -= 1
    if kept_before + kept_after == 0:
        return None
    first = bounds[kept_before]  # where the runs cut again begin, in both lists
    end = (bounds[len(runs) - kept_after] + shift) if kept_after else count  # ... and end, in the new one
    old_end = end - shift
    middle_items = items[first:end]
    middle_lineages = _lineages(middle_items)
    middle_starts = list(map(_ITEM_START, middle_items))
    middle, ends = _runs_of(middle_lineages, _gaps(middle_starts))
    tail_bounds = tuple(bound + shift for bound in bounds[len(runs) - kept_after + 1 :]) if kept_after else ()
    cut = ListRuns((*runs[:kept_before], *middle, *runs[len(runs) - kept_after :]), (*bounds[: kept_before + 1], *(first + at for at in ends), *tail_bounds))
    lineages = old_lineages[:first] + middle_lineages + old_lineages[old_end:]
    starts = old_starts[:first] + middle_starts + ([start + delta for start in old_starts[old_end:]] if delta else old_starts[old_end:])
    return cut, lineages, starts


def _ends_run(lineage: Lineage) -> bool:
    return not (id(lineage) >> 4) % _RUN_END


def _same_count(old: list, new: list) -> int:
    """How many of ``new``'s first values are ``old``'s (the same objects, or equal numbers): a C-level scan."""
    return next(compress(count(), map(ne, old, new)), min(len(old), len(new)))


def _runs_of(lineages: list, gaps: list) -> tuple[list[Run], list[int]]:
    """The runs of items with these lineages and gaps (found again where they are the same), and where each ends."""
    ends = [at for at, lineage in enumerate(lineages, 1) if not (id(lineage) >> 4) % _RUN_END]  # ``_ends_run``
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
