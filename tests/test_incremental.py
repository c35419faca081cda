"""A re-parse after an edit equals a full parse of the new text, whatever the edit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.parse import parse, parse_lines, reparse
from backlog_ls.text import TextLines

from .conftest import shared_files

# Pieces that move Markdown's block structure around: headings, setext underlines,
# fences, HTML comments, quotes, tables, list markers at several indents, tasks, blank lines.
PIECES = [
    "# H\n", "## Phase 2: x\n", "Title\n", "===\n", "---\n", "```\n", "~~~\n", "<!--\n", "-->\n",
    "> ", "| a | b |\n", "|---|---|\n", "- ", "  - ", "    - ", "1. ", "* ", "[ ] ", "[x] ", "[ x] ",
    "-[ ] ", "task #12 ", "(#TBD) ", "Task 1.2 ", "RFC 2378 ", "`code #3` ", "[l](docs/rfcs/0001-a.md) ",
    "\n", "\n\n", "\r\n", "\r", "\t", "😀", "看", "\u2028", "\x00", "text ", "+++\n", "[ref]: /url\n",
    "<div>\n", "</div>\n", "    code\n",
]
markdownish = st.lists(st.sampled_from(PIECES + ["\n\n"] * 8 + ["- [ ] t\n"] * 8), min_size=20, max_size=160).map("".join)
insertions = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)


@st.composite
def document_and_edits(draw):
    text = draw(markdownish)
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        edits.append((draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(insertions)))
    return text, edits


def _apply(document: TextLines, backlog, start_fraction: float, end_fraction: float, new_text: str):
    lines = document.lines
    start_line = int(start_fraction * (len(lines) - 1) + 0.5)
    end_line = min(len(lines) - 1, start_line + int(end_fraction * 3))
    start = (start_line, int(start_fraction * len(lines[start_line])))
    end = (end_line, int(end_fraction * len(lines[end_line])))
    first, old_last, new_last = document.replace(start, end, new_text)
    return reparse(backlog, document.lines, first, old_last, new_last)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_edits())
def test_incremental_equals_full(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    for start_fraction, end_fraction, new_text in edits:
        backlog = _apply(document, backlog, start_fraction, end_fraction, new_text)
        assert backlog == parse_lines(list(document.lines)), repr(document.text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses(text):
    backlog = parse(text)
    for item, _ in backlog.walk_items():
        assert item.span.start_line < len(backlog.lines)


@pytest.mark.shared("examples")
def test_incremental_on_real_files_line_by_line():
    # Type a character at the end of every 7th line of each example, then delete it again.
    for path in shared_files("examples"):
        document = TextLines.from_text(path.read_text(encoding="utf-8"))
        backlog = parse_lines(document.lines)
        for line in range(0, len(document.lines), 7):
            end = len(document.lines[line])
            for new_text, span in (("\n- [ ] x #1", (line, end, line, end)), ("", None)):
                if span is None:
                    span = (line, end, line + 1, len(document.lines[line + 1]))
                first, old_last, new_last = document.replace(span[:2], span[2:], new_text)
                backlog = reparse(backlog, document.lines, first, old_last, new_last)
            assert backlog == parse_lines(list(document.lines)), (path.name, line)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_edits(), st.lists(st.sampled_from(["type on", "post", "parse"]), min_size=6, max_size=6))
def test_batched_edits_equal_full(case, after_each):
    # The server parses after a burst of edits, not after each: the changes it skipped are
    # composed into one, and the re-parse over it must still equal a full parse.
    from backlog_ls.workspace import Document

    text, edits = case
    document = Document("file:///t.md", text, 1)
    document.backlog  # parsed once: every edit from here on is a change to re-read
    for (start_fraction, end_fraction, new_text), then in zip(edits, after_each):
        lines = document.text.lines
        start_line = int(start_fraction * (len(lines) - 1) + 0.5)
        end_line = min(len(lines) - 1, start_line + int(end_fraction * 3))
        start = (start_line, int(start_fraction * len(lines[start_line])))
        end = (end_line, int(end_fraction * len(lines[end_line])))
        document.apply_change(start, end, new_text)
        if then == "post":
            document.snapshot()  # posted, not yet parsed: the parser composes the snapshots it skips
        elif then == "parse":
            document.backlog
    assert document.backlog == parse_lines(list(document.text.lines)), repr(document.source)
