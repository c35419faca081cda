"""An edit inside one long list re-reads only the items around it, and still equals a full parse.

``parse._reparse_in_list`` takes that path for a tight list of many items; these edits
aim inside such lists (pieces that nest, un-nest, open fences, add blank lines, change
markers) so that the path and every way out of it are taken.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.parse import blocks, parse_lines, reparse
from backlog_ls.text import TextLines

from .test_incremental import PIECES

ITEM_LINES = [
    "- [ ] **Task {n} (#{n}):** do it",
    "- [x] done {n} ✅",
    "  - [ ] sub {n}",
    "    - [x] subsub {n} `code`",
    "- plain {n}",
    "  continued {n}",
    "- [ ] see [RFC](docs/rfcs/000{n}-a.md) {n}",
]
EDIT_PIECES = PIECES + ["x", "\n", "\n  - [ ] nested", "\n- [ ] new", "\n\n", "* ", "1. ", "  ", "```"]
# Lines that make a list loose, or could: a blank line between items or inside one (before a second
# paragraph, a nested list, a lazy line), and lines a blank line may stand before.
LOOSE_LINES = ["", "", "  second paragraph {n}", "lazy {n}", "  - [ ] nested {n}", "    deeper {n}", "   "]
LOOSE_EDIT_PIECES = EDIT_PIECES + ["\n", "\n", "\n\n  more", "\nlazy", "\n\n- [ ] new", "\n   \n"]


# What may follow the list: nothing, prose, another section, a lazy line, another list (after a
# blank line, or with another bullet, which ends this one), code.
AFTER_THE_LIST = ["", "\nAfter.\n", "\n## Next\n\n- [ ] t\n", "lazy text\n", "\n- [ ] other 1\n- [ ] other 2\n", "* [ ] star\n", "\n```\ncode\n```\n"]


@st.composite
def long_list_and_edits(draw, loose: bool = False, at_the_end: bool = False):
    count = draw(st.integers(30, 70))
    lines = ["# Plan", ""]
    templates = ITEM_LINES + LOOSE_LINES if loose else ITEM_LINES
    for n in range(count):
        template = draw(st.sampled_from(templates))
        if template.startswith("  ") and lines[-1] == "" and not loose:
            template = template.strip()
        if lines[-1] == "" and not template.strip():
            template = ITEM_LINES[0]  # one blank line at a time: two end the list sooner than is of interest
        lines.append(template.format(n=n))
    after = draw(st.sampled_from(AFTER_THE_LIST if at_the_end else AFTER_THE_LIST[:4]))
    text = "\n".join(lines) + "\n" + after
    edits = []
    pieces = st.lists(st.sampled_from(LOOSE_EDIT_PIECES if loose else EDIT_PIECES), max_size=3).map("".join)
    for _ in range(draw(st.integers(1, 5))):
        # At the end: the last items, the lines after the list (``parse._list_tail_read_again``).
        line = draw(st.integers(count - 2, count + 6) if at_the_end else st.integers(2, count + 1))
        edits.append((line, draw(st.floats(0, 1)), draw(st.integers(0, 2)), draw(pieces)))
    return text, edits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_and_edits())
def test_edits_inside_a_long_list_equal_a_full_parse(case):
    _edits_equal_a_full_parse(case)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_and_edits(loose=True))
def test_edits_inside_a_long_loose_list_equal_a_full_parse(case):
    # Blank lines between items and inside them, lazy lines, nested lists: looseness comes and goes.
    _edits_equal_a_full_parse(case)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_and_edits(at_the_end=True))
def test_edits_at_the_end_of_a_long_list_and_below_it_equal_a_full_parse(case):
    _edits_equal_a_full_parse(case)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_and_edits(loose=True, at_the_end=True))
def test_edits_at_the_end_of_a_long_loose_list_and_below_it_equal_a_full_parse(case):
    _edits_equal_a_full_parse(case)


def _edits_equal_a_full_parse(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    for line, fraction, span_lines, new_text in edits:
        line = min(line, len(document.lines) - 1)
        end_line = min(len(document.lines) - 1, line + span_lines)
        start = (line, int(fraction * len(document.lines[line])))
        end = (end_line, int(fraction * len(document.lines[end_line]))) if span_lines else start
        first, old_last, new_last = document.replace(start, end, new_text)
        backlog = reparse(backlog, document.lines, first, old_last, new_last)
        _assert_equals_a_full_parse(backlog, document)


def _assert_equals_a_full_parse(backlog, document):
    fresh = parse_lines(list(document.lines))
    assert backlog == fresh, repr(document.text)
    # The walks too (a re-parse keeps the old walk's pairs for the items it kept), made of the
    # block's own items.
    assert [block.walk for block in backlog.blocks] == [block.walk for block in fresh.blocks], repr(document.text)
    for block in backlog.blocks:
        assert [item for item, parent in block.walk if parent is None] == list(block.items)
        assert all(a is b for a, b in zip((item for item, parent in block.walk if parent is None), block.items))


def test_a_keystroke_in_a_long_list_reads_only_the_items_around_it(monkeypatch):
    lines = ["# Plan", ""] + [f"- [ ] task {n}" for n in range(200)]
    document = TextLines.from_text("\n".join(lines) + "\n")
    backlog = parse_lines(document.lines)
    read = []

    def counting(lines, start, stop_at, original=blocks.read_blocks):
        found, stopped = original(lines, start, stop_at)
        read.append(sum(block.end_line - block.start_line + 1 for block in found))
        return found, stopped

    monkeypatch.setattr(blocks, "read_blocks", counting)
    first, old_last, new_last = document.replace((102, 9), (102, 9), "x")
    after = reparse(backlog, document.lines, first, old_last, new_last)
    assert read == [3]  # the edited item and one on each side, not the 200 of the list
    monkeypatch.undo()
    assert after == parse_lines(list(document.lines))
    assert after.blocks[1].items[0] is backlog.blocks[1].items[0]  # untouched items are kept


class _Editor:
    """A document, its re-parsed backlog, and how many lines each re-parse read (block by block)."""

    def __init__(self, lines: list[str]):
        self.document = TextLines.from_text("\n".join(lines) + "\n")
        self.backlog = parse_lines(self.document.lines)

    def end_of(self, line: int) -> tuple[int, int]:
        return (line, len(self.document.lines[line]))

    def edit(self, monkeypatch, start, end, text: str) -> list[int]:
        read: list[int] = []

        def counting(lines, first, stop_at, original=blocks.read_blocks):
            found, stopped = original(lines, first, stop_at)
            read.append(sum(block.end_line - block.start_line + 1 for block in found))
            return found, stopped

        with monkeypatch.context() as patch:
            patch.setattr(blocks, "read_blocks", counting)
            self.backlog = reparse(self.backlog, self.document.lines, *self.document.replace(start, end, text))
        _assert_equals_a_full_parse(self.backlog, self.document)
        return read

    def tasks(self) -> list[tuple[int, str, bool]]:
        return [(item.line, item.text, item.loose) for item in self.backlog.blocks[1].items]


def test_enter_that_makes_a_long_list_loose_reads_only_the_items_around_it(monkeypatch):
    # The Enter of benchmarks/peers.py's one-list case: at the end of a task's line, in a list of 200.
    editor = _Editor(["# Plan", ""] + [f"- [ ] task {n}" for n in range(200)])
    end = editor.end_of(102)
    assert editor.edit(monkeypatch, end, end, "\n") == [4]  # the task and its blank line, and one task on each side
    assert editor.tasks()[99:102] == [(101, "task 99", True), (102, "task 100", True), (104, "task 101", True)]
    assert all(loose for _, _, loose in editor.tasks())

    # Typing in the loose list, and another blank line, read as few.
    assert editor.edit(monkeypatch, (150, 10), (150, 10), "x") == [3]
    assert editor.tasks()[147] == (150, "taskx 147", True)
    end = editor.end_of(60)
    assert editor.edit(monkeypatch, end, end, "\n") == [4]

    # Deleting the blank lines again (the undo): the list is tight again, item by item.
    assert editor.edit(monkeypatch, editor.end_of(60), (61, 0), "") == [3]
    assert all(loose for _, _, loose in editor.tasks())  # one blank line is left
    assert editor.edit(monkeypatch, editor.end_of(102), (103, 0), "") == [3]
    assert not any(loose for _, _, loose in editor.tasks())
    assert len(editor.tasks()) == 200


def test_a_blank_line_inside_an_item_far_away_keeps_a_long_list_loose(monkeypatch):
    # Item 10 holds two paragraphs: the list is loose for that alone, whatever an edit near item 150 does.
    lines = ["# Plan", ""] + [f"- [ ] task {n}" for n in range(200)]
    lines[12:13] = ["- [ ] task 10", "", "  its second paragraph"]
    editor = _Editor(lines)
    assert editor.backlog.blocks[1].loose_items == (10,)
    end = editor.end_of(152)
    assert editor.edit(monkeypatch, end, end, "\n") == [4]
    assert editor.backlog.blocks[1].loose_items == (10, 148)
    assert editor.edit(monkeypatch, end, (153, 0), "") == [3]
    assert editor.backlog.blocks[1].loose_items == (10,)
    assert all(loose for _, _, loose in editor.tasks())
    assert editor.tasks()[10] == (12, "task 10", True)


@pytest.mark.parametrize("second", ["  - [ ] sub 50", "lazy 50", "  continued 50"])
def test_a_blank_line_after_a_subtask_or_a_lazy_line_makes_its_item_loose(monkeypatch, second):
    lines = ["# Plan", ""] + [f"- [ ] task {n}" for n in range(100)]
    lines[52:53] = ["- [ ] task 50", second]
    editor = _Editor(lines)
    assert editor.backlog.blocks[1].loose_items == ()
    end = editor.end_of(53)
    assert editor.edit(monkeypatch, end, end, "\n") == [5]  # tasks 49 to 51
    assert editor.backlog.blocks[1].loose_items == (50,)
    assert editor.edit(monkeypatch, end, (54, 0), "") == [4]
    assert editor.backlog.blocks[1].loose_items == ()
    # A blank line between the two lines: the subtask or the paragraph's second line, or the end of the list.
    end = editor.end_of(52)
    # (the list ends at the paragraph: the window read says so, then the blocks are read from the heading on)
    assert editor.edit(monkeypatch, end, end, "\n") == ([5] if second.startswith(" ") else [4, 102])
    assert all(item.loose for item in editor.backlog.blocks[1].items) == second.startswith(" ")


def test_a_long_list_made_to_nest_too_deep_for_its_size_is_read_as_a_full_parse_reads_it(monkeypatch):
    # The bound on depth times size counts the whole list: made small here, so that one more level
    # of subtasks in one item tips a list of 60 over it (a full parse keeps it as text then).
    from backlog_ls.parse import nesting

    lines = ["# Plan", ""] + [line for n in range(60) for line in (f"- [ ] task {n}", f"  - [ ] sub {n}")]
    editor = _Editor(lines)
    characters = sum(map(len, editor.document.lines)) + len(editor.document.lines)
    monkeypatch.setattr(nesting, "MAX_NESTED_CHARACTERS", int(characters * 2.5))
    whole_list_measured = []

    def measure(lines, first, original=nesting.measure):
        found = original(lines, first)
        if first == 2 and len(lines) == len(editor.document.lines):
            whole_list_measured.append(found[1])
        return found

    monkeypatch.setattr(nesting, "measure", measure)
    assert editor.edit(monkeypatch, (60, 9), (60, 9), "x") == [6]  # three items (and their subtasks) read
    # Measured by the re-parse (the full parse the test compares with takes a plain list's depth from its reading).
    assert whole_list_measured == [2]
    assert editor.edit(monkeypatch, (62, 9), (62, 9), "y") == [6]
    assert whole_list_measured == [2]  # not again: the re-parse remembered the list's depth
    end = editor.end_of(61)
    editor.edit(monkeypatch, end, end, "\n    - [ ] deeper")
    assert [(block.kind, [problem.code for problem in block.problems]) for block in editor.backlog.blocks] == [
        ("heading", []),
        ("paragraph", ["unparsable-block"]),
    ]


@pytest.mark.parametrize("after", ["", "\n## Next\n\nProse.\n"])
def test_a_task_typed_after_a_long_list_reads_only_its_last_items(monkeypatch, after):
    # The user adds a task at the end of the list: Enter at the end of its last line, then the task.
    lines = ["# Plan", ""] + [f"- [ ] task {n}" for n in range(200)]
    editor = _Editor(lines + after.split("\n")[:-1] if after else lines)
    end = editor.end_of(201)
    assert editor.edit(monkeypatch, end, end, "\n") == [2]  # task 199 and the one before it
    read = [editor.edit(monkeypatch, (202, column), (202, column), key) for column, key in enumerate("- [ ] new")]
    # The first key reads tasks 198 and 199 and the new line; once it is a task, it and task 199.
    assert read == [[3]] + [[2]] * len(" [ ] new")
    assert editor.tasks()[-2:] == [(201, "task 199", False), (202, "new", False)]
    assert len(editor.tasks()) == 201
    # Typed on the blank line between the list and what follows, the same: a lazy line of the new task.
    if after:
        assert editor.edit(monkeypatch, (203, 0), (203, 0), "more") == [3]
        assert editor.tasks()[-1] == (202, "new\nmore", False)
