""""Renumber tasks in section" after random edits equals a fresh computation.

The renumbering reads only the blocks (and a list's top-level trees) that mention one of
its IDs, known from what each block mentions, remembered per block and per tree; and a
section already numbered K.1 ... K.n answers without counting every ID of the document.
After any edits, the actions at every line must be those of the same text parsed afresh,
and the mentions that follow must be those a walk over every reference of it finds.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features import renumber
from backlog_ls.parse import parse_lines
from backlog_ls.rules import Edit
from backlog_ls.workspace import Document

from . import budget

PIECES = [
    "## Phase 3: Parser\n", "### 3.1 Lexer\n", "## Phase 4\n", "# Plan 3\n", "\n", "\n\n",
    "- [ ] **Task 3.2:** first\n", "- [ ] Task 3.1: after Task 3.2\n", "  - [ ] Task 3.2.1 its step\n",
    "- [x] T3.5 done, see Task 3.5 and Task 4.1\n", "- [ ] Task 3.2: again\n", "- [ ] Task 4.3: x\n",
    "- [ ] Task 4.1: y (Task 3.2, Task 3.1.1)\n", "Prose names Task 3.1 and T3.5.\n", "| Task 3.2 | t |\n",
    "> - [ ] Task 3.4 quoted\n", "  continued after Task 4.3\n", "- [ ] Task 3.1.1 nested id\n",
]
KEYS = ["x", "\n", "", "7", ".", "3.", "Task 3.9 ", "- [ ] Task 4.2: z\n", "## Phase 6\n"]
documents = st.lists(st.sampled_from(PIECES), min_size=4, max_size=50).map("".join)


def _every_mention(backlog, mapping, skip) -> list[Edit]:
    """The mentions that follow ``mapping``, from a walk over every reference of the document."""
    skipped = set(skip)
    found = []
    for refs in backlog.references():
        for task_id in refs.task_ids:
            new = renumber.follow(task_id.number, mapping)
            if new not in (None, task_id.number) and renumber._number_span(task_id) not in skipped:
                found.append(Edit(renumber._number_span(task_id), new))
    return found


def _answers(backlog) -> list:
    """Per line, the renumbering actions; per section, its mapping and the mentions that follow it."""
    per_line = [
        (line, renumber.renumber_actions(backlog, line), renumber.renumber_phases_actions(backlog, line))
        for line in range(len(backlog.lines))
    ]
    per_section = []
    for root in backlog.sections:
        for section in root.walk():
            mapping, edits = renumber.renumbering(backlog, section)
            skip = [edit.span for edit in edits]
            mentions = renumber.mention_edits(backlog, mapping, skip)
            assert mentions == _every_mention(backlog, mapping, skip)
            per_section.append((section.heading.span, mapping, edits, mentions))
    return [per_line, per_section]


def _edit(document: Document, rng: random.Random) -> None:
    lines = document.text.lines
    line = rng.randrange(len(lines))
    key = rng.choice(KEYS)
    if key == "" and line + 1 < len(lines):
        document.apply_change((line, len(lines[line])), (line + 1, 0), "")  # Backspace joins two lines
    else:
        column = rng.randint(0, len(lines[line]))
        document.apply_change((line, column), (line, column), key)


@settings(max_examples=budget.count(fast=80, soak=2_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.integers(1, 8))
def test_renumbering_after_edits_equals_a_fresh_computation(text, rng, edits):
    document = Document("file:///plan.md", text, 1)
    _answers(document.backlog)  # the memories filled, as after the first requests
    for _ in range(edits):
        _edit(document, rng)
        assert _answers(document.backlog) == _answers(parse_lines(list(document.text.lines))), repr(document.source)


def test_a_section_in_order_is_not_renumbered_and_one_out_of_order_is():
    text = "## Phase 3\n\n- [ ] Task 3.1: a\n- [ ] Task 3.2: b, after Task 3.1\n\n## Phase 4\n\n- [ ] Task 4.2: c, after Task 3.2\n- [ ] Task 4.1: d\n"
    backlog = parse_lines(text.split("\n"))
    assert renumber.renumber_actions(backlog, 2) == []
    (action,) = renumber.renumber_actions(backlog, 7)
    assert action.title == "Renumber tasks in section 4 (2 IDs change)"
    assert [(edit.span.start_line, edit.new_text) for edit in action.edits] == [(7, "4.1"), (8, "4.2")]
