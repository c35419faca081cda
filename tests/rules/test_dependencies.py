"""Dependency rules: BL601 blocked-task-done, BL602 dependency-cycle, BL603 unknown-blocker."""

from __future__ import annotations

from backlog_ls.dependencies import ElsewhereTask, graph
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.tracker import CLOSED, OPEN, MemoryIssues, TrackerIssue

from .fixture import apply_fix, assert_findings, findings_for, split_annotations


def test_a_ticked_task_waiting_for_an_open_one_is_a_warning_with_untick_and_the_blocker_related():
    found = assert_findings(
        """
        - [ ] Task 1.1: Parser
        - [x] Task 1.2: Printer, depends on Task 1.1
                                            ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 1.1: Parser (line 1, open), which is still open.
        - [x] Task 1.3: Docs, after Task 1.2
        """,
        rule="BL601",
    )
    (finding,) = found
    (untick,) = finding.fixes
    assert (untick.title, untick.safe) == ("Untick this task", False)
    text, _ = split_annotations("- [ ] Task 1.1: Parser\n- [x] Task 1.2: Printer, depends on Task 1.1\n")
    assert apply_fix(text, untick) == "- [ ] Task 1.1: Parser\n- [ ] Task 1.2: Printer, depends on Task 1.1\n"
    assert [(r.span, r.message) for r in finding.related] == [((0, 6, 0, 22), "Task 1.1 is still open")]


def test_every_written_form_names_its_blocker():
    found = assert_findings(
        """
        - [ ] T10 Build the index
        - [ ] Task 2.1: Schema
        - [ ] Ship 🆔 abc123
        - [x] Deploy, blocked by Task 2.1
                                 ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 2.1: Schema (line 2, open), which is still open.
        - [x] Search, after T10
                            ^^^ BL601 warning: Task is ticked but waits for T10 Build the index (line 1, open), which is still open.
        - [x] Migrate, needs Task 2.1 and T10
                             ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 2.1: Schema (line 2, open), which is still open.
                                          ^^^ BL601 warning: Task is ticked but waits for T10 Build the index (line 1, open), which is still open.
        - [x] Announce ⛔ abc123
                         ^^^^^^ BL601 warning: Task is ticked but waits for Ship 🆔 abc123 (line 3, open), which is still open.
        - [x] Later (**requires** Task 2.1)
                                  ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 2.1: Schema (line 2, open), which is still open.
        """,
        rule="BL601",
    )
    assert len(found) == 6


def test_a_depends_on_bullet_belongs_to_its_task_and_a_heading_tasks_paragraph_to_the_heading():
    assert_findings(
        """
        - [ ] **Task 1.1**: Audit
        - [x] **Task 1.2**: Stories
          - Files: `demo/*.tsx`
          - Depends on: Task 1.1
                        ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 1.1: Audit (line 1, open), which is still open.

        ### Task 2.1: Parser ✅
        **Depends on:** Task 1.1
                        ^^^^^^^^ BL601 warning: Task is ticked but waits for Task 1.1: Audit (line 1, open), which is still open.
        """,
        rule="BL601",
    )


def test_done_or_cancelled_blockers_and_open_dependents_are_quiet():
    text = "- [x] Task 1.1: A\n- [-] Task 1.2: B\n- [x] Task 1.3: C, after Task 1.1 and Task 1.2\n- [ ] Task 1.4: D, after Task 9.9\n"
    assert findings_for(text, rule="BL601") == []


def test_an_issue_blocker_is_the_task_that_references_it_or_else_the_cached_issue():
    tracker = MemoryIssues([TrackerIssue(12, "Importer", OPEN), TrackerIssue(13, "Exporter", CLOSED)])
    assert_findings(
        """
        - [ ] Build the API (#20)
        - [x] Deploy, blocked by #12
                                 ^^^ BL601 warning: Task is ticked but waits for #12 Importer (open), which is still open.
        - [x] Release, requires #13
        - [x] Publish, requires #20
                                ^^^ BL601 warning: Task is ticked but waits for Build the API (#20) (line 1, open), which is still open.
        """,
        rule="BL601",
        tracker=tracker,
    )


def test_the_trackers_blocked_by_feeds_the_graph_but_bl309_reports_it():
    tracker = MemoryIssues([TrackerIssue(12, "Deploy", OPEN, blocked_by=(5,)), TrackerIssue(5, "Migrate", OPEN)])
    backlog = parse("- [ ] Deploy (#12)\n- [ ] Migrate (#5)\n")
    found = graph(backlog, tracker=tracker)
    assert [(d.task.name, d.label, d.origin, d.target.name) for d in found.dependencies] == [
        ("Deploy (#12)", "#5", "tracker", "Migrate (#5)")
    ]
    assert [node.name for node in found.ready()] == ["Migrate (#5)"]
    ticked = "- [x] Deploy (#12)\n- [ ] Migrate (#5)\n"
    assert [f.code for f in findings_for(ticked, tracker=tracker) if f.code in ("BL309", "BL601")] == ["BL309"]


