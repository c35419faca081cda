"""What the tracker rules (BL305, BL306, BL307) share: findings per block, remembered per state of the tracker's data.

Their findings depend on the block and on the tracker's cached data, so they cannot
use a block rule's memo (keyed by the settings alone): this one is keyed by the
settings and ``features.issues.source_token(tracker)`` too. After a keystroke only
the edited block is checked again; after a refresh that changed the data, all are. A block
an Enter above it moved keeps its findings, moved with it (``memo.PlacedMemo``; their
messages name no line): checking every block again after each Enter read every moved
block's items, a third of an Enter's work in a 2,000-task backlog with a tracker.

The registry skips this module (its name starts with "_"): it holds no rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..features.issues import source_token
from ..memo import MISSING, PlacedMemo
from ..model import Block
from . import Context, Finding, shift_findings


def new_memo() -> PlacedMemo:
    """A tracker rule's memo: a block's findings by its lineage, moved with it."""
    return PlacedMemo(shift_findings)


def tracker_findings(
    memo: PlacedMemo, context: Context, check_block: Callable[[Context, Block], Iterable[Finding]]
) -> Iterator[Finding]:
    tracker = context.tracker
    if tracker is None:
        return
    key = (context.settings, source_token(tracker))
    peek, put = memo.peek, memo.put
    for block in context.backlog.blocks:
        if not block.has_items and not block.refs and block.heading is None:
            continue
        found = peek(block.lineage, block.start_line, key)
        if found is MISSING:
            found = put(block.lineage, block.start_line, tuple(check_block(context, block)), key)
        if found:
            yield from found
