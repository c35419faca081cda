from __future__ import annotations

import pytest
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.placeholder_issue import RULE

from ..conftest import shared_files
from .fixture import assert_findings, findings_for

OPEN = "stands for an issue not filed yet: file it and write its number here."
DONE = (
    "instead of its issue: finished work must name its issue; "
    "write its number here (file the issue first if there is none)."
)


def test_a_hint_on_an_open_task_and_a_warning_on_a_finished_one():
    found = assert_findings(
        f"""
        - [ ] **Task 14.8 (#TBD):** Presence monitor
                           ^^^^ BL102 hint: '#TBD' {OPEN}
        - [x] **Task 14.2 (Issue #TBD):** Security model
                           ^^^^^^^^^^ BL102 warning: Finished task names a placeholder 'Issue #TBD' {DONE}
        - [~] In progress (#TODO)
                           ^^^^^ BL102 hint: '#TODO' {OPEN}
        """,
        rule="placeholder-issue",
    )
    assert all(finding.fixes == () for finding in found)


def test_every_placeholder_form_in_subtasks_and_plain_bullets():
    assert_findings(
        f"""
        - [ ] Parent
          - [x] Child #? and #XXX
                      ^^ BL102 warning: Finished task names a placeholder '#?' {DONE}
                             ^^^^ BL102 warning: Finished task names a placeholder '#XXX' {DONE}
        - Plain bullet (#n)
                        ^^ BL102 hint: '#n' {OPEN}
          - [ ] Under a bullet (#TBA)
                                ^^^^ BL102 hint: '#TBA' {OPEN}
        """,
        rule="placeholder-issue",
    )


def test_headings_prose_and_code_are_left_alone():
    assert_findings(
        """
        # Backlog (#TBD)

        Issue numbers refer to the tracker (`#TBD` = not filed yet); file #TBD ones early.

        - [ ] Code spans hold no placeholder: `#TBD`
        - [ ] Nor do hex colours #fff, tags #todo-list, anchors [see](#tbd) or AES-256
        - [ ] Nor do numbers: #12
        """,
        rule="placeholder-issue",
    )


def test_the_severity_can_be_configured():
    assert_findings(
        f"""
        - [ ] Hover (#TBD)
                     ^^^^ BL102 info: '#TBD' {OPEN}
        """,
        rule="placeholder-issue",
        config='[rules]\nplaceholder-issue = "info"\n',
    )


def test_the_thirteen_placeholders_of_the_example_are_hints_on_open_tasks(example_text):
    text = example_text("000_d75c51bba9a042cf")
    found = findings_for(text, rule="placeholder-issue")
    lines = text.split("\n")
    assert len(found) == 13
    assert {finding.severity for finding in found} == {"hint"}
    for finding in found:
        line = lines[finding.span.start_line]
        assert line.startswith("- [ ] **Task ")
        assert line[finding.span.start_col : finding.span.end_col] == "#TBD"
    assert [finding.span.start_line + 1 for finding in found] == [
        92, 93, 115, 116, 117, 118, 119, 122, 123, 124, 127, 128, 129,
    ]


@pytest.mark.shared("corpus")
def test_on_the_corpus_only_the_file_that_uses_placeholders():
    counts = {}
    for path in shared_files("corpus"):
        found = check(parse(path.read_text(encoding="utf-8")), rules=[RULE])
        if found:
            counts[path.name] = sorted((finding.severity, finding.span.start_line + 1) for finding in found)
    (name,) = counts
    assert name.startswith("52-trendvidia--protowire")
    # Four finished tasks of "M0 — Spec freeze" name #TBD (warnings), 32 open ones (hints).
    assert [line for severity, line in counts[name] if severity == "warning"] == [68, 69, 70, 71]
    assert len(counts[name]) == 36
