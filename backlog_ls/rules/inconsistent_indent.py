"""inconsistent-indent (BL204): items of one list indented differently, or with tabs among spaces.

Markdown forgives a lot: up to three spaces before a top-level marker, and a
sub-item anywhere from the parent's text column on, so `` - [x]`` below
``- [x]`` is still its sibling. A reader, a diff and the next editor are less
forgiving: the odd item looks nested when it is not, and one more space can make
it nested for real. Siblings are compared with the first item of their list
(see inconsistent-marker for what counts as one list); a tab where the first
item has spaces (or the other way round) is reported even when the columns agree.

An item indented by one space more than the item right above it was meant as its
sub-item, but GitHub shows it beside it: the preferred fix nests it under that
item (indents it and its subtree to the item's content column); moving it back
is offered too. When a blank line stands between them the intent is unclear, and
neither fix is applied by ``--fix``.

Otherwise the fix moves the item and everything in it (sub-items, continuation lines) to
the first item's indentation, keeping each line's indentation relative to the
item. It is offered only when that provably changes nothing Markdown reads: no
tabs to re-count, not inside a block quote, no line that would move into or out
of the item, and, for lists of reasonable size, the same parse before and after.
A numbered list whose numbers are right-aligned (`` 9.`` above ``10.``) is fine.

Bad:

    - [x] Set up the workspace
     - [x] Add the daemon loop
    - [ ] Ship it

Good:

    - [x] Set up the workspace
    - [x] Add the daemon loop
    - [ ] Ship it
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence

from ..memo import LineageMemo
from ..model import Backlog, Block, Item, Span
from . import HINT, Context, Edit, Finding, Fix, Rule
from .common import BlockValues, task_label
from .inconsistent_marker import (
    LIST_KINDS,
    is_ordered,
    groups_where,
    joined_lists,
    visual_lists,
)

_LEADING = re.compile(r"[ \t]*")
# The fix is checked by parsing the blocks around it again when they are at most this long.
_VERIFY_LIMIT_LINES = 400


def _columns(whitespace: str, start: int = 0) -> int:
    """The column after ``whitespace`` starting at column ``start``, tabs stopping every 4 columns."""
    column = start
    for char in whitespace:
        column = column + 4 - column % 4 if char == "\t" else column + 1
    return column


def _lead(line: str, item: Item) -> tuple[int, str]:
    """Where the item's indentation starts on its line (after any '>' quote markers), and the indentation."""
    before = line[: item.marker_span.start_col]
    start = before.rfind(">") + 1 if item.quote_depth else 0
    if item.quote_depth and before[start : start + 1] == " ":
        start += 1  # the optional space after '>' belongs to the quote marker
    return start, before[start:]


def _describe(whitespace: str) -> str:
    if "\t" in whitespace and " " in whitespace:
        return "tabs and spaces"
    if "\t" in whitespace:
        return "a tab" if len(whitespace) == 1 else f"{len(whitespace)} tabs"
    return "1 space" if len(whitespace) == 1 else f"{len(whitespace)} spaces"


def _content_column(line: str, item: Item) -> int | None:
    """The column where the item's content starts (what a sub-item must reach), None if unsure (tabs)."""
    end = item.marker_span.end_col
    rest = line[end:]
    spaces = len(rest) - len(rest.lstrip(" "))
    if rest[spaces : spaces + 1] == "\t" or "\t" in line[:end]:
        return None
    if spaces == 0 or spaces > 4 or spaces == len(rest):
        spaces = 1  # an empty first line, or indented code after the marker
    return end + spaces


def _one_indent(group: Sequence[Item], lines: Sequence[str]) -> bool:
    """True when every item of the group starts in the same column with the same characters before it."""
    indent = group[0].indent
    for item in group:
        if item.indent != indent:
            return False
    if indent == 0:
        return True
    prefix = lines[group[0].line][:indent]
    return all(lines[item.line][:indent] == prefix for item in group)


def _uneven_groups(block: Block, lines: Sequence[str]) -> tuple[Sequence[Item], ...]:
    """The sibling groups of one block whose items are not all indented alike (usually none)."""
    return groups_where(block, lambda group: not _one_indent(group, lines), _ITEM_UNEVEN)


_ITEM_UNEVEN = LineageMemo()  # a top-level item of a long list -> whether a sibling group below it is indented unevenly


_MEMO = BlockValues(_uneven_groups, kinds=LIST_KINDS)


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    lines = backlog.lines
    groups: list[Sequence[Item]] = []
    # Lists Markdown split but a reader sees as one come first: their items are compared
    # with the first item of the whole visual list, not of their own Markdown list.
    for blocks in joined_lists(backlog):
        top = [item for block in blocks for item in block.items]
        if not _one_indent(top, lines):
            groups.append(top)
    for _, uneven in _MEMO.each(backlog.blocks, lines):
        groups.extend(uneven)
    if not groups:
        return
    starts = [block.start_line for block in backlog.blocks]
    seen: set[int] = set()  # each item once: a joined list repeats its blocks' own top-level groups
    for group in groups:
        for run in visual_lists(group, lines):
            for finding in _run_findings(backlog, run, starts):
                if finding.span.start_line not in seen:
                    seen.add(finding.span.start_line)
                    yield finding


