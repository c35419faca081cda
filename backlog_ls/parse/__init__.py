"""Markdown text to the backlog model: a full parse, and a re-parse after an edit.

Both never raise. A re-parse reads again only the top-level blocks an edit
touched and reuses the rest, and its result equals a full parse of the new text
(``tests/test_incremental.py`` checks that with random edits).

Why this is exact: at the start of a top-level block the parser holds no state
but its position, so if a block starts at line p in both the old and the new
text, and the text from p on is unchanged, everything from p on parses the same.
Reading therefore starts at a block that begins safely before the edit and stops
at the first block start after the edit that was also a block start before it.

A backlog may be one long list (thousands of tasks in one block). An edit inside it
reads again only the top-level items around the edit (``_reparse_in_list``): a list
item ends where the next item's marker starts, whatever came before, so when the items
read again begin and end as the unedited ones beside them did, the rest of the list is
what it was, but for looseness: a blank line between two items (or inside one) makes
every item of the list loose, and the list remembers which items make it so.
"""

from __future__ import annotations

import bisect
import gc
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..model import LONG_LIST_ITEMS, Backlog, Block, Item, Lineage, Span, walk_items

# ``blocks`` (and so mistletoe, which takes some 170 ms to import) is imported on first
# use: ``parse.inline`` is needed by features that must load before any document arrives.

__all__ = ["parse", "parse_lines", "reparse"]

# How many blocks before the edit reading starts: one block's end can depend on the
# line after it (a setext underline, a table's delimiter row), so go back two.
_BLOCKS_BEFORE = 2


_paused = 0  # how many threads are building a model now
_paused_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a model.

    The model is acyclic, so reference counting frees it; but building one creates
    hundreds of thousands of objects, and each full collection then walks the
    whole heap: on a 20,000-task backlog that made a re-parse five times slower.
    The collector is one for the process: it runs again when the last thread
    building a model is done (and only if it ran before the first began).
    """
    global _paused, _resume
    with _paused_lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0:
                _settle_young_objects()
                if _resume:
                    gc.enable()


_resume = True
# The collector's thresholds in a process that holds models (``tune_garbage_collector``).
_YOUNG_THRESHOLD = 50_000
# More young objects than this after a pause (a model built or moved) are frozen: the
# first-generation threshold, past which the collector would walk them all at the next allocation.
_FREEZE_ABOVE = _YOUNG_THRESHOLD
# Every this many freezes the frozen objects are handed back to the collector's oldest generation
# instead, so what cyclic garbage was frozen with a model is collected in the end.
_THAW_EVERY = 256
_freezes = 0


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector's pauses rarer and shorter, in the server and in the
    workspace index's worker processes (the CLI's short run leaves it as it is).

    A parsed 20,000-task backlog is some 500,000 tracked objects that live until
    the next edit, and every full collection walks them all. Measured in-process on
    a busy two-core machine, an edit plus an outline of 2,000 tasks took 118 ms
    median and 175-190 ms p95 with the default settings, 68-88 and 80-140 with
    these. A worker reading 500 backlogs of 50 tasks, 16 at a time, spent 3.7-3.9 s
    of CPU with the defaults and 2.9-3.0 with these (the summaries it builds are
    young objects the default thresholds walk again and again). The model holds no
    reference cycles, so its memory is still freed by reference counting at once;
    only cyclic garbage waits a little longer.
    """
    gc.freeze()  # the modules loaded so far live as long as the process: never scan them
    gc.set_threshold(_YOUNG_THRESHOLD, 20, 100)


def _settle_young_objects() -> None:
    """Move a new model out of the collector's sight instead of letting it be walked.

    What was built while the collector was paused is all young, and the next collection
    would walk every object of it while holding up every thread: over half a second after
    a 3 MB backlog, so a hover on another document waited that long; an Enter in a 20,000-task
    backlog moves some 150,000 objects, whose collections (the young one, then the next
    generation's) cost a third of the keystroke. A model has no cycles (reference counting
    frees it, frozen or not), so freezing it costs nothing; what cyclic garbage the process
    holds this moment (a few dozen objects) is frozen too, until the next thaw.
    """
    global _freezes
    if gc.get_count()[0] > _FREEZE_ABOVE:
        _freezes += 1
        if _freezes % _THAW_EVERY:
            gc.freeze()
        else:
            gc.unfreeze()


