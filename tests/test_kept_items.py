"""``patching.kept_items_from_top``: the items at the top of a list an edit below left where they
were, the very objects or copies on the same lines (a list made loose copies every item)."""

from __future__ import annotations

from backlog_ls.parse import parse
from backlog_ls.parse.shift import shift_item, with_looseness
from backlog_ls.patching import kept_items_from_top

TEXT = "".join(f"- [ ] task {n}\n" for n in range(30))


def test_the_same_objects_and_copies_on_the_same_lines_are_kept_and_nothing_else():
    items = parse(TEXT).blocks[0].items
    assert kept_items_from_top(items, items) == 30
    loose = tuple(with_looseness(item, True) for item in items)  # an Enter below made the list loose
    assert all(a is not b for a, b in zip(items, loose))
    assert kept_items_from_top(items, loose) == 30
    # A copy moved by a line is not where it was; an item read again (a new lineage) is no copy.
    moved = loose[:10] + tuple(shift_item(item, 1) for item in loose[10:])
    assert kept_items_from_top(items, moved) == 10
    read_again = parse(TEXT).blocks[0].items
    assert kept_items_from_top(items, read_again) == 0
    assert kept_items_from_top(items, items[:5] + read_again[5:]) == 5
    assert kept_items_from_top((), items) == 0 and kept_items_from_top(items, ()) == 0
