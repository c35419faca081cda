"""After Enters, joined lines and typing in a long backlog, every rule's findings with every cache
warm equal those of a fresh parse, and so do the task index, the RFC citations and the link targets.

An Enter moves every block below it by a line: the task index takes the facts of those copies
from the blocks they were copied from (``rules.common._LazyFacts``), and rules keep what they
derive from a block with the line it started at and move it (``memo.PlacedMemo``): the
placeholder findings, the task-ID agreement of a section, link targets, RFC citations.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.config import Settings
from backlog_ls.parse import parse_lines, reparse
from backlog_ls.rules import check, common
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit, backlog_lines
from .test_placed_values_after_edits import fresh_placed_values, placed_values
from .test_task_index_after_edits import _fresh, _index_values

TASK_LINES = [
    "- [ ] **Task {n}.1 (#{n}):** open",
    "- [x] **Task {n}.2 (Issue #{n}):** done",
    "- [ ] **Task 8.{n}:** numbered for phase 8",
    "- [ ] **Task 3.{n}:** numbered for phase 3",
    "- [ ] to file (#TBD) {n}",
    "- [x] finished (#TBD) {n}",
    "  - [ ] subtask {n}",
    "  - Issue: #{n}",
    "- [ ] no issue {n}",
    "- [ ] see [RFC 68](docs/rfcs/0068-a.md) {n}",
    "- [ ] [RFC 68](docs/rfcs/0068-b.md) and [a link](missing-{n}.md) {n}",
    "  continued {n}",
]
OTHER_BLOCKS = [
    "", "## Phase 8: Later", "## Phase 3: Now", "### Section {n}", "Prose {n}.", "## Definition of Done", "---",
    "See RFC 2616 and RFC {n}.", "[a link](nowhere-{n}.md) in prose", "> - [ ] quoted [RFC 68](docs/rfcs/0068-c.md) {n}",
]
EDITS = ["\n", "\n", "\n", "\n\n", "\n- [ ] new", "", "x", "Task 8.1 "]


@st.composite
def long_backlog_and_edits(draw):
    lines = backlog_lines(draw, draw(st.integers(40, 160)), TASK_LINES, OTHER_BLOCKS, rarity=8)
    edits = []
    for _ in range(draw(st.integers(1, 8))):
        # A deletion of one line ending (span 1, ""): Backspace at a line's start, joining it to the one above.
        text = draw(st.sampled_from(EDITS))
        edits.append((draw(st.floats(0, 1)), draw(st.floats(0, 1)), int(text == "" and draw(st.booleans())), text))
    return "\n".join(lines) + "\n", edits


@settings(max_examples=budget.count(fast=80, soak=1_500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_backlog_and_edits())
def test_findings_after_enters_in_a_long_backlog_equal_those_of_a_fresh_parse(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    check(backlog, Settings())
    _index_values(common.task_index(backlog))  # the flat lists and groups built: the next index patches them
    for edit in edits:
        backlog = apply_edit(document, backlog, *edit)
        found = check(backlog, Settings())
        index = _index_values(common.task_index(backlog))
        fresh_index, fresh_found = _fresh(document.lines)
        assert found == fresh_found, repr(document.text)
        assert index == _index_values(fresh_index), repr(document.text)
        assert placed_values(backlog) == fresh_placed_values(document.lines), repr(document.text)
    budget.report("rules after enters", edits=len(edits))


def test_an_enter_above_a_task_numbered_for_another_phase_moves_its_finding():
    text = (
        "# Plan\n\nIntro.\n\n## Phase 8: Later\n\n- [ ] **Task 8.1:** a\n- [ ] **Task 8.2:** b\n\n"
        "- [ ] **Task 7.3:** c\n"
    )
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    before = [(f.code, f.span, f.message) for f in check(backlog, Settings()) if f.code == "BL105"]
    backlog = apply_edit(document, backlog, 0.1, 1.0, 0, "\n")  # Enter at the end of "Intro."
    after = [(f.code, f.span, f.message) for f in check(backlog, Settings()) if f.code == "BL105"]
    assert [(code, span.start_line) for code, span, _ in before] == [("BL105", 9)]
    assert after == [(code, span.shifted(1), message) for code, span, message in before]
    assert after == [(f.code, f.span, f.message) for f in _fresh(document.lines)[1] if f.code == "BL105"]


def test_enter_and_backspace_at_each_task_of_a_long_list_keep_the_index_and_findings_exact():
    # The long list's facts after an Enter are the last list's, its moved items' entries counted from
    # above or from below (whichever side is shorter): each task of the list, so that both are taken.
    tasks = [TASK_LINES[n % 6].format(n=n) for n in range(40)]
    document = TextLines.from_text("# Plan\n\n## Phase 8: Later\n\n" + "\n".join(tasks) + "\n\nAfter.\n")
    backlog = parse_lines(document.lines)
    check(backlog, Settings())
    _index_values(common.task_index(backlog))
    for line in range(4, 4 + len(tasks), 3):
        column = len(document.lines[line]) - 4
        for start, end, new_text in (((line, column), (line, column), "\n"), ((line, column), (line + 1, 0), "")):  # Enter, Backspace
            backlog = reparse(backlog, document.lines, *document.replace(start, end, new_text))
            found, index = check(backlog, Settings()), _index_values(common.task_index(backlog))
            fresh_index, fresh_found = _fresh(document.lines)
            assert found == fresh_found, (start, new_text)
            assert index == _index_values(fresh_index), (start, new_text)
    assert document.text.endswith("\n".join(tasks) + "\n\nAfter.\n")
