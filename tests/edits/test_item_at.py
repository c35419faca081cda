"""The item at the cursor (every code action asks for it): found in the cursor's top-level tree, as a
walk through its whole block would find it; the "X" or "x" a tick writes, counted per block."""

from __future__ import annotations

from hypothesis import given, settings

from backlog_ls.features.edits import item_at, own_lines, parents_around, parents_of
from backlog_ls.features.tick import done_char, tick_actions
from backlog_ls.parse import parse, reparse
from backlog_ls.text import split_lines

from .strategies import backlogs


def _walked(backlog, line: int, tasks_only: bool):
    """What the whole block's walk finds: the last (task) item whose own lines hold ``line``."""
    block = backlog.block_at(line)
    found = None
    for item, parent in block.walk if block is not None else ():
        if item.span.start_line > line:
            break
        if (item.is_task or not tasks_only) and line in own_lines(item):
            found = (item, parent)
    return found


def _same_everywhere(text: str) -> None:
    backlog = parse(text)
    for line in range(len(backlog.lines)):
        for tasks_only in (True, False):
            assert item_at(backlog, line, tasks_only=tasks_only) == _walked(backlog, line, tasks_only), (line, tasks_only)
        found = item_at(backlog, line, tasks_only=False)
        if found is not None:
            every = parents_of(backlog)
            near = parents_around(backlog, found[0])
            assert all(near[key] is every[key] for key in near)


LONG_LIST = "# Plan\n" + "".join(
    f"- [ ] Task {n}: step\n  continued\n  - [x] sub {n}\n    - plain\n      - [ ] deep {n}\n" for n in range(30)
)
ODD = """\
10. + [ ] a task whose child starts on its own line
    more
1. [x] done
   lazy continuation
- [ ] t
  - [ ] u

  - [x] loose child
> - [ ] quoted
> continued
"""


def test_in_a_long_list_and_odd_nestings_the_item_at_each_line_is_the_one_the_block_walk_finds():
    _same_everywhere(LONG_LIST)
    _same_everywhere(ODD)


@settings(max_examples=150, deadline=None)
@given(backlogs())
def test_the_item_at_each_line_is_the_one_the_block_walk_finds(text):
    _same_everywhere(text)


def test_the_tick_follows_the_documents_x_after_edits_that_move_and_rewrite_blocks():
    text = "# A\n- [X] one\n- [X] two\n\n# B\n- [x] three\n- [ ] four\n" + "".join(f"\n## S{n}\n- [ ] s{n}\n" for n in range(10))
    old = parse(text)
    assert done_char(old) == "X"
    (tick,) = tick_actions(old, 6)
    assert (tick.title, tick.edits[0].new_text) == ("Tick task", "X")
    # Enter at the top: every block moves (their counts are remembered across the move).
    moved_text = "\n" + text
    moved = reparse(old, split_lines(moved_text)[0], 0, 0, 1)
    assert done_char(moved) == "X"
    # One capital X becomes a small one: now "x" wins, 2 to 1.
    edited_text = moved_text.replace("- [X] two", "- [x] two")
    edited = reparse(moved, split_lines(edited_text)[0], 3, 3, 3)
    assert done_char(edited) == "x" == done_char(parse(edited_text))
    (tick,) = tick_actions(edited, 7)
    assert tick.edits[0].new_text == "x"


# --- the section around the cursor ----------------------------------------------------------------

from hypothesis import strategies as st  # noqa: E402

from backlog_ls.features.edits import section_here  # noqa: E402

from ..test_incremental import PIECES  # noqa: E402

SECTION_PIECES = PIECES + ["# Title\n", "### 2.1 Sub\n", "#### Deep\n", "Setext\n---\n", "\n\n\n", "- [ ] Task 2.1: t\n", "  text\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SECTION_PIECES), min_size=1, max_size=60).map("".join))
def test_the_section_here_is_the_section_the_whole_tree_finds(text):
    backlog = parse(text)
    for line in range(len(backlog.lines)):
        here, whole = section_here(backlog, line), backlog.section_at(line)
        assert (here is None) == (whole is None), (line, text)
        if whole is not None:
            assert here.heading is whole.heading and here.span == whole.span and here.items == whole.items, (line, text)


def test_the_section_here_after_blank_lines_is_the_parent_that_reaches_them():
    text = "# Plan\n\n## A\n\n- [ ] a\n\n\n## B\n\n### B1\n\nb1\n\n\n# Next\n\ntext\n"
    backlog = parse(text)
    assert [(s.title if (s := section_here(backlog, line)) else None) for line in range(len(backlog.lines))] == [
        "Plan", "Plan", "A", "A", "A", "Plan", "Plan", "B", "B", "B1", "B1", "B1", None, None, "Next", "Next", "Next", None,
    ]