def parse(text: str) -> Backlog:
    from ..text import split_lines

    lines, _ = split_lines(text)
    return parse_lines(lines)


def parse_lines(lines: Sequence[str]) -> Backlog:
    from .blocks import front_matter_end, read_blocks

    blocks: list[Block] = []
    start = 0
    end = front_matter_end(lines)
    if end is not None:
        blocks.append(Block(kind="front-matter", start_line=0, end_line=end))
        start = end + 1
    with collector_paused():
        read, _ = read_blocks(lines, start, lambda line: False)
    blocks.extend(read)
    return Backlog(lines, tuple(blocks))


def reparse(old: Backlog, lines: Sequence[str], first: int, old_last: int, new_last: int) -> Backlog:
    """Parse ``lines`` again after an edit that replaced old lines first..old_last with new first..new_last."""
    from .blocks import front_matter_end, read_blocks

    old_blocks = old.blocks
    old_front = old_blocks[0].end_line if old_blocks and old_blocks[0].kind == "front-matter" else None
    if front_matter_end(lines) != old_front:
        # An edit far below can open or close front matter (its closing line): read it all.
        return parse_lines(lines)
    starts = [block.start_line for block in old_blocks]
    within = _reparse_in_list(old_blocks, starts, lines, first, old_last, new_last)
    if within is not None:
        return Backlog(lines, within)
    # Reading starts at a block that begins before the edit, with margin; an edit among
    # the first blocks reads from the top (after front matter, which was checked above
    # to be unchanged). Either way reading stops as soon as the old blocks resume.
    floor, top = (0, 0) if old_front is None else (1, old_front + 1)
    keep = bisect.bisect_left(starts, first) - _BLOCKS_BEFORE
    if keep <= floor:
        keep, start = floor, top
    else:
        start = old_blocks[keep].start_line

    resumed = _Resumed(old_blocks, old_last, new_last)
    with collector_paused():
        read, stopped = read_blocks(lines, start, resumed.stop_at)
        tail = resumed.blocks_from(stopped)
    return Backlog(lines, old_blocks[:keep] + tuple(read) + tail)


class _Resumed:
    """Where a reading after an edit (old lines ..``old_last`` became ..``new_last``) meets the old
    blocks again: at an old block's start below the edit, in new numbering (``stop_at``), and the
    old blocks from there on, moved by the lines the edit added (``blocks_from``)."""

    def __init__(self, old_blocks: tuple[Block, ...], old_last: int, new_last: int) -> None:
        self._old_blocks = old_blocks
        self._new_last = new_last
        self._delta = delta = new_last - old_last
        self._at = {block.start_line + delta: index for index, block in enumerate(old_blocks) if block.start_line > old_last}

    def stop_at(self, line: int) -> bool:
        return line > self._new_last and line in self._at

    def blocks_from(self, stopped: int | None) -> tuple[Block, ...]:
        from .shift import shift_block

        if stopped is None:
            return ()
        return tuple(shift_block(block, self._delta) for block in self._old_blocks[self._at[stopped] :])


# Unedited items read again on each side of an edit: the judges that the list resumes as it was.
_ITEMS_AROUND = 1


