"""Every real backlog of ../shared parses, and the model keeps its invariants on each."""

from __future__ import annotations

import re

import pytest

from backlog_ls.model import Span
from backlog_ls.parse import parse

from .conftest import shared_files

FILES = shared_files("corpus") + shared_files("examples")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def _inside(span: Span, lines: list[str]) -> bool:
    if not (0 <= span.start_line <= span.end_line < len(lines)):
        return False
    if not 0 <= span.start_col <= len(lines[span.start_line]):
        return False
    return 0 <= span.end_col <= len(lines[span.end_line]) and (span.start_line, span.start_col) <= (
        span.end_line,
        span.end_col,
    )


def _code_ranges(line: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _CODE_SPAN.finditer(line)]


@pytest.mark.shared("corpus", "examples")
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name[:40])
def test_corpus_file_parses_with_invariants(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    backlog = parse(text)
    lines = list(backlog.lines)

    previous_end = -1
    for block in backlog.blocks:
        assert previous_end < block.start_line <= block.end_line < len(lines)
        previous_end = block.end_line

    for item, parent in backlog.walk_items():
        for span in (item.span, item.marker_span, item.text_span):
            assert _inside(span, lines), (path.name, item)
        assert item.span.encloses(item.text_span)
        assert lines[item.line][item.marker_span.start_col : item.marker_span.end_col] == item.marker
        if item.checkbox_span is not None:
            box = item.checkbox_span
            assert lines[box.start_line][box.start_col : box.end_col] == f"[{item.checkbox}]"
        if parent is not None:
            assert parent.span.encloses(item.span), (path.name, parent.span, item.span)

    for section in (s for top in backlog.sections for s in top.walk()):
        assert _inside(section.span, lines)
        for child in section.children:
            assert section.span.encloses(child.span)
        for item in section.items:
            assert section.span.encloses(item.span)

    for refs in backlog.references():
        for ref in (*refs.issues, *refs.placeholders, *refs.task_ids, *refs.rfcs):
            assert _inside(ref.span, lines)
            line = lines[ref.span.start_line]
            if ref.span.start_line == ref.span.end_line:
                assert line[ref.span.start_col : ref.span.end_col] == ref.text
                # No reference inside a code span on its line.
                for start, end in _code_ranges(line):
                    assert not start < ref.span.start_col < end, (path.name, ref)
        for link in refs.links:
            assert link.span.encloses(link.target_span)


def _tree_spans(backlog) -> list[Span]:
    return [section.span for root in backlog.sections for section in root.walk()]


@pytest.mark.shared("corpus", "corpus2", "examples")
def test_the_section_spans_without_the_tree_are_the_trees_on_every_real_backlog():
    from backlog_ls.model import section_spans

    checked = 0
    for path in FILES + shared_files("corpus2"):
        backlog = parse(path.read_bytes().decode("utf-8", errors="replace"))
        assert section_spans(backlog.blocks, backlog.lines) == _tree_spans(backlog), path.name
        checked += len(backlog.headings)
    assert checked > 1_000


def test_the_section_spans_after_an_enter_read_no_moved_item():
    from backlog_ls.model import section_spans
    from backlog_ls.parse import reparse

    lines = ["# Plan", ""]
    for phase in range(1, 40):
        lines += [f"## Phase {phase}", "", *[f"- [ ] Task {phase}.{n}: part" for n in range(1, 6)], "", "### Notes", "", "Some prose.", ""]
    backlog = parse("\n".join(lines))
    lines.insert(3, "")  # an Enter at the top: every block below moves, its items made when first read
    moved = reparse(backlog, tuple(lines), 3, 3, 4)
    waiting = [block for block in moved.blocks if block.moved_from is not None]
    assert len(waiting) > 30  # the lists below the Enter, their items not moved yet
    spans = section_spans(moved.blocks, moved.lines)
    assert all(block.moved_from is not None for block in waiting)  # still not moved
    assert spans == _tree_spans(parse("\n".join(lines))) == _tree_spans(moved)
    assert spans[0] == Span(0, 0, len(lines) - 2, len(lines[-2]))
