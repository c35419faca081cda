from __future__ import annotations

import subprocess
import sys

import pytest

from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.task_id_mismatch import RULE

from ..conftest import SHARED, shared_files
from .fixture import assert_findings, findings_for

MESSAGE = "is under 'Phase 8: Community': a task of this section should be numbered 8.x."


def test_a_task_numbered_for_another_phase():
    found = assert_findings(
        f"""
        ## Phase 7: Web
        - [x] **Task 7.1 (Issue #27):** Build the landing page.
        ## Phase 8: Community
        - [x] **Task 8.1 (Issue #31):** Write a contributing guide.
        - [x] **Task 7.2 (Issue #33):** Add a hook system.
                ^^^^^^^^ BL105 warning: 'Task 7.2' {MESSAGE}
        ### 8.1 Follow-ups
        - [ ] **Task 8.2:** Add a showcase.
        - [ ] Task 9.1: Prepare the release.
              ^^^^^^^^ BL105 warning: 'Task 9.1' {MESSAGE}
        """,
        rule="task-id-mismatch",
    )
    assert all(finding.fixes == () for finding in found)


def test_sections_without_a_number_and_numbered_subsections():
    assert_findings(
        """
        ## Phase 1
        ### 1.1 Search follow-ups
        - [x] **Task 1.1 (#TBD):** Migrate range formatting
        - [x] **Task 1.2 (#TBD):** Implement URI normalisation
        ### 1.2 Release cleanup
        - [x] **Task 1.5 (Issue #111):** Fix error recovery
        ## Phase 2
        ### Step 1
        - [ ] **Task 2.3:** A step numbered on its own
        ## Bug Tracker & Unplanned Work
        - [x] **Task 6.1 (Issue #20):** Fix the Windows runner.
        """,
        rule="task-id-mismatch",
    )


def test_only_the_leading_id_of_a_task_and_only_dotted_ids():
    assert_findings(
        """
        ## Phase 3
        - [x] **Task 3.1:** Implement the client.
        - [x] **Task 3.2:** Package it, after Task 2.4 and T4.1
        - [ ] Port the parser, depends on Task 5.1
        - [ ] Task 7: numbered across the whole plan
        - [ ] T12 likewise
        """,
        rule="task-id-mismatch",
    )


def test_silent_where_the_file_numbers_tasks_another_way():
    assert_findings(
        """
        ## Sprint 12
        - [x] Task 3.1: Parse
        - [x] Task 4.2: Check
        ## Sprint 13
        - [ ] Task 13.1: Serve
        - [ ] Task 5.1: Hover
        """,
        rule="task-id-mismatch",
    )


def test_nothing_on_the_example(example_text):
    # "Bug Tracker & Unplanned Work" (no number) holds Task 6.1 and 6.2; Phase 6 holds 6.3 to 6.5.
    assert findings_for(example_text("000_d75c51bba9a042cf"), rule="task-id-mismatch") == []


@pytest.mark.shared("corpus")
def test_nothing_on_the_corpus():
    for path in shared_files("corpus"):
        assert check(parse(path.read_text(encoding="utf-8")), rules=[RULE]) == [], path.name


LSPBENCH = SHARED / "tools" / "lspbench.py"


@pytest.mark.shared("tools/lspbench.py")
def test_nothing_on_a_generated_backlog(tmp_path):
    out = tmp_path / "backlog.md"
    subprocess.run(
        [sys.executable, str(LSPBENCH), "--gen-backlog", "2000", "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    assert check(parse(out.read_text(encoding="utf-8")), rules=[RULE]) == []