def _reparse_in_list(
    old_blocks: tuple[Block, ...], starts: list[int], lines: Sequence[str], first: int, old_last: int, new_last: int
) -> tuple[Block, ...] | None:
    """The blocks after an edit within one long list, reading only the items around it (None: read blocks);
    at its last items or below it, from an item before the edit on (``_list_tail_read_again``).

    Looseness belongs to the whole list, and follows from which items make it loose
    (``Block.loose_items``): those read again say it for themselves but the last, whose
    blank lines after it were left out of the reading; every other item says what it said.
    """
    index = bisect.bisect_right(starts, first) - 1
    if index < 0:
        return None
    block = old_blocks[index]
    items = block.items
    if block.kind != "list" or len(items) < LONG_LIST_ITEMS or block.inner_blocks or block.problems:
        return None  # (problems: a full read lists the checkbox ones first, then the others by line)
    was_loose = items[0].loose
    if was_loose != bool(block.loose_items):
        return None  # an item the model could not place made the list loose: read it all
    item_starts = [item.span.start_line for item in items]
    low = bisect.bisect_right(item_starts, first) - 1 - _ITEMS_AROUND
    if low < 0 or first <= items[low].span.end_line:
        return None  # the edit must leave a whole unedited item before it
    high = bisect.bisect_right(item_starts, old_last) - 1 + _ITEMS_AROUND
    if high >= len(items) or old_last > block.end_line:
        # At the list's last items, or below it: what is typed after a list (a new last task)
        # may join it. Read from an item before the edit on, until the old blocks resume.
        with collector_paused():
            return _list_tail_read_again(old_blocks, index, lines, low, old_last, new_last)
    if old_last >= items[high].span.start_line:
        return None  # the edit must leave whole unedited items on both sides
    delta = new_last - old_last
    window_start = items[low].span.start_line
    window_end = items[high].span.end_line + delta
    window = lines[: window_end + 1]
    fits, deepest = _nesting_after_edit(block, lines, window, window_start)
    if not fits:
        return None
    # The collector is paused over the rebuilt list too: at 20,000 tasks an Enter moves 10,000
    # items, and a collection in between walks the whole model again and again.
    with collector_paused():
        return _list_read_again(old_blocks, index, window, window_start, window_end, low, high, delta, deepest)


def _list_read_again(
    old_blocks: tuple[Block, ...],
    index: int,
    window: Sequence[str],
    window_start: int,
    window_end: int,
    low: int,
    high: int,
    delta: int,
    deepest: int | None,
) -> tuple[Block, ...] | None:
    """``_reparse_in_list`` once the window is chosen: items ``low``..``high`` read again from ``window``."""
    from .blocks import read_blocks
    from .shift import shift_block, shift_item, with_looseness

    block = old_blocks[index]
    items = block.items
    was_loose = items[0].loose
    read, _ = read_blocks(window, window_start, lambda line: False)
    if len(read) != 1 or read[0].kind != "list" or read[0].inner_blocks or read[0].problems:
        return None
    new_items = read[0].items
    if read[0].end_line != window_end or len(new_items) < 2 or new_items[0].loose != bool(read[0].loose_items):
        return None
    # Items low..high-1 became new_items[:-1].
    added = len(new_items) - 1 - (high - low)
    kept = block.loose_items
    below, above = bisect.bisect_left(kept, low), bisect.bisect_left(kept, high)
    later = kept[above:]
    loose_items = (
        kept[:below]
        + tuple(low + n for n in read[0].loose_items if n < len(new_items) - 1)
        + (tuple(n + added for n in later) if added else later)
    )
    loose = bool(loose_items)
    flipped = loose != was_loose
    after = shift_item(items[high], delta, loose) if delta else with_looseness(items[high], loose)
    if with_looseness(new_items[0], was_loose) != items[low] or with_looseness(new_items[-1], loose) != after:
        return None
    head = tuple(with_looseness(item, loose) for item in items[: low + 1]) if flipped else items[: low + 1]
    tail = items[high + 1 :]
    if delta:
        tail = tuple(shift_item(item, delta, loose) for item in tail)
    elif flipped:
        tail = tuple(with_looseness(item, loose) for item in tail)
    middle = tuple(with_looseness(item, loose) for item in new_items[1:-1])
    rebuilt = Block(
        kind="list",
        start_line=block.start_line,
        end_line=block.end_line + delta,
        items=head + middle + (after,) + tail,
        loose_items=loose_items,
        walk=None if flipped else _walk_kept(block, low, high, middle, after, tail, delta),
    )

    if deepest is not None:
        _DEEPEST[rebuilt.lineage] = deepest
    moved = tuple(shift_block(other, delta) for other in old_blocks[index + 1 :])
    return old_blocks[:index] + (rebuilt,) + moved


