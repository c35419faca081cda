"""Document links, found one block at a time and remembered per block.

Every keystroke brings a documentLink request for the whole document. Each kind of
link (RFC citations, issue references; file links plug in the same way) is a
``LinkSource``: a function of one block, and a ``key`` naming the state of the data
it reads (the tracker's cache, the RFCs found, the document's reference definitions).
A block's links are found once per block and key, and kept relative to the block's
first line, so they hold when an Enter above moves the block; after a keystroke only
the edited block is read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from ..memo import MISSING, BlockMemo
from ..model import Backlog, Block, shifted


@attrs.frozen(eq=False)
class LinkSource:
    """One kind of link: ``links(block)`` finds the block's (values with a ``span``), under ``key``."""

    name: str
    key: Any
    links: Callable[[Block], Iterable[Any]]


@attrs.frozen(eq=False)
class BlockLinks:
    """The links one source found in one block; their spans are as of ``first_line``."""

    block: Block
    source: LinkSource
    links: tuple[Any, ...]
    first_line: int

    def spelled_out(self) -> list[Any]:
        """The links with spans where the block is now."""
        return list(shifted(self.links, self.block.start_line - self.first_line))


_MEMOS: dict[str, BlockMemo] = {}  # source name -> its memo


def block_links(backlog: Backlog, sources: Sequence[LinkSource], guard: Callable[[str, Callable[[], Any], Any], Any]) -> list[BlockLinks]:
    """Every block's links of each source, source by source; ``guard(what, compute, fallback)``
    runs one block's search, so that a failing source costs its links, not the request."""
    found: list[BlockLinks] = []
    for source in sources:
        memo = _MEMOS.setdefault(source.name, BlockMemo(across_moves=True))
        for block in backlog.blocks:
            entry = memo.peek(block, source.key)
            if entry is MISSING:
                links = tuple(guard(source.name, lambda block=block: list(source.links(block)), []))
                entry = memo.put(block, (links, block.start_line), source.key)
            if entry[0]:
                found.append(BlockLinks(block, source, entry[0], entry[1]))
    return found


def document_links(entries: Iterable[BlockLinks]) -> list[Any]:
    return [link for entry in entries for link in entry.spelled_out()]
