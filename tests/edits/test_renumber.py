"""Renumber tasks in section (pure)."""

from __future__ import annotations

from backlog_ls.features.edits import apply_edits
from backlog_ls.features.renumber import renumber_actions
from backlog_ls.parse import parse

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
