"""How deep lists and quotes nest, estimated before mistletoe reads them.

mistletoe reads a list item by copying its lines (without their indentation) and
reading the copy, recursively, one level per level of nesting: the copies of all
levels live at once. A 5,000-deep indented list therefore peaked at 7.5 GB before
Python's recursion limit stopped it. A container block that nests deeper than
``MAX_NESTING``, or whose nesting times its size exceeds ``MAX_NESTED_CHARACTERS``
(what those copies would hold), is kept as text instead of read.

The estimate needs no parser: a stack of the content columns of the list items
above a line (a line indented less than an item's content has left that item),
plus the quote and list markers chained at the start of the line itself
("> > - - x" is four levels), with quote markers counted as indentation. A deeply indented line with no marker (code in a
list item) adds no level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Deeper than any real backlog (three or four levels), well short of Python's recursion
# limit in mistletoe (some five frames a level).
MAX_NESTING = 48
# The characters mistletoe's copies may hold for one block: nesting times size.
MAX_NESTED_CHARACTERS = 64_000_000

# Quote markers count as columns of indentation: "> - a" then ">   - b" nests b in a.
_LEAD = re.compile(r"[ \t>]*")
_MARK = re.compile(r"[ \t]*(?:(?P<quote>>)|(?P<list>[-*+]|\d{1,9}[.)])(?=[ \t]|$))")
_STARTS_CONTAINER = re.compile(r"(?:>|[-*+][ \t]|[-*+]$|\d{1,9}[.)](?:[ \t]|$))")


def _width(whitespace: str) -> int:
    return len(whitespace.expandtabs(4)) if "\t" in whitespace else len(whitespace)


def check(lines: Sequence[str], first: int) -> tuple[int, bool]:
    """The container region starting at line ``first``: its last line, and whether it nests too deep.

    The region runs to the line before an unindented line that is no list item or quote
    and follows a blank line (or is a heading): a little more than the block mistletoe
    will read, which is what matters for a bound. One pass over it.
    """
    last, deepest, characters = measure(lines, first)
    return last, too_deep(deepest, characters)


def check_list(lines: Sequence[str], first: int, last: int, deepest: int) -> tuple[int, bool] | None:
    """``check(lines, first)`` for a tight list on lines ``first``..``last`` with no blank line inside,
    no quote marker and no line that starts two containers, whose items nest ``deepest`` levels
    (``plain_lists``): its region is the list alone when a blank line follows it and then the end or
    a line that ends the region. None when the region goes on after it: ``check`` must tell.
    """
    index = last + 1
    count = len(lines)
    while index < count and not lines[index].strip():
        index += 1
    if index < count:
        line = lines[index]
        if index == last + 1 or line[:1] in (" ", "\t") or _STARTS_CONTAINER.match(line):
            return None
    characters = sum(map(len, lines[first : last + 1])) + last + 1 - first
    return last, too_deep(deepest, characters)


def too_deep(deepest: int, characters: int) -> bool:
    return deepest > MAX_NESTING or deepest * characters > MAX_NESTED_CHARACTERS


def measure(lines: Sequence[str], first: int) -> tuple[int, int, int]:
    """The container region starting at line ``first``: its last line, its deepest nesting, its characters."""
    stack: list[int] = []  # content columns of the list items open above the line
    deepest = 0
    characters = 0
    last = first
    after_blank = False
    index = first
    count = len(lines)
    while index < count:
        line = lines[index]
        if not line.strip():
            after_blank = True
            index += 1
            continue
        # A non-blank line ends the region when it is unindented and no list item or quote, and is
        # a heading or follows a blank line (other text continues it).
        if index > first and line[:1] not in (" ", "\t") and (after_blank or line.startswith("#")):
            if not _STARTS_CONTAINER.match(line):
                break
        after_blank = False
        last = index
        characters += len(line) + 1
        lead = _LEAD.match(line).group()
        indent = len(lead.expandtabs(4)) if "\t" in lead else len(lead)
        while stack and stack[-1] > indent:
            stack.pop()
        chained = lead.count(">")
        lists = 0
        position = len(lead)
        while (mark := _MARK.match(line, position)) is not None:
            chained += 1
            lists += mark.group("list") is not None
            position = mark.end()
        depth = len(stack) + chained
        deepest = max(deepest, depth)
        if lists:
            content = _width(line[:position]) + 1
            stack.extend([content] * lists)
        index += 1
    return last, deepest, characters
