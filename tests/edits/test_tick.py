"""Tick and untick: before/after texts for every action (pure)."""

from __future__ import annotations

from backlog_ls.config import Settings
from backlog_ls.features.edits import SELECTION, apply_edits
from backlog_ls.features.tick import selection_actions, tick_actions, toggle_edit
from backlog_ls.parse import parse

DOC = """# Plan

## Phase 1
- [ ] Write the parser
  that spans two lines
  - [x] Lexer
  - [ ] Grammar
- [x] Ship it
"""


def _titles(text: str, line: int, settings=None) -> list[str]:
    return [a.title for a in tick_actions(parse(text), line, settings)]


def _apply(text: str, line: int, title: str, settings=None) -> str:
    (action,) = [a for a in tick_actions(parse(text), line, settings) if a.title == title]
    return apply_edits(text, action.edits)


def test_tick_with_the_cursor_on_the_first_line():
    after = _apply(DOC, 6, "Tick task and its parent 'Write the parser'")
    assert after.split("\n")[3:7] == ["- [x] Write the parser", "  that spans two lines", "  - [x] Lexer", "  - [x] Grammar"]


def test_a_continuation_line_counts_and_open_subtasks_offer_both():
    assert _titles(DOC, 4) == ["Tick task", "Tick task with all subtasks (1 open)"]
    assert _apply(DOC, 4, "Tick task").split("\n")[3] == "- [x] Write the parser"
    after = _apply(DOC, 4, "Tick task with all subtasks (1 open)")
    assert after.split("\n")[3:7] == ["- [x] Write the parser", "  that spans two lines", "  - [x] Lexer", "  - [x] Grammar"]


def test_untick():
    assert _titles(DOC, 7) == ["Untick task"]
    assert _apply(DOC, 7, "Untick task").split("\n")[7] == "- [ ] Ship it"


def test_the_edit_is_one_character():
    (action, *_) = tick_actions(parse(DOC), 3)
    ((span, text),) = [(e.span, e.new_text) for e in action.edits]
    assert (span, text) == ((3, 3, 3, 4), "x")


def test_capital_x_when_the_document_uses_it():
    text = "- [X] a\n- [X] b\n- [ ] c\n"
    assert _apply(text, 2, "Tick task") == "- [X] a\n- [X] b\n- [X] c\n"


def test_custom_states_cycle_in_declared_order_on_the_way_to_done():
    settings = Settings(states={"~": "in progress", "-": "cancelled", "+": "review"})
    text = "- [ ] a\n"
    seen = [text]
    for _ in range(4):
        (edit,) = [toggle_edit(parse(seen[-1]), 0, settings)]
        seen.append(apply_edits(seen[-1], [edit]))
    assert [s[3] for s in seen] == [" ", "~", "+", "x", " "]  # never through "cancelled"
    assert _titles("- [ ] a\n", 0, settings) == ["Mark task as in progress [~]", "Tick task"]
    assert _titles("- [~] a\n  - [ ] b\n", 0, settings) == [
        "Mark task as review [+]",
        "Tick task",
        "Tick task with all subtasks (1 open)",
    ]
    assert _apply("- [~] a\n", 0, "Tick task", settings) == "- [x] a\n"


def test_not_a_task_offers_nothing():
    assert tick_actions(parse("# Plan\n\n- plain bullet\n"), 2) == []
    assert tick_actions(parse(DOC), 0) == []


def test_the_last_open_subtask_offers_the_parent():
    text = "- [ ] Parent\n  - [x] one\n  - [ ] two\n"
    assert _titles(text, 2) == ["Tick task", "Tick task and its parent 'Parent'"]
    assert _apply(text, 2, "Tick task and its parent 'Parent'") == "- [x] Parent\n  - [x] one\n  - [x] two\n"
    # Not the last one: no parent action.
    assert _titles("- [ ] P\n  - [ ] one\n  - [ ] two\n", 2) == ["Tick task"]


def test_selection_ticks_every_task_in_it():
    (action,) = selection_actions(parse(DOC), 3, 7)
    assert action.kind == SELECTION and action.title == "Tick 2 tasks in the selection"
    after = apply_edits(DOC, action.edits)
    assert [line[:5] for line in after.split("\n")[3:8]] == ["- [x]", "  tha", "  - [", "  - [", "- [x]"]
    assert after.split("\n")[6] == "  - [x] Grammar"
    (untick,) = selection_actions(parse(after), 3, 7)
    assert untick.title == "Untick 4 tasks in the selection"


def test_emoji_cjk_and_crlf():
    text = "## 🚀 計画\r\n- [ ] 😀 テスト\r\n  続き 🎉\r\n"
    assert _apply(text, 2, "Tick task") == "## 🚀 計画\r\n- [x] 😀 テスト\r\n  続き 🎉\r\n"


def test_a_real_line_from_the_examples(example_text):
    text = example_text("001_5af4e7fbacbd400f")
    lines = text.split("\n")
    line = next(i for i, l in enumerate(lines) if "Add rendered architecture diagram" in l)
    after = _apply(text, line, "Tick task").split("\n")
    assert after[line] == "- [x] Add rendered architecture diagram image (SVG/PNG)"
    assert [l for i, l in enumerate(after) if i != line] == [l for i, l in enumerate(lines) if i != line]


def test_with_custom_states_an_open_task_still_offers_tick_and_its_cascades():
    settings = Settings(states={"~": "in progress", "-": "cancelled"})
    assert _titles("- [ ] a\n  - [ ] b\n", 0, settings) == [
        "Mark task as in progress [~]",
        "Tick task",
        "Tick task with all subtasks (1 open)",
    ]
    # A subtask in progress is ticked with its parent; a cancelled one stays cancelled.
    text = "- [ ] a\n  - [~] b\n  - [-] c\n"
    assert _apply(text, 0, "Tick task with all subtasks (1 open)", settings) == "- [x] a\n  - [x] b\n  - [-] c\n"
    # The last open subtask completes its parent; a cancelled sibling does not hold it open.
    assert _titles("- [ ] a\n  - [-] b\n  - [~] c\n", 2, settings) == [
        "Tick task",
        "Tick task and its parent 'a'",
    ]
    # A cancelled parent is not ticked by its last subtask.
    assert _titles("- [-] a\n  - [ ] b\n", 1, settings) == ["Mark task as in progress [~]", "Tick task"]
