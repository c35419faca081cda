"""Blocks an edit above them moved by whole lines move their items only when those are read."""

from __future__ import annotations

import threading

from backlog_ls.parse import parse, reparse
from backlog_ls.text import split_lines

TEXT = "# Plan\n\nIntro.\n\n## Phase 1\n\n- [ ] Task 1.1 (#1)\n  - [x] Task 1.1.1\n- [x] Task 1.2\n\n## Phase 2\n\n- [ ] Task 2.1, see RFC 9110\n"


def _entered(text: str, line: int) -> tuple[str, object, object]:
    """``text`` with a blank line inserted before ``line``: (new text, the re-parse, a fresh parse)."""
    old = parse(text)
    lines = text.split("\n")
    new_text = "\n".join(lines[:line] + [""] + lines[line:])
    new_lines, _ = split_lines(new_text)
    return new_text, reparse(old, new_lines, line, line - 1, line), parse(new_text)


def test_the_lists_below_an_enter_are_moved_when_read_and_equal_a_fresh_parse() -> None:
    _, moved, fresh = _entered(TEXT, 3)
    lists = [block for block in moved.blocks if block.kind == "list"]
    assert lists and all(block.moved_from is not None for block in lists), "moved eagerly"
    assert [block.item_count for block in lists] == [2, 1] and all(block.has_items for block in lists)
    assert all(block.moved_from is not None for block in lists), "counting them moved them"
    first = lists[0]
    assert [(item.span.start_line, item.text) for item in first.items] == [(7, "Task 1.1 (#1)"), (9, "Task 1.2")]
    assert [(item.line, parent.line if parent else None) for item, parent in first.walk] == [(7, None), (8, 7), (9, None)]
    assert first.items[0].refs.issues[0].span.start_line == 7
    assert first.moved_from is None  # read: moved once, and the block it came from let go
    assert moved == fresh and moved.blocks == fresh.blocks


def test_a_copy_moved_again_before_it_was_read_moves_from_the_block_read_from_the_text() -> None:
    text, once, _ = _entered(TEXT, 3)
    twice_lines = text.split("\n")
    twice_text = "\n".join(twice_lines[:1] + [""] + twice_lines[1:])
    lines, _ = split_lines(twice_text)
    twice = reparse(once, lines, 1, 0, 1)
    last = twice.blocks[-1]
    source, delta = last.moved_from
    assert source.moved_from is None and delta == 2  # no chain of copies
    assert twice == parse(twice_text)
    assert last.items[0].span.start_line == 14


def test_every_thread_reading_a_moved_block_gets_the_very_same_items() -> None:
    big = "# Plan\n\n" + "".join(f"- [ ] Task {n}\n  - [ ] sub {n}\n" for n in range(3000))
    _, moved, _ = _entered(big, 1)
    block = moved.blocks[-1]
    assert block.moved_from is not None
    seen: list[object] = []
    start = threading.Barrier(4)

    def read() -> None:
        start.wait()
        seen.append((block.items, block.walk))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(items is seen[0][0] and walk is seen[0][1] for items, walk in seen)
    assert all(pair[0] is item for pair, item in zip((p for p in block.walk if p[1] is None), block.items))


def test_whether_a_document_holds_tasks_is_told_without_moving_a_moved_block() -> None:
    plain = "# Notes\n\nText.\n\n- a bullet\n  - another\n"
    _, moved, fresh = _entered(plain, 1)
    assert moved.has_tasks is False and fresh.has_tasks is False and not fresh.task_list
    _, moved, fresh = _entered("# Notes\n\n- a bullet\n  - [ ] a task below it\n", 1)
    assert moved.blocks[-1].moved_from is not None
    assert moved.has_tasks is True and moved.blocks[-1].moved_from is not None, "told by moving the items"
    assert fresh.has_tasks is True and len(moved.task_list) == 1
