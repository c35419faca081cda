"""Values computed from one block, remembered for as long as that very block lives.

Rules and features run on every keystroke, and an edit re-parses only the blocks it
touches: every other block of the new Backlog is the same object as before (see
``parse.reparse``). A value computed from a block alone (found by ``id``, checked
through a weak reference, so that a new block that happens to get the same ``id``
is never mistaken for the old one) is therefore still right, and costs a dictionary
lookup instead of a walk over the block's items. Entries go when their block is collected.
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

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any, Any]] = {}

    def peek(self, block: Block, key: Any = None) -> Any:
        """The value stored for ``block`` under ``key``, or ``MISSING``."""
        entry = self._entries.get(id(block))
        if entry is not None and entry[0]() is block and (entry[1] is key or entry[1] == key):
            return entry[2]
        return _MISSING

    def put(self, block: Block, value: Any, key: Any = None) -> Any:
        block_id = id(block)
        entries = self._entries

        def forget(reference: weakref.ref, block_id: int = block_id) -> None:
            current = entries.get(block_id)
            if current is not None and current[0] is reference:
                del entries[block_id]

        entries[block_id] = (weakref.ref(block, forget), key, value)
        return value

    def get(self, block: Block, compute: Callable[[], Any], key: Any = None) -> Any:
        value = self.peek(block, key)
        return self.put(block, compute(), key) if value is _MISSING else value

    def __len__(self) -> int:
        return len(self._entries)


MISSING = _MISSING
