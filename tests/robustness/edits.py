"""A random edit of a document, as the property tests after edits draw them, and the re-parse after it."""

from __future__ import annotations

from backlog_ls.model import Backlog
from backlog_ls.parse import reparse
from backlog_ls.text import TextLines


def apply_edit(document: TextLines, backlog: Backlog, line_fraction: float, column_fraction: float, span_lines: int, new_text: str) -> Backlog:
    """Replace from a point (its line and column as fractions) to the start of the line ``span_lines``
    below (or the point itself when 0) with ``new_text``; the backlog re-parsed after it."""
    lines = document.lines
    line = int(line_fraction * (len(lines) - 1))
    start = (line, int(column_fraction * len(lines[line])))
    end = (min(len(lines) - 1, line + span_lines), 0) if span_lines else start
    start, end = min(start, end), max(start, end)
    first, old_last, new_last = document.replace(start, end, new_text)
    return reparse(backlog, document.lines, first, old_last, new_last)
