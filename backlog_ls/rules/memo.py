"""Values computed from one block, remembered for as long as that very block lives.

Rules run on every keystroke, and an edit re-parses only the blocks it touches:
every other block of the new Backlog is the same object as before (see
``parse.reparse``). A value computed from a block alone (found by ``id``, checked
through a weak reference) is therefore still right, and costs a dictionary lookup
instead of a walk over the block's items. Entries go when their block is collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from ..model import Block


class BlockMemo:
    """``get(block, compute, key)``: ``compute()`` once per block (and per ``key``, such as the settings)."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Any, Any]] = {}

    def get(self, block: Block, compute: Callable[[], Any], key: Any = None) -> Any:
        entry = self._entries.get(id(block))
        if entry is not None and entry[0]() is block and (entry[1] is key or entry[1] == key):
            return entry[2]
        value = compute()
        block_id = id(block)
        entries = self._entries

        def forget(_ref: weakref.ref, block_id: int = block_id) -> None:
            current = entries.get(block_id)
            if current is not None and current[0] is _ref:
                del entries[block_id]

        entries[block_id] = (weakref.ref(block, forget), key, value)
        return value

    def findings(self, context: Any, check_block: Callable[[Any, Block], Any]) -> list:
        """Every block's findings from ``check_block``, each block checked once while it lives.

        ``get`` written out inline: this loop runs over every block of the document, for
        every block rule, on every keystroke.
        """
        entries = self._entries
        settings = context.settings
        found: list = []
        for block in context.backlog.blocks:
            entry = entries.get(id(block))
            if entry is not None and entry[0]() is block and (entry[1] is settings or entry[1] == settings):
                value = entry[2]
            else:
                value = self.get(block, lambda block=block: tuple(check_block(context, block)), settings)
            if value:
                found.extend(value)
        return found

    def __len__(self) -> int:
        return len(self._entries)
