"""Values computed from one block, remembered for as long as that very block lives.

Rules and features run on every keystroke, and an edit re-parses only the blocks it
touches: every other block of the new Backlog is the same object as before (see
``parse.reparse``). A value computed from a block alone, kept on that block object, is
therefore still right, and costs a dictionary lookup instead of a walk over the block's
items. Values go when their block is collected.

A block moved by whole lines (an Enter above it, see ``parse.shift``) is a new object with
the same text and the same ``lineage``. A value that does not depend on where the block
sits (positions relative to its first line) can be remembered ``across_moves``: keyed by
the lineage, it is found again for the moved block, so an Enter costs one block here too.
An empty value (no findings, no links) is empty wherever the block sits: a memo made with
``empty_moves`` finds it again for a moved copy even when its other values depend on the place.
"""

from __future__ import annotations

import bisect
import functools
import weakref
from collections.abc import Callable, Collection, Iterable, Sequence
from itertools import chain
from typing import Any

from .model import Block, Item, Lineage, lineage_of
from .patching import same_from_bottom, same_from_top

_MISSING = object()


class BlockMemo:
    """``get(block, compute, key)``: ``compute()`` once per block (and per ``key``, such as the settings).

    ``key`` is compared by identity first, then by equality: the settings object of a
    long-running server is the same object from one keystroke to the next.

    The value is kept on the block (or item) itself, in its ``memos`` (on its lineage's
    ``values`` when remembered ``across_moves``), by memo: it goes when the block goes, with
    no weak reference or callback per entry (those weighed more than most values). So the
    value must not hold that very block (or, across moves, the blocks of its lineage): the
    cycle would outlive them.
    """

    __slots__ = ("_across_moves", "_empty", "_elsewhere")

    def __init__(self, across_moves: bool = False, empty_moves: bool = False) -> None:
        self._across_moves = across_moves
        # Values for owners with no ``memos`` of their own (a feature's value objects), by id, with
        # a weak reference each, so that a new object with the same id is never mistaken for them.
        self._elsewhere: dict[int, tuple[weakref.ref, Any, Any]] = {}
        # block lineage -> the empty value found for a copy of the block (``empty_moves``)
        self._empty: LineageMemo | None = LineageMemo() if empty_moves else None

    def peek(self, block: Block | Item, key: Any = None) -> Any:
        """The value stored for ``block`` under ``key``, or ``MISSING``."""
        if self._across_moves:
            memos = block.lineage.values  # type: ignore[union-attr]
        else:
            memos = getattr(block, "memos", _MISSING)
            if memos is _MISSING:
                found = self._elsewhere.get(id(block))
                return found[2] if found is not None and found[0]() is block and (found[1] is key or found[1] == key) else _MISSING
        if memos is not None:
            entry = memos.get(self)
            if entry is not None and (entry[0] is key or entry[0] == key):
                return entry[1]
        if self._empty is not None:
            return self._empty.peek(block.lineage, key)  # type: ignore[arg-type]
        return _MISSING

    def put(self, block: Block | Item, value: Any, key: Any = None) -> Any:
        if self._empty is not None and not value:
            self._empty.put(block.lineage, value, key)  # type: ignore[arg-type]
        if self._across_moves:
            lineage = block.lineage
            memos = lineage.values  # type: ignore[union-attr]
            if memos is None:
                memos = lineage.values = {}  # type: ignore[union-attr]
        else:
            memos = getattr(block, "memos", _MISSING)
            if memos is _MISSING:
                return self._put_elsewhere(block, value, key)
            if memos is None:
                memos = {}
                object.__setattr__(block, "memos", memos)  # a cache on the frozen block, like ``Block.walk``
        memos[self] = (key, value)
        return value

    def _put_elsewhere(self, owner: Any, value: Any, key: Any) -> Any:
        owner_id, entries = id(owner), self._elsewhere

        def forget(reference: weakref.ref, owner_id: int = owner_id) -> None:
            current = entries.get(owner_id)
            if current is not None and current[0] is reference:
                del entries[owner_id]

        entries[owner_id] = (weakref.ref(owner, forget), key, value)
        return value

    def get(self, block: Block | Item, compute: Callable[[], Any], key: Any = None) -> Any:
        value = self.peek(block, key)
        return self.put(block, compute(), key) if value is _MISSING else value


