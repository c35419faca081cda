"""The per-block memo that makes a keystroke re-check one block: reuse, keys, and forgetting."""

from __future__ import annotations

import gc

from backlog_ls.memo import MISSING, BlockMemo
from backlog_ls.parse import parse


def test_a_value_is_computed_once_per_block_and_key():
    memo = BlockMemo()
    backlog = parse("# A\n\n- a\n")
    calls: list[int] = []

    def compute(block):
        calls.append(block.start_line)
        return block.kind

    for _ in range(2):
        assert [memo.get(block, lambda block=block: compute(block), "settings") for block in backlog.blocks] == [
            "heading",
            "list",
        ]
    assert calls == [0, 2]
    # Another key (other settings) computes again; an equal key does not.
    memo.get(backlog.blocks[0], lambda: compute(backlog.blocks[0]), "other")
    assert calls == [0, 2, 0]
    assert memo.peek(backlog.blocks[0], "other") == "heading"
    assert memo.peek(backlog.blocks[1], "other") is MISSING


def test_values_go_with_their_blocks():
    import weakref

    class Value:
        pass

    memo = BlockMemo()
    backlog = parse("# A\n\n- a\n\ntext\n")
    kept = []
    for block in backlog.blocks:
        value = Value()
        kept.append(weakref.ref(value))
        memo.put(block, value)
    del backlog, block, value
    assert [ref() for ref in kept] == [None, None, None]  # no collection needed: reference counting


def test_a_moved_copy_of_a_block_does_not_inherit_its_values():
    from backlog_ls.parse import parse_lines, reparse
    from backlog_ls.text import TextLines

    memo, moving = BlockMemo(), BlockMemo(across_moves=True)
    document = TextLines.from_text("intro\n\n- a\n- b\n")
    backlog = parse_lines(document.lines)
    tasks = backlog.blocks[1]
    memo.put(tasks, "a finding on line 3")
    memo.put(tasks.items[0], "item value")
    moving.put(tasks, "same wherever it sits")
    moved = reparse(backlog, document.lines, *document.replace((0, 5), (0, 5), "\n")).blocks[1]
    assert moved is not tasks and moved.start_line == 3
    assert memo.peek(moved) is MISSING and memo.peek(moved.items[0]) is MISSING
    assert moving.peek(moved) == "same wherever it sits"
    assert memo.peek(tasks) == "a finding on line 3"


def test_a_checked_and_answered_model_is_freed():
    """What rules and features remember on a block goes with it, once a newer model took the place
    of the caches that keep the last one."""
    import weakref

    from backlog_ls import size_limit
    from backlog_ls.config import Settings
    from backlog_ls.features import folding, progress, renumber, symbols, tick

    text = "".join(
        f"## Phase {n}: part {n}\n\n- [ ] Task {n}.1 see #1{n} and [x](x.md) blocked by #3\n  - [x] Task {n}.2 🆔 a{n}\n- [x] T{n} ⛔ a{n}\n\nProse #4 RFC 2119.\n\n"
        for n in range(30)
    ) + "".join(f"- [ ] long list task {n} #5{n}\n" for n in range(30))
    settings = Settings()

    def checked_and_answered(text):
        backlog = parse(text)
        size_limit.check(backlog, settings, path="/tmp/plan.md")
        symbols.outline(backlog, settings)
        folding.fold_entries(backlog)
        progress.marks(backlog, settings)
        for line in (2, 3, 9):
            tick.tick_actions(backlog, line, settings)
            renumber.renumber_actions(backlog, line)
        return backlog

    backlog = checked_and_answered(text)
    refs = [weakref.ref(block) for block in backlog.blocks] + [weakref.ref(item) for item, _ in backlog.walk_items()]
    checked_and_answered(text.replace("part", "section"))  # what caches the newest model alone lets this one go
    del backlog
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0


def test_an_empty_value_is_found_again_for_a_block_moved_by_enter_and_a_full_one_is_not():
    from backlog_ls.parse import parse_lines, reparse
    from backlog_ls.text import TextLines

    memo = BlockMemo(empty_moves=True)
    document = TextLines.from_text("intro\n\n# H\n\ntext\n\n- a\n")
    backlog = parse_lines(document.lines)
    assert [(block.kind, block.start_line) for block in backlog.blocks] == [("paragraph", 0), ("heading", 2), ("paragraph", 4), ("list", 6)]
    text, tasks = backlog.blocks[2], backlog.blocks[3]
    memo.put(text, (), "settings")
    memo.put(tasks, ("a finding on line 7",), "settings")
    change = document.replace((0, 5), (0, 5), "\n")  # Enter at the end of the first line
    moved = reparse(backlog, document.lines, *change).blocks
    assert [(block.kind, block.start_line) for block in moved[2:]] == [("paragraph", 5), ("list", 7)]
    assert moved[2] is not text and moved[2].lineage is text.lineage
    assert memo.peek(moved[2], "settings") == ()
    assert memo.peek(moved[2], "other settings") is MISSING
    assert memo.peek(moved[3], "settings") is MISSING  # its place is in the value: read again
    assert memo.peek(tasks, "settings") == ("a finding on line 7",)


def test_a_long_list_computes_again_only_the_items_whose_value_was_not_empty():
    from backlog_ls.memo import LineageMemo, long_list_values
    from backlog_ls.parse import parse_lines, reparse
    from backlog_ls.text import TextLines

    document = TextLines.from_text("intro\n\n" + "".join(f"- [ ] task {n}{' see x.md' if n % 10 == 0 else ''}\n" for n in range(30)))
    backlog = parse_lines(document.lines)
    items = backlog.blocks[1].items
    memo, asked = LineageMemo(), []

    def links(item):
        asked.append(item.text)
        return [item.text] if ".md" in item.text else []

    assert long_list_values(items, memo, links) == ["task 0 see x.md", "task 10 see x.md", "task 20 see x.md"]
    assert len(asked) == 30
    asked.clear()
    moved = reparse(backlog, document.lines, *document.replace((0, 5), (0, 5), "\n")).blocks[1].items  # Enter above: copies
    assert moved[0] is not items[0] and moved[0].lineage is not None
    assert long_list_values(moved, memo, links) == ["task 0 see x.md", "task 10 see x.md", "task 20 see x.md"]
    assert asked == ["task 0 see x.md", "task 10 see x.md", "task 20 see x.md"]  # the empty ones are passed by
    asked.clear()
    assert long_list_values(moved, memo, links, key="other settings") == ["task 0 see x.md", "task 10 see x.md", "task 20 see x.md"]
    assert len(asked) == 30  # another key: every item again


def test_a_keystroke_in_a_long_list_computes_the_edited_items_alone():
    from backlog_ls.memo import LineageMemo, long_list_values
    from backlog_ls.parse import parse_lines, reparse
    from backlog_ls.text import TextLines

    document = TextLines.from_text("".join(f"- [ ] task {n}{' see x.md' if n % 10 == 0 else ''}\n" for n in range(30)))
    backlog = parse_lines(document.lines)
    memo, asked = LineageMemo(), []

    def links(item):
        asked.append(item.text)
        return [item.text] if ".md" in item.text else []

    long_list_values(backlog.blocks[0].items, memo, links)
    asked.clear()
    typed = reparse(backlog, document.lines, *document.replace((15, 5), (15, 5), " see y.md")).blocks[0].items
    assert long_list_values(typed, memo, links) == ["task 0 see x.md", "task 10 see x.md", "see y.md task 15", "task 20 see x.md"]
    assert 0 < len(asked) <= 3 and "see y.md task 15" in asked  # the edited item (and those read again around it)
