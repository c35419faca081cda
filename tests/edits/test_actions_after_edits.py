"""Code actions that read the whole document (the placeholder style "Add issue reference" writes,
the task numbers "Split into tasks" hands out) are kept per block between keystrokes: after any
edit they still say what a fresh parse of the same text says, and an Enter above the rest of the
document does not make them move its blocks."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features.edits import apply_edits
from backlog_ls.features.issue_ref import add_issue_actions
from backlog_ls.features.split import SPLIT_TASKS, split_actions
from backlog_ls.parse import parse
from backlog_ls.rules.common import PlaceholderStyle, TakenNumbers, _sample, task_index
from backlog_ls.workspace import Document

SPREAD = """# Plan

## Phase 1

- [ ] Task 1.1: parse (Issue #1)
  - [ ] a note
- [ ] Task 1.2: lint (Issue #2)

## Phase 2

- [ ] Task 2.1: parse and lint
- [ ] Task 2.2: ship (Issue #4)
"""

# One list long enough to be re-read item by item (``model.LONG_LIST_ITEMS``).
LONG = "# Plan\n\n" + "".join(f"- [ ] Task 1.{n}: step {n} (Issue #{n})\n" for n in range(1, 41)) + "- [ ] Task 1.41: parse and lint\n"


def _document(text: str) -> Document:
    return Document("file:///plan/BACKLOG.md", text, 1, "/plan/BACKLOG.md")


def _type(document: Document, line: int, column: int, text: str) -> None:
    document.apply_change((line, column), (line, column), text)


def _add_issue_title(text_or_document, line: int) -> str:
    backlog = text_or_document.backlog if isinstance(text_or_document, Document) else parse(text_or_document)
    (action,) = add_issue_actions(backlog, line)
    return action.title


def _split_into_tasks(document: Document, line: int) -> str:
    (action,) = [a for a in split_actions(document.backlog, line) if a.title == SPLIT_TASKS]
    return apply_edits(document.text.text, action.edits)


def test_the_placeholder_style_follows_edits_in_other_blocks() -> None:
    document = _document(SPREAD)
    assert _add_issue_title(document, 10) == "Add issue reference '(Issue #TBD)'"
    # Two more tasks written "#N:" first, above: now most tasks lead with a bare number.
    _type(document, 6, len("- [ ] Task 1.2: lint (Issue #2)"), "\n- [ ] #7: seven\n- [ ] #8: eight\n- [ ] #9: nine\n- [ ] #10: ten")
    line = document.backlog.lines.index("- [ ] Task 2.1: parse and lint")
    assert _add_issue_title(document, line) == "Add issue reference '#TBD'"
    (action,) = add_issue_actions(document.backlog, line)
    assert apply_edits(document.text.text, action.edits).split("\n")[line] == "- [ ] #TBD: Task 2.1: parse and lint"


def test_split_hands_out_the_number_after_one_typed_in_another_block() -> None:
    document = _document(SPREAD)
    assert "- [ ] Task 2.3: lint\n" in _split_into_tasks(document, 10)
    _type(document, 4, len("- [ ] Task 1.1: parse"), " (see Task 2.7)")
    assert "- [ ] Task 2.8: lint\n" in _split_into_tasks(document, 10)
    _type(document, 2, 0, "\n")  # an Enter above every list: they move, their numbers stay
    assert "- [ ] Task 2.8: lint\n" in _split_into_tasks(document, 11)


def test_in_a_long_list_an_edited_item_is_read_again() -> None:
    document = _document(LONG)
    last = len(document.backlog.lines) - 2
    assert "- [ ] Task 1.42: lint\n" in _split_into_tasks(document, last)
    _type(document, 5, len("- [ ] Task 1.4"), "5")  # Task 1.45: higher than any other
    assert "- [ ] Task 1.46: lint\n" in _split_into_tasks(document, last)
    assert _add_issue_title(document, last) == "Add issue reference '(Issue #TBD)'"


def test_an_enter_above_leaves_the_blocks_below_unmoved() -> None:
    document = _document(SPREAD)
    _add_issue_title(document, 10)
    split_actions(document.backlog, 10)
    _type(document, 1, 0, "\n")
    lists = [block for block in document.backlog.blocks if block.kind == "list"]
    assert all(block.moved_from is not None for block in lists)
    assert _add_issue_title(document, 11) == "Add issue reference '(Issue #TBD)'"
    split_actions(document.backlog, 11)
    # The task's own list is read to find it; the one above it is left moved.
    assert [block.moved_from is not None for block in lists] == [True, False], "the actions moved the other list's items"


_PIECES = ["x", "\n", "\n\n", " (#7)", " #TBD", "Task 3.9 ", "\n- [ ] #5: five", "\n- [ ] T12 (Issue #3)", "\n  - [ ] Task 1.9 sub", "- "]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([SPREAD, LONG]), edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 200), st.sampled_from(_PIECES + [""])), min_size=1, max_size=8))
def test_after_any_edits_the_actions_equal_a_fresh_parses(base: str, edits: list[tuple[int, int, str]]) -> None:
    document = _document(base)
    for line, column, piece in edits:
        lines = document.backlog.lines
        line %= len(lines)
        column = min(column, len(lines[line]))
        if piece or line + 1 >= len(lines):
            _type(document, line, column, piece or "y")
        else:
            document.apply_change((line, column), (line + 1, 0), "")  # a line joined to the next
        text = document.text.text
        fresh = parse(text)
        # What the kept tallies stand for, read from every reference and top task as they are.
        every_number = TakenNumbers(task_id.number for refs in fresh.references() for task_id in refs.task_ids)
        assert dict(TakenNumbers.of_document(document.backlog).highest()) == dict(every_number.highest()), text
        assert task_index(document.backlog).placeholder_style == _style_of_every_task(fresh), text
        for at in range(len(document.backlog.lines)):
            assert [(a.title, a.edits) for a in add_issue_actions(document.backlog, at)] == [
                (a.title, a.edits) for a in add_issue_actions(fresh, at)
            ], (text, at)
            assert [(a.title, a.edits) for a in split_actions(document.backlog, at)] == [
                (a.title, a.edits) for a in split_actions(fresh, at)
            ], (text, at)


def test_in_a_long_list_the_style_follows_edits_and_ties_fall_as_task_by_task() -> None:
    # 30 tasks, half writing "(#n)" at the end and half leading with "#n:": a tie the first task
    # settles, then tipped by an edit, an Enter above, an Enter in the list, and tipped back.
    tasks = [f"- [ ] Task {n} (#{n})" if n % 2 == 0 else f"- [ ] #{n}: Task {n}" for n in range(30)]
    document = _document("# Plan\n\n" + "\n".join(tasks) + "\n")

    def style() -> PlaceholderStyle:
        found = task_index(document.backlog).placeholder_style
        assert found == _style_of_every_task(parse(document.text.text)), document.text.text
        return found

    assert style().placement == "end"  # 15 / 15: the first task's
    line = document.backlog.lines.index("- [ ] Task 4 (#4)")
    document.apply_change((line, 6), (line, len("- [ ] Task 4 (#4)")), "#4: Task 4")  # 14 end, 16 lead
    assert style().placement == "lead"
    _type(document, 0, len("# Plan"), "\n")  # an Enter above the list: it moves, its samples stay
    assert style().placement == "lead"
    _type(document, line + 5, len(document.backlog.lines[line + 5]), "\n")  # an Enter in the list
    assert style().placement == "lead"
    line = document.backlog.lines.index("- [ ] #4: Task 4")
    document.apply_change((line, 6), (line, len("- [ ] #4: Task 4")), "Task 4 (#4)")  # a tie again
    assert style().placement == "end"


def _style_of_every_task(backlog) -> PlaceholderStyle:
    """The placeholder style tallied task by task over the whole document, nothing kept."""
    from collections import Counter

    tokens: Counter = Counter()
    placeholder_tokens: Counter = Counter()
    shapes: Counter = Counter()
    for task in task_index(backlog).top_tasks:
        sample = _sample(task, backlog.lines)
        if sample is not None:
            token, is_placeholder, shape = sample
            (placeholder_tokens if is_placeholder else tokens)[token] += 1
            shapes[shape] += 1
    if not shapes:
        return PlaceholderStyle()
    return PlaceholderStyle((placeholder_tokens or tokens).most_common(1)[0][0], *shapes.most_common(1)[0][0])