class LineageMemo:
    """``peek`` / ``put`` a value by ``Lineage`` (of a block, or of an item: ``model.lineage_of``),
    kept on the lineage itself: no entry to forget, no weak reference, a dictionary slot each.

    For values remembered per item of a long list, where a ``BlockMemo`` entry per item (its
    weak reference and callback) weighed more than the value. The value must not hold the
    items or blocks of the lineage: they hold the lineage, and the cycle would outlive them.
    """

    __slots__ = ("_empty_entry", "last_list")

    def __init__(self) -> None:
        self._empty_entry: tuple = (None, ())  # shared by every lineage whose value is () under the same key
        # ``long_list_values``'s last list: (its items, the key, each item's values)
        self.last_list: tuple[Sequence[Item], Any, list[tuple]] | None = None

    def peek(self, lineage: Lineage, key: Any = None) -> Any:
        values = lineage.values
        if values is not None:
            entry = values.get(self)
            if entry is not None and (entry[0] is key or entry[0] == key):
                return entry[1]
        return _MISSING

    def put(self, lineage: Lineage, value: Any, key: Any = None) -> Any:
        values = lineage.values
        if values is None:
            values = lineage.values = {}
        if value == () and type(value) is tuple:
            entry = self._empty_entry
            if entry[0] is not key:
                entry = self._empty_entry = (key, ())
            values[self] = entry
        else:
            values[self] = (key, value)
        return value


class PlacedMemo:
    """``get(lineage, start, compute, key)``: a value of a block (or top-level item) that depends on
    where it sits (it holds spans), kept on its lineage with the line it started at.

    A copy moved by whole lines (Enter above it) has the same text, so its value is the one kept,
    moved by the lines between (``move(value, delta)``) instead of read again from the copy; an
    empty value is kept as ``()`` alone (most blocks'), empty wherever the block sits. As with
    ``LineageMemo``, the value must not hold the items or blocks of the lineage.
    """

    __slots__ = ("_memo", "_move")

    def __init__(self, move: Callable[[Any, int], Any]) -> None:
        self._memo = LineageMemo()
        self._move = move

    def peek(self, lineage: Lineage, start: int, key: Any = None) -> Any:
        """The value kept for the lineage, moved to ``start`` (and kept there), or ``MISSING``."""
        entry = self._memo.peek(lineage, key)
        if entry is _MISSING or not entry or entry[0] == start:
            return entry if entry is _MISSING or not entry else entry[1]
        return self.put(lineage, start, self._move(entry[1], start - entry[0]), key)

    def put(self, lineage: Lineage, start: int, value: Any, key: Any = None) -> Any:
        self._memo.put(lineage, (start, value) if value else (), key)
        return value

    def get(self, lineage: Lineage, start: int, compute: Callable[[], Any], key: Any = None) -> Any:
        value = self.peek(lineage, start, key)
        return self.put(lineage, start, compute(), key) if value is _MISSING else value


MISSING = _MISSING


def long_list_values(items: Sequence[Item], memo: LineageMemo, compute: Callable[[Item], Iterable[Any]], key: Any = None) -> list:
    """``compute(item)`` of each top-level item of a long list, concatenated, where the value may
    depend on where the item sits: computed again for every item whose value was not empty, while
    the items found empty (most of a list), moved or not, are passed by with one lookup each.

    The values of the last list are kept with its items (of the newest model only: an older one
    is let go): after a keystroke in a long list its items before and after the edit are the same
    objects on the same lines, so only the items between are looked at (found by a scan in C)."""
    if not items:
        return []
    last = memo.last_list  # read once: another thread may replace it
    before = after = 0
    old_values: list = []
    if last is not None and (last[1] is key or last[1] == key):
        old_items, _, old_values = last
        before = same_from_top(old_items, items)
        after = same_from_bottom(old_items[before:], items[before:])
    values: list = []
    peek, put = memo.peek, memo.put
    for item in items[before : len(items) - after]:
        lineage = lineage_of(item)
        filled = peek(lineage, key)
        if filled is _MISSING or filled:
            value = tuple(compute(item))
            if filled is _MISSING:
                put(lineage, True if value else (), key)
            values.append(value)
        else:
            values.append(())
    if before or after:
        values = old_values[:before] + values + old_values[len(old_values) - after :]
    memo.last_list = (items, key, values)
    return list(chain.from_iterable(values))


