"""What the tracker rules (BL305-BL309) share: findings per block, remembered per state of the tracker's data.

Their findings depend on the block and on the tracker's cached data, so they cannot
use a block rule's memo (keyed by the settings alone): this one is keyed by the
settings and ``features.issues.source_token(tracker)`` too. After a keystroke only
the edited block is checked again; after a refresh that changed the data, all are. A block
an Enter above it moved keeps its findings, moved with it (``memo.PlacedMemo``; their
messages name no line): checking every moved block again read its items, about half of
what an Enter cost the server at 2,000 tasks. A long list, a new block at each keystroke
in it, keeps them per top-level item.

The registry skips this module (its name starts with "_"): it holds no rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from ..features.issues import holds_nothing, source_token
from ..memo import MISSING, BlockValues, PlacedMemo
from ..model import LONG_LIST_ITEMS, Block, Item, lineage_of
from ..patching import kept_items_from_top, moved_items_from_bottom, same_from_bottom
from . import Context, Finding, shift_findings


class TrackerMemo:
    """A tracker rule's memory: a block's findings by its lineage, moved with it (``placed``; a long
    list's per top-level item too), over the document's blocks (``values``: after a keystroke within
    a line, the blocks the edit left the same objects are passed by, found by a scan in C)."""

    __slots__ = ("placed", "values", "last_list")

    def __init__(self) -> None:
        self.placed = PlacedMemo(shift_findings)
        self.values = BlockValues(_no_default, placed=self.placed)
        # The last long list checked: its items, the key, each item's findings (``_by_item``).
        self.last_list: tuple[tuple[Item, ...], tuple, list[tuple[Finding, ...]]] | None = None


def _no_default(block: Block, lines) -> tuple:
    raise AssertionError("tracker findings are computed by the function each rule gives")


def tracker_findings(
    memo: TrackerMemo, context: Context, check_block: Callable[[Context, Block], Iterable[Finding]]
) -> Iterator[Finding]:
    tracker = context.tracker
    if tracker is None or holds_nothing(tracker):
        return
    key = (context.settings, source_token(tracker))

    def findings(block: Block) -> tuple[Finding, ...]:
        if not block.has_items and not block.refs and block.heading is None:
            return ()
        if block.item_count >= LONG_LIST_ITEMS:
            return _by_item(memo, context, block, check_block, key)
        return tuple(check_block(context, block))

    backlog = context.backlog
    for _block, found in memo.values.each(backlog.blocks, backlog.lines, key, findings):
        yield from found


def _by_item(
    memo: TrackerMemo, context: Context, block: Block, check_block: Callable[[Context, Block], Iterable[Finding]], key: tuple
) -> tuple[Finding, ...]:
    """A long list's findings, top-level item by item (a list block holds nothing but its items,
    and these rules judge each item's tree alone): a keystroke in it is a new block, but all of
    its items but one are kept or moved, with their findings. The items the keystroke left where
    they were (the same objects, or copies on the same lines when it made the list loose) and
    those an Enter moved are the last list's, found by scans in C: looking each up took most of a
    keystroke's check in a list of 2,000."""
    items = block.items
    last = memo.last_list  # read once: another thread may replace it
    before = after = moved = delta = 0
    old_values: list[tuple[Finding, ...]] = []
    if last is not None and (last[1] is key or last[1] == key):
        old_items, _, old_values = last
        before = kept_items_from_top(old_items, items)
        after = same_from_bottom(old_items[before:], items[before:])
        if not after and len(items) > before and len(old_items) > before:
            # An Enter in the list: the items below it are copies moved by its lines (their lineages).
            delta = items[-1].span.start_line - old_items[-1].span.start_line
            if delta:
                moved = moved_items_from_bottom(old_items[before:], items[before:], delta)
    peek, put = memo.placed.peek, memo.placed.put
    values: list[tuple[Finding, ...]] = []
    for item in items[before : len(items) - after - moved]:
        lineage, start = lineage_of(item), item.span.start_line
        findings = peek(lineage, start, key)
        if findings is MISSING:
            alone = Block(kind="list", start_line=start, end_line=item.span.end_line, items=(item,))
            findings = put(lineage, start, tuple(check_block(context, alone)), key)
        values.append(findings)
    if before or after or moved:
        tail = old_values[len(old_values) - after - moved :]
        if moved:
            tail = [shift_findings(found, delta) if found else found for found in tail]
        values = old_values[:before] + values + tail
    memo.last_list = (items, key, values)
    return tuple(chain.from_iterable(values))
