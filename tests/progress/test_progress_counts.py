"""Progress figures: what the hints on headings and parent tasks say, counted by state meaning."""

from __future__ import annotations

from backlog_ls.config import Settings
from backlog_ls.features.progress import Counts, block_tally, marks, progress
from backlog_ls.parse import parse, reparse
from backlog_ls.text import split_lines

PLAN = """\
# Plan

## Phase 1
- [x] Lexer
- [ ] Parser
  - [x] Tokens
  - [ ] Errors
  - [-] Recovery
- [~] Printer
- [-] Dropped idea
- [ ] ~~Struck~~

### Task 1.4: Docs ✅
- [x] README

## Phase 2
- [ ] Later
"""


def _labels(text: str, settings: Settings | None = None) -> list[tuple[int, int, str]]:
    return [(mark.line, mark.column, mark.label) for mark in marks(parse(text), settings)]


def test_headings_show_done_of_total_and_percent_and_parents_their_subtasks():
    assert _labels(PLAN) == [
        (0, 6, "4/8 · 50%"),  # Plan: Phase 1's and Phase 2's
        # Lexer, Parser, Tokens, Errors, Printer, the heading task Task 1.4 and README; the cancelled
        # Recovery, Dropped idea and struck task are left out.
        (2, 10, "4/7 · 57%"),
        (4, 12, "1/2"),  # Parser: Tokens done, Errors open, Recovery cancelled
        (12, 20, "1/1 · 100%"),  # the heading task's own section: its subtasks
        (15, 10, "0/1 · 0%"),
    ]


def test_counts_by_state_meaning():
    figure = progress(parse(PLAN)).sections[2]
    # done: Lexer, Tokens, the Task 1.4 heading, README; open: Parser, Errors; in progress: Printer;
    # cancelled: Recovery, Dropped idea, the struck task.
    assert figure == Counts(done=4, open=2, in_progress=1, cancelled=3)
    assert (figure.total, figure.percent) == (7, 57)


def test_declared_states_change_the_meaning():
    settings = Settings(states={"~": "cancelled"})
    text = "# P\n- [x] a\n- [~] b\n"
    assert _labels(text) == [(0, 3, "1/2 · 50%")]
    assert _labels(text, settings) == [(0, 3, "1/1 · 100%")]


def test_no_mark_without_tasks_to_count():
    assert _labels("# Notes\nprose\n- bullet\n## Dropped\n- [-] gone\n") == []


def test_an_edit_tallies_only_the_block_it_touched():
    text = "# A\n- [ ] one\n\n# B\n- [ ] two\n  - [x] sub\n" + "".join(f"\n# S{n}\n- [x] t{n}\n" for n in range(20))
    old = parse(text)
    tallies = [block_tally(block) for block in old.blocks]
    lines, _ = split_lines(text.replace("- [ ] one", "- [x] one"))
    new = reparse(old, lines, 1, 1, 1)
    assert [(m.line, m.label) for m in marks(new)][:3] == [(0, "1/1 · 100%"), (3, "1/2 · 50%"), (4, "1/1")]
    # The re-parse re-reads the edited block and the one before it; every other block is the same
    # object as before, and so is its tally.
    unchanged = [index for index, block in enumerate(new.blocks) if block is old.blocks[index]]
    assert len(unchanged) == len(new.blocks) - 2
    assert all(block_tally(new.blocks[index]) is tallies[index] for index in unchanged)


def _enter_at(backlog, text: str, line: int):
    """Press Enter at the start of ``line``: every later line moves down by one."""
    lines = text.split("\n")
    new_text = "\n".join(lines[:line] + [""] + lines[line:])
    return new_text, reparse(backlog, split_lines(new_text)[0], line, line, line + 1)


def test_after_an_enter_above_them_the_parent_tasks_marks_move_with_their_lines():
    text = "# A\n- [ ] one\n\n# B\n- [ ] two\n  - [x] sub\n  - [ ] other\n\n# C\n- [x] three\n  - [x] done\n"
    old = parse(text)
    before = [(m.line, m.label) for m in marks(old)]
    assert before == [(0, "0/1 · 0%"), (3, "1/3 · 33%"), (4, "1/2"), (8, "2/2 · 100%"), (9, "1/1")]
    new_text, moved = _enter_at(old, text, 1)
    # The blocks below the Enter are copies moved down (their tallies remembered across the move).
    assert any(block is not old.blocks[i] and block.lineage is old.blocks[i].lineage for i, block in enumerate(moved.blocks))
    after = [(m.line, m.label) for m in marks(moved)]
    assert after == [(line + (line >= 1), label) for line, label in before]
    assert after == [(m.line, m.label) for m in marks(parse(new_text))]
    # Only the lines asked for, as the inlay hints ask: the moved parent task on line 10.
    assert [(m.line, m.label) for m in marks(moved, None, 10, 10)] == [(10, "1/1")]


def test_in_one_long_list_an_edited_item_is_counted_again_and_the_others_keep_their_figures():
    items = "".join(f"- [ ] Task {n}\n  - [x] step {n}\n" for n in range(40))
    text = "# Plan\n" + items
    old = parse(text)
    assert [(m.line, m.label) for m in marks(old, None, 1, 4)] == [(1, "1/1"), (3, "1/1")]
    edited = text.replace("  - [x] step 5\n", "  - [ ] step 5\n")
    new = reparse(old, split_lines(edited)[0], 12, 12, 12)
    assert [(m.line, m.label) for m in marks(new)] == [(m.line, m.label) for m in marks(parse(edited))]
    assert [(m.line, m.label) for m in marks(new, None, 10, 13)] == [(11, "0/1"), (13, "1/1")]
    assert progress(new).sections[0] == Counts(done=39, open=41)
