from __future__ import annotations

import pytest
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.duplicate_task_id import RULE

from ..conftest import shared_files
from .fixture import assert_findings, findings_for, fixed


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


def test_a_backlog_pasted_twice_gets_a_fresh_id_for_every_later_copy():
    # Renumbering takes the highest number per prefix, not a scan of every number per duplicate
    # (a 20,000-task backlog pasted twice took 248 s).
    tasks = "".join(f"- [ ] **Task 2.{n}:** Step {n}\n" for n in range(1, 301)) + "- [ ] **Task 3.1:** Next\n"
    backlog = parse(tasks + tasks)
    found = [finding for finding in check(backlog, rules=[RULE])]
    assert len(found) == 301
    titles = [fix.title for finding in found for fix in finding.fixes]
    assert titles[:2] == ["Renumber to 'Task 2.301'", "Renumber to 'Task 2.302'"]
    assert titles[-2:] == ["Renumber to 'Task 2.600'", "Renumber to 'Task 3.2'"]
    assert found[0].message == "Task ID 'Task 2.1' is also used by the task on line 1."
