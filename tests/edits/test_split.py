"""Split a compound task: before/after texts (pure), real lines from the examples, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from backlog_ls.features.archive import archive_actions
from backlog_ls.features.edits import apply_edits
from backlog_ls.features.issue_ref import add_issue_actions
from backlog_ls.features.renumber import renumber_actions
from backlog_ls.features.split import (
    SPLIT_SUBTASKS,
    SPLIT_TASKS,
    split_actions,
    split_text,
)
from backlog_ls.features.tick import selection_actions, tick_actions
from backlog_ls.parse import parse
from backlog_ls.text import split_lines

from .strategies import backlogs


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("A and B", ["A", "B"]),
        ("A; B", ["A", "B"]),
        ("A, B and C", ["A", "B", "C"]),
        ("Parse, lint, and test", ["Parse", "lint", "test"]),
        ("A + B", ["A", "B"]),
        ("Add stubs for: X, Y", ["Add stubs for X", "Add stubs for Y"]),
        ("Fix (a and b) and `c and d`", ["Fix (a and b)", "`c and d`"]),
        ("Read [this and that](x.md)", []),
        ("Just one thing", []),
    ],
)
def test_split_text(text, parts):
    assert split_text(text) == parts


def _split(text: str, line: int, title: str, newline: str = "\n") -> str:
    (action,) = [a for a in split_actions(parse(text), line, newline) if a.title == title]
    return apply_edits(text, action.edits)


DOC = """## 2. Phase
- [ ] Task 2.1: Parse and lint (#12)
  - [x] sub
- [ ] Task 2.2: other
"""


def test_split_into_tasks_keeps_state_ids_and_references():
    assert _split(DOC, 1, SPLIT_TASKS) == """## 2. Phase
- [ ] Task 2.1: Parse (#12)
  - [x] sub
- [ ] Task 2.3: lint
- [ ] Task 2.2: other
"""


def test_split_into_subtasks_goes_before_existing_subtasks():
    assert _split(DOC, 1, SPLIT_SUBTASKS) == """## 2. Phase
- [ ] Task 2.1: Parse and lint (#12)
  - [ ] Parse
  - [ ] lint
  - [x] sub
- [ ] Task 2.2: other
"""


def test_nothing_to_split():
    assert split_actions(parse(DOC), 3) == []
    assert split_actions(parse("- plain and simple\n"), 0) == []


def test_the_talos_line_of_example_001(example_text):
    text = example_text("001_5af4e7fbacbd400f")
    lines = text.split("\n")
    line = next(i for i, l in enumerate(lines) if l.startswith("- [x] Choose Talos"))
    after = _split(text, line, SPLIT_TASKS).split("\n")
    assert after[line : line + 3] == [
        "- [x] Choose Talos for K8s management (future)",
        "- [x] Choose Headscale for Tailnet control (mesh)",  # the shared verb goes to each
        "- [x] Update docs to reflect platform choices (`implementation-plan.md`, `plan.md`, `readme.md`, `requirements.md`)",
    ]
    assert after[:line] == lines[:line] and after[line + 2 :] == lines[line + 1 :]
    sub = _split(text, line, SPLIT_SUBTASKS).split("\n")
    assert sub[line : line + 3] == [
        lines[line],
        "  - [x] Choose Talos for K8s management (future)",
        "  - [x] Choose Headscale for Tailnet control (mesh)",
    ]


def test_a_bold_task_id_title_stays_whole_and_the_shared_verb_is_distributed():
    text = "## Phase 1\n- [ ] **Task 1.9:** Add the parser and the checker\n"
    assert _split(text, 1, SPLIT_TASKS) == (
        "## Phase 1\n- [ ] **Task 1.9:** Add the parser\n- [ ] **Task 1.10:** Add the checker\n"
    )
    assert _split(text, 1, SPLIT_SUBTASKS) == text + "  - [ ] Add the parser\n  - [ ] Add the checker\n"
    assert _split("- [ ] **T3**: Write docs and test the parser\n", 0, SPLIT_TASKS) == (
        "- [ ] **T3**: Write docs\n- [ ] **T4**: test the parser\n"
    )


def test_nested_ordered_emoji_and_crlf():
    text = "# P\r\n1. [x] 😀 解析 and テスト 🎉\r\n   - [ ] child\r\n"
    assert _split(text, 1, SPLIT_TASKS, "\r\n") == "# P\r\n1. [x] 😀 解析\r\n   - [ ] child\r\n1. [x] テスト 🎉\r\n"
    assert _split(text, 1, SPLIT_SUBTASKS, "\r\n") == (
        "# P\r\n1. [x] 😀 解析 and テスト 🎉\r\n   - [x] 😀 解析\r\n   - [x] テスト 🎉\r\n   - [ ] child\r\n"
    )


@given(backlogs())
@settings(max_examples=200, deadline=None)
def test_every_action_applies_cleanly(text: str):
    backlog = parse(text)
    for line in range(len(backlog.lines)):
        actions = tick_actions(backlog, line) + split_actions(backlog, line) + add_issue_actions(backlog, line)
        actions += renumber_actions(backlog, line) + archive_actions(backlog, line) + selection_actions(backlog, 0, line)
        for action in actions:
            after = apply_edits(text, action.edits)  # raises when edits overlap
            assert after != text
            if action.title == SPLIT_TASKS:
                assert len(split_lines(after)[0]) > len(backlog.lines)


def test_split_at_cursor_makes_the_rest_a_sibling_task():
    from backlog_ls.features.split import SPLIT_AT_CURSOR, split_at_cursor_action

    text = "- [ ] 🚀 Write the docs then ship the release #12\n  - [ ] sub\n- [ ] next\n"
    backlog = parse(text)
    column = backlog.lines[0].index(" then")
    action = split_at_cursor_action(backlog, 0, column)
    assert action.title == SPLIT_AT_CURSOR
    assert apply_edits(text, action.edits) == (
        "- [ ] 🚀 Write the docs\n  - [ ] sub\n- [ ] then ship the release #12\n- [ ] next\n"
    )
    # Not at the edge of the text, not outside a task.
    assert split_at_cursor_action(backlog, 0, backlog.lines[0].index("🚀")) is None
    assert split_at_cursor_action(backlog, 0, len(backlog.lines[0])) is None
    assert split_at_cursor_action(parse("# Heading text\n"), 0, 5) is None


def test_an_item_whose_child_starts_on_its_own_line_keeps_that_line():
    # Found by hypothesis: "10. +" holds the list "+" on its first line, and its own lines were
    # empty, so selection_actions took [-1] of an empty range.
    from backlog_ls.features.edits import own_lines

    text = "# Plan\n  +\n    10. [ ] +\n    10. +\n"
    backlog = parse(text)
    assert [list(own_lines(item)) for item, _ in backlog.item_pairs] == [[1], [2], [3], [3]]
    test_every_action_applies_cleanly.hypothesis.inner_test(text)
    assert selection_actions(backlog, 0, 3)[0].title == "Tick 1 task in the selection"


@pytest.mark.parametrize(
    ("text", "tasks", "subtasks"),
    [
        (
            "- [ ] Backend: add the parser and the checker\n",
            ["- [ ] Backend: add the parser", "- [ ] Backend: add the checker"],
            ["  - [ ] add the parser", "  - [ ] add the checker"],
        ),
        (
            "- [ ] **Backend:** add the parser and the checker\n",
            ["- [ ] **Backend:** add the parser", "- [ ] **Backend:** add the checker"],
            ["  - [ ] add the parser", "  - [ ] add the checker"],
        ),
        (
            "- [ ] **Parser** - lex and parse\n",
            ["- [ ] **Parser** - lex", "- [ ] **Parser** - parse"],
            ["  - [ ] lex", "  - [ ] parse"],
        ),
        (
            "- [ ] Docs: Write the guide, the FAQ and the API reference (#12)\n",
            ["- [ ] Docs: Write the guide (#12)", "- [ ] Docs: Write the FAQ", "- [ ] Docs: Write the API reference"],
            ["  - [ ] Write the guide", "  - [ ] Write the FAQ", "  - [ ] Write the API reference"],
        ),
        (
            "- [ ] T012 [P] Add the parser and the checker\n",
            ["- [ ] T012 [P] Add the parser", "- [ ] T013 [P] Add the checker"],
            ["  - [ ] Add the parser", "  - [ ] Add the checker"],
        ),
        (
            "- [x] Choose Talos for K8s and Headscale for the mesh\n",
            ["- [x] Choose Talos for K8s", "- [x] Choose Headscale for the mesh"],
            ["  - [x] Choose Talos for K8s", "  - [x] Choose Headscale for the mesh"],
        ),
        (
            "- [ ] Add stubs for: X, Y\n",
            ["- [ ] Add stubs for X", "- [ ] Add stubs for Y"],
            ["  - [ ] Add stubs for X", "  - [ ] Add stubs for Y"],
        ),
    ],
)
def test_a_lead_label_keeps_its_colon_on_each_task_and_a_shared_verb_is_distributed(text, tasks, subtasks):
    assert _split(text, 0, SPLIT_TASKS).splitlines() == tasks
    assert _split(text, 0, SPLIT_SUBTASKS).splitlines() == [text.rstrip("\n"), *subtasks]


def test_a_label_is_not_taken_for_a_verb_nor_a_determiner_for_one():
    assert _split("- [ ] the parser and the checker\n", 0, SPLIT_TASKS) == "- [ ] the parser\n- [ ] the checker\n"
    assert _split("- [ ] See https://x.org and the FAQ\n", 0, SPLIT_TASKS) == "- [ ] See https://x.org\n- [ ] See the FAQ\n"
