"""Renumber tasks in section (pure)."""

from __future__ import annotations

from backlog_ls.features.edits import apply_edits
from backlog_ls.features.formatting import format_lines
from backlog_ls.features.renumber import renumber_actions, renumber_phases_actions
from backlog_ls.fixes import fix_all
from backlog_ls.parse import parse
from backlog_ls.rules import check

DOC = """## Phase 3: 😀 X
- [ ] Task 3.1: a
- [ ] **Task 3.5**: b 解析
  - [ ] Task 3.9: nested
- [x] T2.1 c, depends on Task 3.1
- [ ] no id
## Phase 4
- [ ] Task 4.1: ok
"""


def test_renumber_on_the_heading():
    (action,) = renumber_actions(parse(DOC), 0)
    assert action.title == "Renumber tasks in section 3 (2 IDs change)"
    assert [tuple(e.span) for e in action.edits] == [(2, 13, 2, 16), (4, 7, 4, 10)]
    assert apply_edits(DOC, action.edits) == DOC.replace("Task 3.5", "Task 3.2").replace("T2.1", "T3.3")


def test_offered_on_numbered_tasks_only_and_when_something_changes():
    backlog = parse(DOC)
    assert [line for line in range(9) if renumber_actions(backlog, line)] == [0, 1, 2, 4]
    assert renumber_actions(backlog, 6) == [] and renumber_actions(backlog, 7) == []
    assert renumber_actions(parse("## Notes\n- [ ] Task 1.4: a\n"), 0) == []  # no section number


# --- Renumber phases ----------------------------------------------------------------------------


PHASES = """# Plan

## Phase 1: a
- [ ] Task 1.1: x

## **Phase 3**: b 解析
- [ ] Task 3.1: y, after Task 3.2
  - [ ] Task 3.1.1 sub
### Notes
- [ ] T3.4 z

## Phase 7 c 😀
- [ ] Task 7.2: w
- [ ] Task 6.1: from elsewhere
## Appendix 9
"""

RENUMBERED = """# Plan

## Phase 1: a
- [ ] Task 1.1: x

## **Phase 2**: b 解析
- [ ] Task 2.1: y, after Task 3.2
  - [ ] Task 2.1.1 sub
### Notes
- [ ] T2.4 z

## Phase 3 c 😀
- [ ] Task 3.2: w
- [ ] Task 6.1: from elsewhere
## Appendix 9
"""


def test_renumber_phases_and_their_task_ids():
    (action,) = renumber_phases_actions(parse(PHASES), 5)
    assert action.title == "Renumber phases 1..3 (2 headings change)"
    assert apply_edits(PHASES, action.edits) == RENUMBERED
    assert all(e.span.end_col - e.span.start_col == 1 and e.new_text.isdigit() for e in action.edits)  # digits only
    assert (5, 11, 5, 12) in [tuple(e.span) for e in action.edits]  # inside the bold markup


def test_renumber_phases_offered_on_numbered_headings_only():
    backlog = parse(PHASES)
    assert [line for line in range(len(backlog.lines)) if renumber_phases_actions(backlog, line)] == [2, 5, 11]
    assert renumber_phases_actions(parse(RENUMBERED), 2) == []  # already in order
    other_words = parse("## Phase 1\n## Stage 1\n## 1. Intro\n")  # each word counts on its own
    assert [renumber_phases_actions(other_words, line) for line in range(3)] == [[], [], []]


def test_renumber_phases_two_digit_numbers():
    text = "## Phase 10\n- [ ] Task 10.3 a\n## Phase 12\n- [ ] Task 12.1 b\n"
    (action,) = renumber_phases_actions(parse(text), 0)
    assert apply_edits(text, action.edits) == "## Phase 1\n- [ ] Task 1.3 a\n## Phase 2\n- [ ] Task 2.1 b\n"


def test_out_of_order_phases_are_offered_never_applied(example_text):
    text = example_text("002_1b7ec6140be80cd5")
    backlog = parse(text)
    line = next(n for n, line in enumerate(backlog.lines) if line.startswith("### Phase 35"))
    (action,) = renumber_phases_actions(backlog, line)
    assert action.title.startswith("Renumber phases 1..")
    headings = [line for line in backlog.lines if line.startswith("### Phase ")]
    # Neither formatting nor fix-all touches the phase numbers.
    formatted = apply_edits(text, format_lines(backlog.lines))
    fixed = fix_all(text, lambda t: check(parse(t))).text
    for after in (formatted, fixed):
        assert [line for line in after.splitlines() if line.startswith("### Phase ")] == headings
