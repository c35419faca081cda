from __future__ import annotations

import pytest
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.duplicate_task_id import RULE

from ..conftest import shared_files
from backlog_ls.model import Span

from .fixture import apply_fix, assert_findings, findings_for, fixed


def test_every_later_use_names_the_line_of_the_first():
    found = assert_findings(
        """
        ## Phase 6
        - [x] **Task 6.3 (Issue #24):** Scaffold the site.
        - [x] **Task 6.4 (Issue #25):** Draw the diagrams.
        - [ ] **Task 6.3 (#TBD):** Add a showcase page.
                ^^^^^^^^ BL104 warning: Task ID 'Task 6.3' is also used by the task on line 2.
        - [ ] Task 6.3: Add a blog.
              ^^^^^^^^ BL104 warning: Task ID 'Task 6.3' is also used by the task on line 2.
          - [ ] T12 short IDs too
          - [ ] T12 again
                ^^^ BL104 warning: Task ID 'T12' is also used by the task on line 6.
        """,
        rule="duplicate-task-id",
    )
    assert [fix.title for finding in found for fix in finding.fixes] == [
        "Renumber to 'Task 6.5'",
        "Renumber to 'Task 6.6'",
        "Renumber to 'T13'",
    ]
    assert not any(fix.safe for finding in found for fix in finding.fixes)


def test_the_fix_renumbers_to_the_next_free_id_of_the_phase():
    text = (
        "- [x] **Task 6.3 (Issue #24):** Scaffold the site.\n"
        "- [x] **Task 6.5 (Issue #26):** Add statistics.\n"
        "- [x] **Task 7.1 (Issue #27):** Port the pages.\n"
        "- [ ] **Task 6.3 (#TBD):** Add a showcase page.\n"
    )
    assert fixed(text, rule="BL104") == text.replace("**Task 6.3 (#TBD)", "**Task 6.6 (#TBD)")


def test_only_the_id_a_task_starts_with_names_it():
    assert_findings(
        """
        - [x] **Task 3.1:** Implement the client.
        - [ ] Package the client, depends on Task 3.1
        - [ ] Sign it after Task 3.1 and Task 3.1 again
        - Task 3.1 in a plain bullet
        - [ ] [Task 3.2] Ship it
        - [ ] ~~Task 3.3~~ dropped, see Task 3.2
        """,
        rule="duplicate-task-id",
    )


def test_nothing_on_the_example(example_text):
    assert findings_for(example_text("000_d75c51bba9a042cf"), rule="duplicate-task-id") == []


@pytest.mark.shared("corpus")
def test_nothing_on_the_corpus():
    for path in shared_files("corpus"):
        assert check(parse(path.read_text(encoding="utf-8")), rules=[RULE]) == [], path.name


REPEATED_CHECKLIST = """\
# Tasks
## Phase 1
- [x] T001 Write the parser
- [ ] T002 Write the **checker**
- [x] T003 Ship it.
## Quality Checklist
This list tracks completion.
- [ ] T001 Write the parser
- [ ] T002 Write the checker
- [ ] T003 ship it
"""


def test_a_repeated_list_is_one_finding_naming_its_state_conflicts():
    found = findings_for(REPEATED_CHECKLIST, rule="BL104")
    assert [(f.span, f.message) for f in found] == [
        (
            Span(7, 6, 7, 10),
            "T001 is done on line 3 but open here. 1 more repeated task here disagrees with its first listing.",
        )
    ]
    assert [(r.span.start_line + 1, r.message) for r in found[0].related] == [
        (10, "T003 is done on line 5 but open here."),
        (3, "First listed here (T001)."),
        (5, "First listed here (T003)."),
    ]
    here, there = found[0].fixes
    assert not here.safe and not there.safe
    assert (here.title, there.title) == (
        "Make these 2 tasks match their first listing",
        "Make the first listings match these 2 tasks",
    )
    assert apply_fix(REPEATED_CHECKLIST, here) == REPEATED_CHECKLIST.replace(
        "- [ ] T001 Write the parser\n- [ ] T002 Write the checker\n- [ ] T003 ship it",
        "- [x] T001 Write the parser\n- [ ] T002 Write the checker\n- [x] T003 ship it",
    )
    assert apply_fix(REPEATED_CHECKLIST, there) == REPEATED_CHECKLIST.replace("[x] T001", "[ ] T001").replace(
        "[x] T003", "[ ] T003"
    )
    assert findings_for(apply_fix(REPEATED_CHECKLIST, here), rule="BL104") == []