def _run_findings(backlog: Backlog, run: list[Item], starts: list[int]) -> Iterator[Finding]:
    lines = backlog.lines
    first = run[0]
    _, first_ws = _lead(lines[first.line], first)
    first_columns = _columns(first_ws)
    for index in range(1, len(run)):
        item = run[index]
        line = lines[item.line]
        start, ws = _lead(line, item)
        if ws == first_ws:
            continue
        columns = _columns(ws)
        if (
            columns != first_columns
            and is_ordered(item)
            and is_ordered(first)
            and columns + len(item.marker) == first_columns + len(first.marker)
        ):
            continue  # right-aligned numbers: " 9." above "10."
        span = Span(item.line, start, item.line, item.marker_span.end_col)
        if not first_ws:
            message = f"Indented by {_describe(ws)}, but the first item of this list is not indented."
        elif not ws:
            message = f"Not indented, but the first item of this list is indented by {_describe(first_ws)}."
        else:
            message = f"Indented by {_describe(ws)}, but the first item of this list by {_describe(first_ws)}."
        edits = _reindent(backlog, run, index, first_ws, starts)
        title = "Remove the indentation" if not first_ws else f"Indent by {_describe(first_ws)} like the first item"
        parent = _meant_parent(run, index, lines) if not first_ws and ws == " " else None
        if parent is None:
            fixes = () if edits is None else (Fix(title, edits, preferred=True),)
            yield RULE.finding(span, message, fixes)
            continue
        # One space more, right after an item: the author meant a sub-item, which GitHub does not see.
        parent_item, meant, clear = parent
        label = task_label(parent_item, lines)
        message += f" GitHub shows it beside '{label}', not nested under it."
        fixes = []
        nest = _nest(backlog, meant, parent_item)
        if nest is not None:
            nest_title = f"{_NEST}under '{label}'" if len(meant) == 1 else f"{_NEST}the {len(meant)} items under '{label}'"
            fixes.append(Fix(nest_title, nest, safe=clear, preferred=clear))  # unclear: neither is preferred
        if edits is not None:
            fixes.append(Fix(title, edits, safe=False, preferred=nest is None))
        yield RULE.finding(span, message, fixes)


_NEST = "Nest "


def changes_structure(fix: Fix) -> bool:
    """Whether a fix of this rule nests items (what their author meant, but a new parse): formatting,
    which keeps the structure, leaves those to the user and ``--fix``."""
    return fix.title.startswith(_NEST)


def _meant_parent(run: Sequence[Item], index: int, lines: Sequence[str]) -> tuple[Item, list[Item], bool] | None:
    """The item a one-space item was meant to hang under (the nearest unindented one before it), the
    one-space items meant with it (the run around it), and whether the intent is plain: no blank
    line among them. With a blank line both fixes are offered and neither is safe."""
    item = run[index]

    def one_space(candidate: Item) -> bool:
        return candidate.marker == item.marker and _lead(lines[candidate.line], candidate)[1] == " "

    start = index
    while start > 0 and one_space(run[start - 1]):
        start -= 1
    if start == 0:
        return None
    parent = run[start - 1]
    if parent.marker != item.marker or _lead(lines[parent.line], parent)[1]:
        return None  # another marker starts another list on GitHub: that is inconsistent-marker's
    end = index + 1
    while end < len(run) and one_space(run[end]):
        end += 1
    meant = list(run[start:end])
    clear = all(lines[number].strip() for number in range(parent.line, meant[-1].line))
    return parent, meant, clear


def _nest(backlog: Backlog, meant: Sequence[Item], parent: Item) -> tuple[Edit, ...] | None:
    """Edits moving the one-space items (their whole subtrees) to ``parent``'s content column; None with
    tabs or quotes, or when the result would not be what was meant."""
    lines = backlog.lines
    target = _content_column(lines[parent.line], parent)
    if target is None:
        return None
    edits: list[Edit] = []
    for item in meant:
        if item.quote_depth or "\ufeff" in lines[item.line][:1]:
            return None
        edits.append(Edit(Span.on_line(item.line, 0, 1), " " * target))
        leads = _inner_leads(lines, item)
        if leads is None:
            return None
        for number, lead in leads:
            if len(lead) > 1:
                edits.append(Edit(Span.on_line(number, 0, len(lead)), " " * (len(lead) + target - 1)))
    return tuple(edits) if _nested_after(backlog, meant, parent, edits) else None


