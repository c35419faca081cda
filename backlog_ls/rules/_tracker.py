"""What the tracker rules (BL305, BL306, BL307) share: findings per block, remembered per state of the tracker's data.

Their findings depend on the block and on the tracker's cached data, so they cannot
use a block rule's memo (keyed by the settings alone): this one is keyed by the
settings and ``features.issues.source_token(tracker)`` too. After a keystroke only
the edited block is checked again; after a refresh that changed the data, all are.

The registry skips this module (its name starts with "_"): it holds no rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..features.issues import source_token
from ..memo import BlockMemo
from ..model import Block
from . import Context, Finding


def tracker_findings(
    memo: BlockMemo, context: Context, check_block: Callable[[Context, Block], Iterable[Finding]]
) -> Iterator[Finding]:
    tracker = context.tracker
    if tracker is None:
        return
    key = (context.settings, source_token(tracker))
    for block in context.backlog.blocks:
        if not block.has_items and not block.refs and block.heading is None:
            continue
        found = memo.get(block, lambda block=block: tuple(check_block(context, block)), key)
        yield from found