class BlockValues:
    """A pure function of a block, remembered per block (``BlockMemo``), over a document's blocks.

    ``each`` gives (block, value) for every block whose value is not empty, in order; blocks not
    of ``kinds`` have an empty value without asking. The last document's blocks are kept with
    those pairs: after a keystroke within a line the blocks before and after the edit are the
    same objects on the same lines, so only the blocks between are looked at (found by a scan in C).

    With ``move`` (``move(value, delta)``: the value of the block moved down by ``delta`` lines),
    the value of a block moved by whole lines (an Enter above it) is the last one moved, not
    computed again (``PlacedMemo``; ``placed``: one shared with other readers of the values).
    """

    def __init__(
        self,
        compute: Callable[[Block, Sequence[str]], Any],
        kinds: Collection[str] | None = None,
        move: Callable[[Any, int], Any] | None = None,
        placed: PlacedMemo | None = None,
    ) -> None:
        self._compute = compute
        self._kinds = kinds
        self._memo = BlockMemo(empty_moves=True)  # a pure function of the block: empty wherever it sits
        self._placed = placed if placed is not None else PlacedMemo(move) if move is not None else None
        self._last: tuple[tuple[Block, ...], list[tuple[Block, Any]]] | None = None

    def each(
        self, blocks: tuple[Block, ...], lines: Sequence[str], key: Any = None, compute: Callable[[Block], Any] | None = None
    ) -> list[tuple[Block, Any]]:
        """With ``key``, the values are those under ``key`` (what else they depend on, such as the
        document's link definitions), found by ``compute(block)`` instead of the function given."""
        last = self._last  # read once: another thread may replace it
        before = after = 0
        if last is not None and (last[0] is key or last[0] == key):
            _, old_blocks, old_pairs = last
            before = same_from_top(old_blocks, blocks)
            after = same_from_bottom(old_blocks[before:], blocks[before:])
        pairs = self._pairs(blocks[before : len(blocks) - after], lines, key, compute)
        if before or after:
            low = high = len(old_pairs)
            if before < len(old_blocks):
                low = bisect.bisect_left(old_pairs, old_blocks[before].start_line, key=_pair_line)
            if after:
                high = bisect.bisect_left(old_pairs, old_blocks[len(old_blocks) - after].start_line, lo=low, key=_pair_line)
            pairs = old_pairs[:low] + pairs + old_pairs[high:]
        self._last = (key, blocks, pairs)
        return pairs

    def _pairs(self, blocks: Iterable[Block], lines: Sequence[str], key: Any, compute: Callable[[Block], Any] | None) -> list[tuple[Block, Any]]:
        if compute is None:
            compute = functools.partial(self._compute, lines=lines)
        if self._placed is not None:
            return self._placed_pairs(blocks, key, compute)
        peek, put, kinds = self._memo.peek, self._memo.put, self._kinds
        found = []
        for block in blocks:
            if kinds is not None and block.kind not in kinds:
                continue
            value = peek(block, key)
            if value is _MISSING:
                value = put(block, compute(block), key)
            if value:
                found.append((block, value))
        return found

    def _placed_pairs(self, blocks: Iterable[Block], key: Any, compute: Callable[[Block], Any]) -> list[tuple[Block, Any]]:
        get, kinds = self._placed.get, self._kinds  # type: ignore[union-attr]
        found = []
        for block in blocks:
            if kinds is not None and block.kind not in kinds:
                continue
            value = get(block.lineage, block.start_line, functools.partial(compute, block), key)
            if value:
                found.append((block, value))
        return found


def _pair_line(pair: tuple[Block, Any]) -> int:
    return pair[0].start_line
