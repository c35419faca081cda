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


def test_entries_go_with_their_blocks():
    memo = BlockMemo()
    backlog = parse("# A\n\n- a\n\ntext\n")
    for block in backlog.blocks:
        memo.put(block, block.kind)
    assert len(memo) == 3
    del backlog, block
    gc.collect()
    assert len(memo) == 0