def test_a_cycle_is_one_warning_on_its_first_dependency():
    found = assert_findings(
        """
        - [ ] Task 1.1: A, after Task 1.3
                                 ^^^^^^^^ BL602 warning: A cycle of dependencies: Task 1.3 → Task 1.2 → Task 1.1 → Task 1.3; none of these tasks can start.
        - [ ] Task 1.2: B, after Task 1.1
        - [ ] Task 1.3: C, after Task 1.2
        - [ ] Task 1.4: D, after Task 1.4
                                 ^^^^^^^^ BL602 warning: The task waits for itself (Task 1.4): it can never start.
        - [ ] Task 1.5: E, after Task 1.1
        """,
        rule="BL602",
    )
    assert [r.message for r in found[0].related] == ["waits for Task 1.1", "waits for Task 1.2"]


def test_a_blocker_naming_nothing_is_a_hint_and_the_workspace_can_know_it():
    annotated = """
        - [ ] Task 1.1: A, depends on Task 9.9
                                      ^^^^^^^^ BL603 hint: No task in this file starts with Task 9.9: this dependency names nothing known.
        - [ ] Task 1.2: B ⛔ zz9
                            ^^^ BL603 hint: No task in this file carries '🆔 zz9': this dependency names nothing known.
        - [ ] Task 1.3: C, blocked by #77
        """
    assert_findings(annotated, rule="BL603")
    text, _ = split_annotations(annotated)
    backlog = parse(text)

    def elsewhere(kind, name):
        return ElsewhereTask("other/PLAN.md", 4, "Task 9.9: Elsewhere", "done") if name == "Task 9.9" else None

    from backlog_ls.rules import Context  # noqa: F401 - the hook the workspace index fills

    found = graph(backlog, elsewhere=elsewhere)
    assert [(d.label, d.known, d.state) for d in found.dependencies] == [
        ("Task 9.9", True, "done"),
        ("zz9", False, None),
        ("#77", False, None),
    ]


def test_ready_to_start_is_the_open_tasks_whose_blockers_are_all_done():
    backlog = parse(
        "- [x] Task 1.1: A\n- [ ] Task 1.2: B, after Task 1.1\n- [ ] Task 1.3: C, after Task 1.2\n"
        "- [~] Task 1.4: D\n- [-] Task 1.5: E\n- [ ] Task 1.6: F, after Task 9.9\n"
    )
    assert [node.name for node in graph(backlog).ready()] == ["Task 1.2: B, after Task 1.1", "Task 1.4: D"]
    assert [node.name for node in graph(parse("- [ ] a\n- [x] b\n")).ready()] == ["a"]


def test_prose_that_only_sounds_like_a_dependency_is_not_one():
    backlog = parse(
        "- [ ] Measure after #6691's shed\n- [ ] Fade out after 5 seconds\n- [ ] Needs `Task 1.1` in code\n- [ ] ⛔ **SUPERSEDED**\n"
    )
    assert graph(backlog).dependencies == ()
    assert [f for f in check(backlog) if f.code.startswith("BL6")] == []


def test_a_blocker_written_after_an_edit_is_found_and_a_moved_document_without_any_still_knows_its_tasks():
    from backlog_ls.parse import reparse
    from backlog_ls.text import split_lines

    text = "# Plan\n\n- [ ] Task 1.1: Parser\n\n" + "".join(f"## S{n}\n\n- [x] Task 2.{n}: Step\n\n" for n in range(12))
    old = parse(text)
    assert graph(old).dependencies == ()
    # Enter at the top moves every block: the tasks (read on demand) are where they are now.
    moved_text = "\n" + text
    moved = reparse(old, split_lines(moved_text)[0], 0, 0, 1)
    assert [node.line for node in graph(moved).ready()] == [3]
    assert [node.line for node in graph(moved).nodes][-1] == 3 + 12 * 4
    # A blocker typed into the last block is read, although the blocks before it were seen without any.
    lines = moved_text.split("\n")
    last = max(n for n, line in enumerate(lines) if "Task 2.11" in line)
    lines[last] += ", depends on Task 1.1"
    edited = reparse(moved, split_lines("\n".join(lines))[0], last, last, last)
    (dependency,) = graph(edited).dependencies
    assert (dependency.task.line, dependency.label, dependency.target.line, dependency.is_open) == (last, "Task 1.1", 3, True)
