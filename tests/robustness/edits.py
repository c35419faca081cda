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


def backlog_lines(draw, count: int, item_lines: list[str], other_blocks: list[str], rarity: int) -> list[str]:
    """A backlog's lines as the property tests draw them: "# Plan", then ``count`` lines, each an item's
    or, one time in ``rarity + 1``, another block's ("{n}" in them numbered); a subitem with no item
    above it is made a top-level one."""
    from hypothesis import strategies as st

    lines = ["# Plan", ""]
    for n in range(count):
        pool = other_blocks if draw(st.integers(0, rarity)) == 0 else item_lines
        template = draw(st.sampled_from(pool))
        if template.startswith("  ") and (not lines[-1] or not lines[-1].lstrip().startswith("-")):
            template = template.strip()
        lines.append(template.format(n=n))
    return lines
