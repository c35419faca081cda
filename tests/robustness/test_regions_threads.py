"""A new snapshot is indexed once (``features.regions.index``) even when the check and a request
ask for it at once, so what the next keystroke takes over from it (document links, progress
tallies) is found there, not made again for every block."""

from __future__ import annotations

import sys
import threading

from backlog_ls.features import regions
from backlog_ls.parse import parse, reparse
from backlog_ls.text import split_lines

TEXT = "".join(f"## Phase {n}\n\n- [ ] Task {n}.1 see [a](a.md)\n- [x] Task {n}.2\n\n" for n in range(400))


def _typed(backlog, text: str, line: int) -> tuple[object, str]:
    lines = text.split("\n")
    lines[line] += "x"
    new_text = "\n".join(lines)
    return reparse(backlog, split_lines(new_text)[0], line, line, line), new_text


def test_two_threads_asking_for_a_new_snapshot_get_one_index_that_follows_the_last():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often, as under a loaded server
    try:
        _indexed_at_once()
    finally:
        sys.setswitchinterval(interval)


def _indexed_at_once() -> None:
    text = TEXT
    backlog = parse(text)
    values = regions.per_block(regions.index(backlog), "test values", "owner", lambda block: block.start_line)
    for round_ in range(30):
        backlog, text = _typed(backlog, text, 2 + 5 * (round_ % 300))
        barrier = threading.Barrier(2)
        found: list = []

        def ask() -> None:
            barrier.wait()
            found.append(regions.index(backlog))

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert found[0] is found[1], f"round {round_}: two indexes of one snapshot"
        made: list[int] = []
        values = regions.per_block(found[0], "test values", "owner", lambda block: made.append(block.start_line) or block.start_line)
        assert len(made) <= 3, f"round {round_}: {len(made)} blocks made again"
        assert values == [block.start_line for block in backlog.blocks]
