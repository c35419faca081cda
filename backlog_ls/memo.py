"""Values computed from one block, remembered for as long as that very block lives.

Rules and features run on every keystroke, and an edit re-parses only the blocks it
touches: every other block of the new Backlog is the same object as before (see
``parse.reparse``). A value computed from a block alone (found by ``id``, checked
through a weak reference, so that a new block that happens to get the same ``id``
is never mistaken for the old one) is therefore still right, and costs a dictionary
lookup instead of a walk over the block's items. Entries go when their block is collected.

A block moved by whole lines (an Enter above it, see ``parse.shift``) is a new object with
the same text and the same ``lineage``. A value that does not depend on where the block
sits (positions relative to its first line) can be remembered ``across_moves``: keyed by
the lineage, it is found again for the moved block, so an Enter costs one block here too.
An empty value (no findings, no links) is empty wherever the block sits: a memo made with
``empty_moves`` finds it again for a moved copy even when its other values depend on the place.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from .model import Block

_MISSING = object()


class BlockMemo:
    """``get(block, compute, key)``: ``compute()`` once per block (and per ``key``, such as the settings).

    ``key`` is compared by identity first, then by equality: the settings object of a
    long-running server is the same object from one keystroke to the next.
    """

    __slots__ = ("_entries", "_across_moves", "_empty")

    def __init__(self, across_moves: bool = False, empty_moves: bool = False) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any, Any]] = {}
        self._across_moves = across_moves
        # block lineage -> the empty value found for a copy of the block (``empty_moves``)
        self._empty: BlockMemo | None = BlockMemo(across_moves=True) if empty_moves else None

    def peek(self, block: Block, key: Any = None) -> Any:
        """The value stored for ``block`` under ``key``, or ``MISSING``."""
        owner = block.lineage if self._across_moves else block
        entry = self._entries.get(id(owner))
        if entry is not None and entry[0]() is owner and (entry[1] is key or entry[1] == key):
            return entry[2]
        if self._empty is not None:
            return self._empty.peek(block, key)
        return _MISSING

    def put(self, block: Block, value: Any, key: Any = None) -> Any:
        if self._empty is not None and not value:
            self._empty.put(block, value, key)
        owner = block.lineage if self._across_moves else block
        owner_id = id(owner)
        entries = self._entries

        def forget(reference: weakref.ref, owner_id: int = owner_id) -> None:
            current = entries.get(owner_id)
            if current is not None and current[0] is reference:
                del entries[owner_id]

        entries[owner_id] = (weakref.ref(owner, forget), key, value)
        return value

    def get(self, block: Block, compute: Callable[[], Any], key: Any = None) -> Any:
        value = self.peek(block, key)
        return self.put(block, compute(), key) if value is _MISSING else value

    def __len__(self) -> int:
        return len(self._entries)


MISSING = _MISSING