def test_one_conflict_offers_a_fix_on_either_side():
    text = "- [x] **T136:** Add the cache\n- [ ] T137 Other\n\n## Checklist\n- [ ] **T136:** Add the cache\n"
    (found,) = findings_for(text, rule="BL104")
    assert found.message == "T136 is done on line 1 but open here."
    assert [fix.title for fix in found.fixes] == ["Mark as on line 1: '[x]'", "Mark line 1 as here: '[ ]'"]
    assert apply_fix(text, found.fixes[1]) == text.replace("- [x] **T136", "- [ ] **T136")


def test_a_declared_state_is_named_in_the_conflict():
    text = "- [x] T1 Port it\n\n## Again\n- [-] T1 Port it\n"
    (found,) = findings_for(text, rule="BL104", config='states = { "-" = "cancelled" }')
    assert found.message == "T1 is done on line 1 but cancelled here."


def test_a_repeated_task_in_the_same_state_is_a_reference():
    assert findings_for(REPEATED_CHECKLIST.replace("- [ ] T001", "- [x] T001").replace("- [ ] T003", "- [x] T003"), rule="BL104") == []


def test_same_id_with_different_text_stays_a_duplicate_and_keeps_its_zero_padding():
    found = findings_for(REPEATED_CHECKLIST + "- [ ] T002 Write the docs\n", rule="BL104")
    assert [f.message for f in found][-1] == "Task ID 'T002' is also used by the task on line 4."
    assert found[-1].fixes[0].title == "Renumber to 'T004'"


def test_a_backlog_pasted_twice_gets_a_fresh_id_for_every_later_copy():
    # Renumbering takes the highest number per prefix, not a scan of every number per duplicate
    # (a 20,000-task backlog pasted twice took 248 s).
    tasks = "".join(f"- [ ] **Task 2.{n}:** Step {n}\n" for n in range(1, 301)) + "- [ ] **Task 3.1:** Next\n"
    # The copy says something else: duplicates (the same text would be references to the first).
    backlog = parse(tasks + tasks.replace("Step", "Other step").replace("Next", "Then"))
    found = [finding for finding in check(backlog, rules=[RULE])]
    assert len(found) == 301
    titles = [fix.title for finding in found for fix in finding.fixes]
    assert titles[:2] == ["Renumber to 'Task 2.301'", "Renumber to 'Task 2.302'"]
    assert titles[-2:] == ["Renumber to 'Task 2.600'", "Renumber to 'Task 3.2'"]
    assert found[0].message == "Task ID 'Task 2.1' is also used by the task on line 1."


def test_a_long_list_repeated_with_every_state_flipped_is_one_finding():
    tasks = "".join(f"- [x] T{n:04d} Step {n}\n" for n in range(1, 3001))
    text = "# Tasks\n" + tasks + "## Checklist\n" + tasks.replace("[x]", "[ ]")
    (found,) = check(parse(text), rules=[RULE])
    assert found.message == "T0001 is done on line 2 but open here. 2999 more repeated tasks here disagree with their first listing."
    assert len(found.related) == 2999 + 3000


def test_a_checklist_over_heading_tasks_reports_only_its_state_conflicts():
    text = (
        "# Plan\n\n### Task 1.1: Parser ✅\n\n- [x] lex\n\n### Task 1.2: Checker\n\n"
        "## Checklist\n\n- [ ] Task 1.1: Parser\n- [ ] Task 1.2: Checker\n- [ ] Task 1.2: Something else\n"
    )
    found = findings_for(text, rule="BL104")
    assert [(f.span.start_line + 1, f.message) for f in found] == [
        (11, "Task 1.1 is done on line 3 but open here."),
        (13, "Task ID 'Task 1.2' is also used by the task on line 12."),
    ]
    assert apply_fix(text, found[0].fixes[0]) == text.replace("- [ ] Task 1.1", "- [x] Task 1.1")
