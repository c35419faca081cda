"""Hover and definition on what a task waits for (pure; end to end in test_progress_server.py)."""

from __future__ import annotations

from backlog_ls.features.blockers import Place, blocker_definition
from backlog_ls.features.hover import hover
from backlog_ls.model import Span
from backlog_ls.parse import parse
from backlog_ls.tracker import OPEN, MemoryIssues, TrackerIssue

TEXT = "- [ ] Task 1.1: Parser\n- [x] Task 1.2: Printer, after Task 1.1 and #9\n- [x] Task 1.3: Docs\n"


def test_hover_on_a_blocker_or_on_the_waiting_task_lists_each_blocker_with_its_state():
    backlog = parse(TEXT)
    tracker = MemoryIssues([TrackerIssue(9, "Importer", OPEN)])
    on_name = hover(backlog, 1, 33, issues=tracker)  # on "Task 1.1"
    assert on_name.markdown == "**Waits for** (2 of 2 still open)\n\n- Task 1.1: Parser (line 1, open)\n- #9 Importer (open)"
    assert on_name.span == Span(1, 31, 1, 39)
    on_task = hover(backlog, 1, 12, issues=tracker)
    assert on_task.markdown == on_name.markdown
    assert hover(backlog, 2, 12) is None  # a task that waits for nothing


def test_hover_says_when_a_blocker_is_unknown_or_all_are_done():
    backlog = parse(TEXT.replace("- [ ] Task 1.1", "- [x] Task 1.1"))
    assert hover(backlog, 1, 12).markdown == "**Waits for** (1 unknown)\n\n- Task 1.1: Parser (line 1, done)\n- #9 (unknown)"
    backlog = parse("- [x] Task 1.1: A\n- [ ] Task 1.2: B, after Task 1.1\n")
    assert hover(backlog, 1, 12).markdown == "**Waits for** (all done)\n\n- Task 1.1: A (line 1, done)"


def test_definition_jumps_from_a_blocker_to_the_task_it_names():
    backlog = parse(TEXT)
    assert blocker_definition(backlog, 1, 33) == Place(Span(0, 6, 0, 22))
    assert blocker_definition(backlog, 1, 45) is None  # an issue: nothing in the file to go to
    assert blocker_definition(backlog, 1, 5) is None
    obsidian = parse("- [ ] Ship 🆔 abc123\n- [ ] Docs ⛔ abc123\n")
    assert blocker_definition(obsidian, 1, 14) == Place(Span(0, 6, 0, 19))
