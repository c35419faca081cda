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
