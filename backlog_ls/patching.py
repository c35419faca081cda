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


def kept_items_from_top(old_items: Sequence[Item], items: Sequence[Item]) -> int:
    """How many of ``items``' first items are ``old_items``' where they were: the same objects, or
    copies on the same lines (an edit below that made the list loose or tight copies every item:
    the same lineage, the same first line). C-level scans."""
    same = same_from_top(old_items, items)
    old_rest, rest = old_items[same:], items[same:]
    limit = min(len(old_rest), len(rest))
    if not limit:
        return same
    lineages = list(map(_LINEAGE, rest[:limit]))
    differs = map(operator.or_, map(operator.is_not, map(_LINEAGE, old_rest), lineages), map(operator.ne, map(_ITEM_START, old_rest), map(_ITEM_START, rest)))
    kept = next(itertools.compress(itertools.count(), differs), limit)
    if None in lineages[:kept]:  # an item never copied has none (``model.lineage_of``): it is no copy
        kept = lineages.index(None)
    return same + kept


def same_from_top(old: Sequence, new: Sequence) -> int:
    """How many of ``new``'s first values are ``old``'s (the same objects): a C-level scan."""
    return next(itertools.compress(itertools.count(), map(operator.is_not, old, new)), min(len(old), len(new)))


def same_from_bottom(old: Sequence, new: Sequence) -> int:
    """How many of ``new``'s last values are ``old``'s (the same objects)."""
    return same_from_top(old[::-1], new[::-1])


def start_line(entry: Any) -> int:
    return entry.span.start_line


# A piece of a run: ``source[lo:hi]`` (a tuple of entries), each moved by ``delta`` lines when read.
_Piece = tuple[tuple, int, int, int]
# More pieces than this and a splice spells the run out: a lookup then reads few pieces, and the
# moves are paid once every few dozen edits instead of at each Enter.
MAX_PIECES = 24


class Moved(Sequence):
    """A run of entries (``spliced``) kept as pieces of the runs it was spliced from, their moves not
    yet made: an Enter near the top of a 20,000-task backlog moved every entry below it, 80 ms of
    new spans for the workspace index's summary and 30 for the cross-file facts, at each keystroke,
    while most of those runs are never read before the next edit replaces them. Reading it (any
    ``Sequence`` operation) makes the moves once; it is then a tuple's equal. Safe across
    threads: two first readers make the same tuple, and either is kept."""

    __slots__ = ("_pieces", "_move", "_entries", "_length")

    def __init__(self, pieces: tuple[_Piece, ...], move: Callable[[Any, int], Any]):
        self._pieces = pieces
        self._move = move
        self._entries: tuple | None = None
        self._length = sum(hi - lo for _, lo, hi, _ in pieces)

    def entries(self) -> tuple:
        """The entries, moved (made once)."""
        entries = self._entries
        if entries is None:
            entries = self._entries = _spelled(self._pieces, self._move)
            self._pieces = ((entries, 0, len(entries), 0),)  # the sources' other entries may go
        return entries

    def pieces(self) -> tuple[_Piece, ...]:
        return self._pieces

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        return self.entries()[index]

    def __iter__(self):
        return iter(self.entries())

    def __reversed__(self):
        return reversed(self.entries())

    def __contains__(self, value: object) -> bool:
        return value in self.entries()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Moved):
            return self._length == other._length and self.entries() == other.entries()
        if isinstance(other, tuple):
            return self._length == len(other) and self.entries() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.entries())

    def __add__(self, other: object):
        if isinstance(other, (tuple, Moved)):
            return _joined(self, other)
        return NotImplemented

    def __radd__(self, other: object):
        if isinstance(other, tuple):
            return _joined(other, self)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Moved({self.entries()!r})"


def _spelled(pieces: Sequence[_Piece], move: Callable[[Any, int], Any] | None) -> tuple:
    found: list = []
    for source, lo, hi, delta in pieces:
        if delta:
            found.extend([move(entry, delta) for entry in source[lo:hi]])  # type: ignore[misc]
        else:
            found.extend(source[lo:hi])
    return tuple(found)


def _pieces_of(entries: Sequence) -> tuple[_Piece, ...]:
    if isinstance(entries, Moved):
        return entries.pieces()
    entries = entries if isinstance(entries, tuple) else tuple(entries)
    return ((entries, 0, len(entries), 0),) if entries else ()


def _joined(first: tuple | Moved, second: tuple | Moved) -> tuple | Moved:
    moves = {entries._move for entries in (first, second) if isinstance(entries, Moved)}
    if len(moves) != 1:  # entries of two kinds, each moved its own way: spelled out
        return tuple(first) + tuple(second)
    return _run(_pieces_of(first) + _pieces_of(second), moves.pop())


def _run(pieces: Sequence[_Piece], move: Callable[[Any, int], Any]) -> tuple | Moved:
    pieces = tuple(piece for piece in pieces if piece[1] < piece[2])
    if not any(piece[3] for piece in pieces) and len(pieces) <= 1:
        return pieces[0][0][pieces[0][1] : pieces[0][2]] if pieces else ()
    if len(pieces) > MAX_PIECES:
        return _spelled(pieces, move)
    return Moved(pieces, move)


def _cut(pieces: Sequence[_Piece], line: int) -> tuple[int, int]:
    """Where the first entry starting on ``line`` or after is: (the piece, the index in its source)."""
    for place, (source, lo, hi, delta) in enumerate(pieces):
        if hi > lo and start_line(source[hi - 1]) + delta >= line:
            return place, bisect.bisect_left(source, line - delta, lo, hi, key=start_line)
    return len(pieces), 0


def _before(pieces: Sequence[_Piece], line: int) -> list[_Piece]:
    """The pieces of the entries starting above ``line``."""
    place, at = _cut(pieces, line)
    found = list(pieces[:place])
    if place < len(pieces):
        source, lo, _, delta = pieces[place]
        found.append((source, lo, at, delta))
    return found


def _from(pieces: Sequence[_Piece], line: int) -> list[_Piece]:
    """The pieces of the entries starting on ``line`` or below it."""
    place, at = _cut(pieces, line)
    if place == len(pieces):
        return []
    source, _, hi, delta = pieces[place]
    return [(source, at, hi, delta), *pieces[place + 1 :]]


def entries_on(entries: Sequence, first: int, last: int) -> Sequence:
    """The entries starting on lines ``first``..``last``: the entries of a block lie on its lines and
    the runs are in block order, so their first lines rise from block to block."""
    if isinstance(entries, Moved) and entries._entries is None:
        return _spelled(_before(_from(entries.pieces(), first), last + 1), entries._move)
    low = bisect.bisect_left(entries, first, key=start_line)
    return entries[low : bisect.bisect_left(entries, last + 1, key=start_line, lo=low)]


def spliced(entries: Sequence, first: int, old_last: int, new: tuple, delta: int, move: Callable[[Any, int], Any]) -> tuple | Moved:
    """``entries`` with those on lines ``first``..``old_last`` replaced by ``new`` and those below
    moved by ``delta`` lines (``move(entry, delta)``): a ``Moved`` that makes the moves when read."""
    pieces = _pieces_of(entries)
    below = _from(pieces, old_last + 1)
    if delta:
        below = [(source, lo, hi, moved + delta) for source, lo, hi, moved in below]
    return _run([*_before(pieces, first), (new, 0, len(new), 0), *below], move)