def _list_tail_read_again(
    old_blocks: tuple[Block, ...], index: int, lines: Sequence[str], low: int, old_last: int, new_last: int
) -> tuple[Block, ...] | None:
    """The blocks after an edit at the end of a long list or below it (old lines ..``old_last``
    became ..``new_last``): its items from ``low`` on read again with the lines after them, until
    the old blocks resume; a keystroke on the line after a list of 20,000 tasks read it all (2 s)."""
    from .blocks import read_blocks
    from .shift import with_looseness

    block = old_blocks[index]
    items = block.items
    was_loose = items[0].loose
    window_start = items[low].span.start_line
    fits, deepest = _nesting_after_edit(block, lines, lines, window_start)
    if not fits or block.link_definitions:
        return None
    resumed = _Resumed(old_blocks, old_last, new_last)  # (the old blocks below the edit follow the list)
    read, stopped = read_blocks(lines, window_start, resumed.stop_at)
    if not read or read[0].kind != "list" or read[0].start_line != window_start:
        return None
    tail_list = read[0]
    new_items = tail_list.items
    if tail_list.inner_blocks or tail_list.problems or tail_list.link_definitions or new_items[0].loose != bool(tail_list.loose_items):
        return None
    # Item ``low`` was not edited: it reads as it did, but for the looseness of the list it is read in.
    if with_looseness(new_items[0], was_loose) != items[low]:
        return None
    kept = block.loose_items
    loose_items = kept[: bisect.bisect_left(kept, low)] + tuple(low + n for n in tail_list.loose_items)
    loose = bool(loose_items)
    head = tuple(with_looseness(item, loose) for item in items[:low]) if loose != was_loose else items[:low]
    rebuilt = Block(
        kind="list",
        start_line=block.start_line,
        end_line=tail_list.end_line,
        items=head + tuple(with_looseness(item, loose) for item in new_items),
        loose_items=loose_items,
    )
    if deepest is not None:
        _DEEPEST[rebuilt.lineage] = deepest
    return old_blocks[:index] + (rebuilt, *read[1:]) + resumed.blocks_from(stopped)


def _walk_kept(
    block: Block, low: int, high: int, middle: tuple[Item, ...], after: Item, tail: tuple[Item, ...], delta: int
) -> tuple[tuple[Item, Item | None], ...]:
    """The rebuilt list's walk: the old walk's pairs for the items kept as they were, new ones for the rest."""
    before = block.walk[: _first_pair(block, low + 1)]
    if delta:
        return before + walk_items(middle + (after,) + tail)
    return before + walk_items(middle) + block.walk[_first_pair(block, high) :]


def _first_pair(block: Block, index: int) -> int:
    """Where the pairs of the block's top-level item ``index`` start in its walk (depth first: at its first line)."""
    if index >= block.item_count:
        return len(block.walk)
    return bisect.bisect_left(block.walk, block.items[index].span.start_line, key=_pair_line)


def _pair_line(pair: tuple[Item, Item | None]) -> int:
    return pair[0].span.start_line


# A long list's deepest nesting (``nesting.measure`` from its first line), or a bound on it, by
# lineage: its copies moved by whole lines share it.
_DEEPEST: weakref.WeakKeyDictionary[Lineage, int] = weakref.WeakKeyDictionary()


def _nesting_after_edit(block: Block, lines: Sequence[str], window: Sequence[str], window_start: int) -> tuple[bool, int | None]:
    """Whether the edited list nests shallow enough for mistletoe (``nesting``), and a bound on its
    depth when the whole list had to be counted (None when it need not be).

    An item's depth is its own, but the bound on depth times size counts the whole list, which
    only a big document can reach: there the whole list is measured once, and after that the
    deeper of what it was and what the items read again bounds it, with the whole document's
    size for the list's.
    """
    from . import nesting

    window_deepest = nesting.measure(window, window_start)[1]
    characters = sum(map(len, lines)) + len(lines)
    if characters * nesting.MAX_NESTING <= nesting.MAX_NESTED_CHARACTERS:
        return not nesting.too_deep(window_deepest, 0), None
    before = _DEEPEST.get(block.lineage)
    if before is not None and not nesting.too_deep(max(before, window_deepest), characters):
        return True, max(before, window_deepest)
    _, deepest, region_characters = nesting.measure(lines, block.start_line)
    return not nesting.too_deep(deepest, region_characters), deepest


def block_span(block: Block, lines: Sequence[str]) -> Span:
    return Span(block.start_line, 0, block.end_line, len(lines[block.end_line]))
