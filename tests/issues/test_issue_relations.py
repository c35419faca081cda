"""Sub-issue progress and blockers in the hover, BL308 sub-issues-disagree and BL309 blocked-issue-done."""

from __future__ import annotations

from backlog_ls.features import hover
from backlog_ls.parse import parse
from backlog_ls.tracker import CLOSED, OPEN, MemoryIssues, Repository, TrackerIssue

from ..rules.fixture import findings_for, split_annotations

REPO = Repository("github", "acme", "app")


def tracker() -> MemoryIssues:
    return MemoryIssues(
        [
            TrackerIssue(10, "Importer", OPEN, sub_issues_total=3, sub_issues_closed=1, blocked_by=(4, 9)),
            TrackerIssue(4, "Schema", OPEN),
            TrackerIssue(9, "Old", CLOSED),
            TrackerIssue(12, "Deploy", OPEN, blocked_by=(9,)),
        ],
        REPO,
    )


def test_hover_shows_sub_issue_progress_and_the_blockers():
    text = "- [ ] Importer (#10)\n"
    found = hover.hover(parse(text), 0, text.index("#10") + 1, issues=tracker())
    assert found.markdown.split("\n\n")[:3] == [
        "**Issue #10**: Importer",
        "**Open** · 1/3 sub-issues closed",
        "Blocked by #4 (open: Schema), #9 (closed: Old)",
    ]


def test_subtasks_ticked_further_than_sub_issues_closed_and_a_ticked_task_still_blocked():
    annotated = """
        - [ ] Importer (#10)
                        ^^^ BL308 hint: 2/3 subtasks are ticked but only 1/3 sub-issues of #10 are closed.
          - [x] Parse CSV
          - [x] Parse JSON
          - [ ] Write rows
        - [x] Ship (#10)
                    ^^^ BL309 warning: Task is ticked but its issue #10 is blocked by #4, which is still open.
        - [x] Deploy (#12)
        - [ ] Importer again (#10)
          - [x] Parse CSV
          - [ ] Parse JSON
    """
    text, expected = split_annotations(annotated)
    found = [(f.code, f.severity, f.span, f.message) for f in findings_for(text, tracker=tracker()) if f.code in ("BL308", "BL309")]
    assert found == sorted(expected, key=lambda e: (e[2], e[0]))
