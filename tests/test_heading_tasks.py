"""Tasks written as headings: in the model, and in the outline with their state and progress."""

from __future__ import annotations

import pytest

from backlog_ls.features.symbols import SECTION, TASK, document_symbols
from backlog_ls.parse import parse


@pytest.mark.parametrize(
    ("heading", "state", "task_id"),
    [
        ("### Task 1.1: Parser ✅", "x", "Task 1.1"),
        ("## [x] Ship v1", "x", None),
        ("## [ ] Ship v2", " ", None),
        ("### ✅ Task 2.3 — Done", "x", "Task 2.3"),
        ("#### T012 [P] Add tests", " ", "T012"),
        ("## Phase 1 ✅", "x", None),
        ("## Phase 4 — DONE", "x", None),
        ("## ~~Old plan~~", "x", None),
        ("Task 3.1: Setext\n===", " ", "Task 3.1"),
    ],
)
def test_a_heading_with_an_id_a_checkbox_or_a_status_mark_is_a_task(heading, state, task_id):
    (found,) = parse(heading + "\n").headings
    assert found.task_state == state
    assert (found.task_id.text if found.task_id else None) == task_id


@pytest.mark.parametrize(
    "heading",
    ["## Notes", "## ✅ Success Criteria", "## Definition of Done", "## Phase 2: Query Protocol", "## Done"],
)
def test_a_heading_with_neither_stays_a_section(heading):
    (found,) = parse(heading + "\n").headings
    assert found.task_state is None and not found.is_task


def test_the_task_id_span_points_at_the_id():
    (heading,) = parse("### ✅ Task 2.3 — Done\n").headings
    assert heading.task_id.span == (0, 6, 0, 14)


def test_heading_tasks_appear_in_the_outline_with_their_state_and_count_in_the_progress_above():
    text = (
        "# Plan\n"
        "## Phase 1\n"
        "### Task 1.1: Parser ✅\n"
        "- [x] Lexer\n"
        "- [x] Grammar\n"
        "### Task 1.2: Checker\n"
        "- [x] Rules\n"
        "- [ ] Fixes\n"
        "### Notes\n"
        "- [ ] Write them\n"
    )
    (plan,) = document_symbols(parse(text))
    (phase,) = plan.children
    parser, checker, notes = phase.children
    assert (parser.name, parser.kind, parser.detail) == ("Task 1.1: Parser ✅", TASK, "done, 2/2 done")
    assert (checker.name, checker.kind, checker.detail) == ("Task 1.2: Checker", TASK, "open, 1/2 done")
    assert (notes.kind, notes.detail) == (SECTION, "0/1 done")
    # Phase 1: five list tasks (three done) and two heading tasks (one done).
    assert phase.detail == "4/7 done"
    assert [child.detail for child in parser.children] == ["done", "done"]


def test_a_heading_task_survives_an_edit_above_it():
    from backlog_ls.parse import reparse

    old = parse("# Plan\n\n### Task 1.1: Parser ✅\n")
    new_lines = ("# Plan", "intro", "", "### Task 1.1: Parser ✅")
    new = reparse(old, new_lines, 1, 0, 1)
    assert new.headings == parse("\n".join(new_lines)).headings
    assert new.headings[1].task_id.span.start_line == 3


PLAN = """\
## Phase 1
### Task 1.1: Parser ✅
- [x] Lexer
- [ ] Grammar
### Task 1.2: Checker
### Task 2.1: Misplaced
- [ ] **Task 1.1:** Named like the heading above
- [ ] Task 1–2: a checklist line over a range of tasks
## Phase 2
### Task 2.1: Real
"""


def test_heading_task_ids_take_part_in_the_duplicate_and_phase_rules():
    from tests.rules.fixture import findings_for

    found = [(f.code, f.span, f.message) for f in findings_for(PLAN) if f.code in ("BL104", "BL105")]
    assert found == [
        ("BL105", (5, 4, 5, 12), "'Task 2.1' is under 'Phase 1': a task of this section should be numbered 1.x."),
        ("BL104", (6, 8, 6, 16), "Task ID 'Task 1.1' is also used by the task on line 2."),
        ("BL104", (9, 4, 9, 12), "Task ID 'Task 2.1' is also used by the task on line 6."),
    ]


def test_a_done_heading_task_reports_its_open_subtasks():
    from tests.rules.fixture import findings_for

    (finding,) = findings_for(PLAN, rule="BL303")
    assert finding.span.start_line == 3  # "- [ ] Grammar" under "Task 1.1: Parser ✅"
    (finding,) = findings_for("## [x] Ship v1\n- [ ] Tag the release\n", rule="BL303")
    assert finding.span.start_line == 1
    assert findings_for("## [ ] Ship v2\n- [ ] Tag the release\n", rule="BL303") == []


def test_a_qualifier_takes_the_done_mark_back():
    (heading,) = parse("## Phase 10: HTTP/3 framing — CODE COMPLETE, not yet wired\n").headings
    assert heading.task_state is None
