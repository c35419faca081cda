"""Tight bullet lists of plain lines, read without mistletoe.

Most of a backlog is lists like "- [x] **Task 1.2:** text" with subtasks indented under them,
and reading them through mistletoe is most of a full parse: every item's lines are copied,
de-indented and tokenized again, one level per level of nesting. For a list whose every line
has a shape that can only mean one thing, the structure follows from indentation alone, as
CommonMark defines it: a marker line goes into the innermost open item whose content column
it reaches (a child list), else it is the next item of the list it returns to; a text line
indented to the innermost item's content continues that item's paragraph.

``read`` accepts a list only when every line is such a line and it ends at a blank line
followed by one that cannot continue it; anything else (another marker, a tab, a line that
could open another block, a lazy line, a blank line inside) returns None and mistletoe reads
the list. What it finds is the items' tree, from which ``blocks`` builds the very model it
builds from mistletoe's tokens, with no tokens in between: ``tests/test_plain_lists.py``
compares the two on generated and hand-written lists, and tests/github compares with cmark-gfm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# What a line's content may start with: nothing that opens a block (headings, quotes, fences,
# HTML, thematic breaks, list markers, tables' delimiter rows, link definitions, setext
# underlines) or leaves the line blank; bold text ("**Task 1.1**"), a code span that is no
# fence ("`x`") and a number that is no list marker ("50% done", "1.5x") are fine.
_PLAIN_START = r"(?:(?:\*\*|__)[^\s*_]|`(?!``)|\d+(?![\d.)])|[^\s#>`~<\-*+_=|:\[\\0-9])"
# A marker line: spaces, one bullet, one space, an optional checkbox and a space, plain content.
_MARKER_LINE = re.compile(rf"( *)([-*+]) (?=(?:\[[ xX]\] )?{_PLAIN_START})")
# A continuation line: spaces, then plain content.
_TEXT_LINE = re.compile(rf"( *){_PLAIN_START}")
# A blank line as both mistletoe and CommonMark see it (other white space, e.g. U+00A0, is not).
_BLANK = re.compile(r"[ \t]*")
# After the blank line that ends the list, a line that surely does not continue it: unindented
# and no list marker (as mistletoe's ListItem pattern has it, any white space after), or a
# thematic break ("---", "* * *").
_ENDS_LIST = re.compile(r"(?![ \t]|(?:[-*+]|\d{1,9}[.)])(?:\s|$))|([-_*])(?:[ \t]*\1){2,}[ \t]*$")


class PlainItem:
    """An item of a plain list: its marker line, the column of its bullet, how many lines its own
    text has (its marker line and the text lines under it) and the items of its child list."""

    __slots__ = ("line", "indentation", "prepend", "lines", "children")

    def __init__(self, line: int, indentation: int):
        self.line = line  # 0-based
        self.indentation = indentation
        self.prepend = indentation + 2  # the column of its content
        self.lines = 1
        self.children: list[PlainItem] = []


def may_start(line: str) -> bool:
    """Whether a plain list may start at this line (a top-level block's first line)."""
    marker = _MARKER_LINE.match(line)
    return marker is not None and len(marker.group(1)) <= 3


def read(lines: Sequence[str], first: int) -> tuple[list[PlainItem], int, int] | None:
    """The items of the list starting at line ``first``, its last line and how deep its items nest
    (1: no child list), or None when mistletoe must read it."""
    line = lines[first]
    marker = _MARKER_LINE.match(line)
    if marker is None or (first == 0 and line.startswith("\ufeff")):
        return None
    bullet = marker.group(2)
    indentation = len(marker.group(1))
    if indentation > 3:
        return None
    top = PlainItem(first, indentation)
    root = [top]
    stack = [top]  # the open items, outermost first
    index = first + 1
    count = len(lines)
    last = first
    deepest = 1
    while index < count:
        line = lines[index]
        marker = _MARKER_LINE.match(line)
        if marker is not None:
            if marker.group(2) != bullet:
                return None
            indentation = marker.end(1)  # (the match starts the line)
            while stack and indentation < stack[-1].prepend:
                stack.pop()
            base = stack[-1].prepend if stack else 0
            if indentation - base > 3:
                return None
            item = PlainItem(index, indentation)
            (stack[-1].children if stack else root).append(item)
            stack.append(item)
            if len(stack) > deepest:
                deepest = len(stack)
            last = index
            index += 1
            continue
        text = _TEXT_LINE.match(line)
        if text is not None:
            innermost = stack[-1]  # the item read last: it has no child list yet
            if text.end(1) < innermost.prepend:
                return None  # a lazy line: mistletoe decides
            innermost.lines += 1
            last = index
            index += 1
            continue
        if _BLANK.fullmatch(line) is None:
            return None
        break
    # The list ends at a blank line (or the end of the text): what follows must not continue it.
    while index < count and _BLANK.fullmatch(lines[index]) is not None:
        index += 1
    if index < count and not lines[index].strip():
        return None  # white space that mistletoe takes for text
    if index < count and _ENDS_LIST.match(lines[index]) is None:
        return None
    return root, last, deepest
