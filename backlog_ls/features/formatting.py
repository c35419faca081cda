"""Document and range formatting. Pure: the document's lines in, minimal edits out.

What changes, and nothing else:

- checkbox spacing: ``- [x]  text`` -> ``- [x] text``; ``-  [ ] text`` -> ``- [ ] text``
  (the state character is kept as written: ``[X]`` stays ``[X]``);
- list markers: the items of one list take the first item's marker (the safe fix of
  inconsistent-marker);
- indentation: siblings move to the first sibling's indentation, children along with
  them (the safe fix of inconsistent-indent, which proves that the parse is unchanged); a
  one-space item meant as a sub-item is left for the user (nesting it changes the parse).

- stated progress: a figure the tasks disagree with ("Progress: 3/7", "[43%]") gets the
  true one (the fix of stale-progress).

Otherwise only whitespace and marker characters change, within lines: no line is added or
removed and no word changes. The fixes run until none is left, so formatting the
result again changes nothing. As a last guard the structure (every item's depth,
checkbox and text, every heading) is compared before and after; when it differs the
spacing step is dropped, and when it still differs nothing is changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..fixes import fix_all
from ..model import Backlog, Item, Span
from ..rules import HINT, Edit, Finding, Fix, check
from .edits import line_edits

_RULE = "format"
_MAX_PASSES = 8


def format_lines(lines: Sequence[str], first_line: int | None = None, last_line: int | None = None) -> list[Edit]:
    """Minimal edits formatting the document, or only the lines ``first_line..last_line``
    (a fix is taken only when all its edits lie in those lines)."""
    lines = list(lines)
    lower = 0 if first_line is None else first_line
    upper = len(lines) - 1 if last_line is None else last_line
    text = "\n".join(lines)
    # One pass can make room for another (moving an item left lets its checkbox spacing narrow
    # only once the lines below it moved too): repeat until a pass changes nothing, so that
    # formatting the result again changes nothing. Each pass keeps the structure of its input.
    for _ in range(_MAX_PASSES):
        formatted = _one_pass(text, lower, upper)
        if formatted == text:
            break
        text = formatted
    return line_edits(lines, _true_progress(text, lower, upper).split("\n"))


def _true_progress(text: str, lower: int, upper: int) -> str:
    """The text with every stated progress figure that the tasks disagree with rewritten
    (stale-progress's fix: "Progress: 3/7" -> "Progress: 5/7", digits only, within the line)."""
    from ..parse import parse
    from ..rules import stale_progress

    def stale(current: str) -> list[Finding]:
        found = check(parse(current), rules=[stale_progress.RULE])
        return [f for f in found if all(lower <= e.span.start_line and e.span.end_line <= upper for x in f.fixes for e in x.edits)]

    return fix_all(text, stale).text


def _one_pass(text: str, lower: int, upper: int) -> str:
    """The text with every fix applied whose result keeps the structure; ``text`` when none does."""
    from ..parse import parse

    original = _shape(parse(text))
    line_count = text.count("\n")
    for with_spacing in (True, False):
        result = fix_all(text, lambda current, spacing=with_spacing: _findings(parse(current), lower, upper, spacing))
        if result.text.count("\n") == line_count and (result.text == text or _shape(parse(result.text)) == original):
            return result.text
    return text


def _findings(backlog: Backlog, lower: int, upper: int, with_spacing: bool) -> list[Finding]:
    from ..rules import inconsistent_indent, inconsistent_marker

    found = [
        attrs.evolve(finding, fixes=tuple(fix for fix in finding.fixes if not inconsistent_indent.changes_structure(fix)))
        for finding in check(backlog, rules=[inconsistent_marker.RULE, inconsistent_indent.RULE])
    ]
    if with_spacing:
        found.extend(_spacing(backlog))
    return [
        finding
        for finding in found
        if finding.fixes
        and all(lower <= e.span.start_line and e.span.end_line <= upper for fix in finding.fixes for e in fix.edits)
    ]


def _spacing(backlog: Backlog) -> list[Finding]:
    lines = backlog.lines
    found = []
    for item, _ in backlog.item_pairs:
        span = item.checkbox_span
        if span is None or span.start_line != item.marker_span.start_line:
            continue
        line = lines[span.start_line]
        edits = []
        # Between the checkbox and the text: one space.
        after = item.text_span
        if after.start_line == span.start_line and after.end_col > after.start_col:
            gap = line[span.end_col : after.start_col]
            if gap != " " and gap and not gap.strip(" \t"):
                edits.append(Edit(Span.on_line(span.start_line, span.end_col, after.start_col), " "))
        # Between the marker and the checkbox: one space, where that provably moves nothing.
        gap = line[item.marker_span.end_col : span.start_col]
        if 2 <= len(gap) <= 4 and not gap.strip(" ") and _may_narrow(backlog, item, item.marker_span.end_col + 1):
            edits.append(Edit(Span.on_line(span.start_line, item.marker_span.end_col, span.start_col), " "))
        if edits:
            fix = Fix("Format the checkbox", tuple(edits))
            found.append(Finding(_RULE, _RULE, HINT, span, "checkbox spacing", (fix,)))
    return found


def _may_narrow(backlog: Backlog, item: Item, new_content: int) -> bool:
    """Whether the item's text column may move left to ``new_content``: a one-line item
    without children, not followed by a line indented that far (it would move into the item)."""
    if item.children or item.quote_depth or item.span.end_line != item.span.start_line:
        return False
    lines = backlog.lines
    following = item.span.end_line + 1
    while following < len(lines) and not lines[following].strip():
        following += 1
    if following >= len(lines):
        return True
    text = lines[following]
    lead = text[: len(text) - len(text.lstrip(" \t"))]
    return "\t" not in lead and len(lead) < new_content


def _shape(backlog: Backlog) -> list:
    """What formatting must keep: every heading, and every item's depth, checkbox and text."""
    shape: list = [("heading", h.level, h.title) for h in backlog.headings]

    def walk(item: Item, depth: int) -> None:
        shape.append((depth, item.quote_depth, item.checkbox, " ".join(item.text.split())))
        for child in item.children:
            walk(child, depth + 1)

    for item in backlog.items:
        walk(item, 0)
    return shape