def _nested_after(backlog: Backlog, meant: Sequence[Item], parent: Item, edits: list[Edit]) -> bool:
    """Whether, after the edits, the items (same texts) hang under the parent and nothing else moved in."""
    from ..parse import parse_lines

    first, last = parent.span.start_line, max(meant[-1].span.end_line, parent.span.end_line)
    blocks = backlog.blocks
    starts = [block.start_line for block in blocks]
    index = bisect.bisect_right(starts, last) - 1
    # What follows may be pulled in (a paragraph, the next list): read the next two blocks too.
    last = max(last, blocks[min(len(blocks) - 1, index + 2)].end_line) if index >= 0 else last
    if last - first + 1 > _VERIFY_LIMIT_LINES:
        return False
    after = list(backlog.lines[first : last + 1])
    for edit in edits:
        number = edit.span.start_line - first
        after[number] = after[number][: edit.span.start_col] + edit.new_text + after[number][edit.span.end_col :]
    before = parse_lines(tuple(backlog.lines[first : last + 1]))
    nested = parse_lines(tuple(after))
    if [block.kind for block in before.blocks] != [block.kind for block in nested.blocks]:
        return False  # a paragraph pulled into the list, or a list split
    pairs = nested.item_pairs
    if [node.text for node, _ in pairs] != [node.text for node, _ in before.item_pairs]:
        return False
    wanted = {item.line - first for item in meant}
    return wanted <= {node.line for node, up in pairs if up is not None and up.line == 0}


def _inner_leads(lines: Sequence[str], item: Item) -> list[tuple[int, str]] | None:
    """(line, indentation) of every non-blank line of the item after its first; None when one has a tab."""
    found = []
    for number in range(item.span.start_line + 1, item.span.end_line + 1):
        text = lines[number]
        if not text.strip():
            continue
        lead = _LEADING.match(text).group()
        if "\t" in lead:
            return None
        found.append((number, lead))
    return found


def _reindent(
    backlog: Backlog, run: Sequence[Item], index: int, target_ws: str, starts: list[int]
) -> tuple[Edit, ...] | None:
    """Edits moving ``run[index]`` (its whole subtree) to ``target_ws``; None when that could change meaning."""
    lines = backlog.lines
    item = run[index]
    if item.quote_depth or "\ufeff" in lines[item.line][:1]:
        return None
    _, ws = _lead(lines[item.line], item)
    old_column, new_column = _columns(ws), _columns(target_ws)
    delta = new_column - old_column
    edits = [Edit(Span.on_line(item.line, 0, len(ws)), target_ws)]
    if delta:
        old_content = _content_column(lines[item.line], item)
        if old_content is None:
            return None
        new_content = old_content + delta
        leads = _inner_leads(lines, item)
        if leads is None:
            return None
        for number, lead in leads:
            if len(lead) < old_column:
                continue  # a lazy continuation line: its indentation means nothing
            edits.append(Edit(Span.on_line(number, 0, len(lead)), target_ws + " " * (len(lead) - old_column)))
        # The item must stay a sibling of the one before it, not become its child...
        previous = run[index - 1]
        previous_content = _content_column(lines[previous.line], previous)
        if previous_content is None or new_column >= previous_content:
            return None
        # ... and nothing after it may move in (when it moves left) or out.
        following = item.span.end_line + 1
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following < len(lines):
            lead = _LEADING.match(lines[following]).group()
            if "\t" in lead or len(lead) >= new_content:
                return None
    if not _same_parse(backlog, item, edits, starts):
        return None
    return tuple(edits)


def _same_parse(backlog: Backlog, item: Item, edits: list[Edit], starts: list[int]) -> bool:
    """Parse the blocks around the item before and after the edits: the structure must not change."""
    blocks = backlog.blocks
    index = bisect.bisect_right(starts, item.line) - 1
    if index < 0 or blocks[index].end_line < item.line:
        return False
    first = blocks[max(0, index - 1)].start_line
    last = blocks[min(len(blocks) - 1, index + 1)].end_line
    if blocks[max(0, index - 1)].kind == "front-matter":
        first = blocks[index].start_line
    if last - first + 1 > _VERIFY_LIMIT_LINES:
        return True  # too long to re-read on every keystroke: the checks above stand alone
    before = tuple(backlog.lines[first : last + 1])
    after = list(before)
    for edit in edits:
        number = edit.span.start_line - first
        text = after[number]
        after[number] = text[: edit.span.start_col] + edit.new_text + text[edit.span.end_col :]
    return _parses_alike(before, tuple(after))


@functools.lru_cache(maxsize=1024)
def _parses_alike(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """Whether two texts have the same blocks and list structure (remembered: the same
    finding is made again on every keystroke, and parsing is the costly part)."""
    from ..parse import parse_lines

    return _shape(parse_lines(before)) == _shape(parse_lines(after))


def _shape(backlog: Backlog) -> list:
    def item_shape(item: Item) -> tuple:
        return (item.marker, item.checkbox, item.text, item.loose, item.quote_depth, tuple(map(item_shape, item.children)))

    return [
        (block.kind, block.start_line, block.end_line, tuple(map(item_shape, block.items)), block.heading and block.heading.title)
        for block in backlog.blocks
    ]


RULE = Rule(
    name="inconsistent-indent",
    code="BL204",
    severity=HINT,
    summary="Sibling list items indented differently, or with a tab where the others use spaces.",
    check=_check,
)
