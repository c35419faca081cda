"""Top-level blocks with mistletoe, and the model values built from them.

mistletoe decides the block structure (lists, quotes, fences, HTML blocks,
tables, setext headings); every column and inline reference is found by
scanning the source lines ourselves, because mistletoe keeps only 1-based line
numbers and no columns. Inline (span) parsing is switched off while we parse:
it is most of mistletoe's cost and we never read its result.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..model import Block, Heading, Item, Problem, References, Span, TaskId, new_span
from . import inline, nesting, plain_lists
from .construct import item as _new_item
from ._mistletoe import import_mistletoe

import_mistletoe()  # before the names below: it shortens mistletoe's own import

from mistletoe import block_token, block_tokenizer, span_token, token as mistletoe_token  # noqa: E402



class _CodeFence(block_token.CodeFence):
    """A fenced code block that closes only where CommonMark closes it.

    mistletoe 1.6 closes an open fence at any line that starts with the fence and has no space,
    so "```bash" (the next block's opening) ended the block and everything after it was read
    inside out; GitHub closes only at a line of the fence's character, at least as long, and
    nothing else but spaces or tabs.
    """

    @classmethod
    def read(cls, lines):
        next(lines)
        indentation, leader = cls._open_info[0], cls._open_info[1]
        closing = re.compile(rf" {{0,3}}{re.escape(leader[0])}{{{len(leader)},}}[ \t]*\n?")
        line_buffer = []
        for line in lines:
            if closing.fullmatch(line):
                break
            stripped_line = line.lstrip(" ")
            diff = len(line) - len(stripped_line)
            if diff > indentation:
                stripped_line = " " * (diff - indentation) + stripped_line
            line_buffer.append(stripped_line)
        return line_buffer, cls._open_info


class _HtmlBlock(block_token.HtmlBlock):
    """An HTML block, never behind four columns of indentation (mistletoe counted a tab as one)."""

    @classmethod
    def start(cls, line):
        stripped = line.lstrip()
        if len(line[: len(line) - len(stripped)].expandtabs(4)) >= 4:
            return False
        return super().start(line)


class _Quote(block_token.Quote):
    """A block quote that takes a line without ">" only as paragraph continuation text.

    mistletoe takes such a "lazy" line into the quote unless the line before opened a fence
    or indented code, so the lines after a quoted fence, heading or thematic break were
    quoted too. CommonMark (and GitHub) continue the quote only when its innermost open
    block is a paragraph: that is what ``_ends_in_paragraph`` asks of the lines read so far.
    """

    @classmethod
    def read(cls, lines):
        line = cls.convert_leading_tabs(next(lines).lstrip()).split(">", 1)[1]
        if len(line) > 0 and line[0] == " ":
            line = line[1:]
        line_buffer = [line]
        start_line = lines.line_number()
        blank_line = line.strip() == ""
        lazy_allowed: bool | None = None  # whether the lines read so far end in a paragraph, once asked
        budget = [_LAZY_CHECK_BUDGET]
        next_line = lines.peek()
        breaking_tokens = [
            t
            for t in block_token._token_types
            if hasattr(t, "check_interrupts_paragraph") and not issubclass(t, block_token.Quote)
        ]
        while (
            next_line is not None
            and next_line.strip() != ""
            and not any(token_type.check_interrupts_paragraph(lines) for token_type in breaking_tokens)
        ):
            stripped = cls.convert_leading_tabs(next_line.lstrip())
            if stripped[0] == ">":
                prepend = 2 if stripped[1:2] == " " else 1
                stripped = stripped[prepend:]
                blank_line = stripped.strip() == ""
                lazy_allowed = None
                line_buffer.append(stripped)
            elif blank_line:
                break
            else:
                if lazy_allowed is None:
                    lazy_allowed = _ends_in_paragraph(line_buffer, start_line, budget) and not _HtmlBlock.start(
                        next_line
                    )
                if not lazy_allowed:
                    break
                line_buffer.append(next_line)
            next(lines)
            next_line = lines.peek()

        block_token.Paragraph.parse_setext = False
        parse_buffer = block_tokenizer.tokenize_block(line_buffer, block_token._token_types, start_line=start_line)
        block_token.Paragraph.parse_setext = True
        return parse_buffer


# Asking whether the lines read so far end in a paragraph reads them again each time: one quote
# or list item may re-read this many lines in all, then its lazy lines are judged as mistletoe
# judges them (by the line before), so that a crafted document is still read in linear time.
_LAZY_CHECK_BUDGET = 1000


def _ends_in_paragraph(line_buffer: list[str], start_line: int, budget: list[int]) -> bool:
    """Whether a quote's or item's content read so far ends inside a paragraph (at any depth).

    ``budget`` holds the lines this container may still re-read; it is spent here.
    """
    budget[0] -= len(line_buffer)
    if budget[0] < 0:
        last = line_buffer[-1].lstrip(" ")
        return not (block_token.CodeFence.start(last) or block_token.BlockCode.start(line_buffer[-1]))
    setext = block_token.Paragraph.parse_setext
    block_token.Paragraph.parse_setext = False
    try:
        tokens = block_tokenizer.make_tokens(
            block_tokenizer.tokenize_block(list(line_buffer), block_token._token_types, start_line=start_line)
        )
    finally:
        block_token.Paragraph.parse_setext = setext
    while tokens:
        last = tokens[-1]
        if isinstance(last, block_token.Paragraph):
            return True
        if isinstance(last, (block_token.Quote, block_token.List, block_token.ListItem)):
            tokens = list(last.children or ())
            continue
        return False
    return False


def _list_item_read(cls, lines, prev_marker=None):
    """mistletoe 1.6's ListItem.read, where it read items otherwise than CommonMark does.

    - A line without the item's indentation continues it ("lazily") only when the item ends in a
      paragraph: after a fence opened in the item, "task" at column 0 is a paragraph of its own.
    - An HTML tag at the start of such a line begins an HTML block, as in cmark-gfm.
    - For "-" alone on its line, the content read from the next line is numbered from there
      (mistletoe numbered it from the marker's line: a task or fence in it sat one line too high).
    - Blank lines before a marker of another kind ("- a", "", "* b": two lists) end the list and
      make no item loose, as at any other end of a list.
    """
    next_marker = None
    line_buffer = []
    line = next(lines)
    start_line = lines.line_number()
    next_line = lines.peek()
    indentation, prepend, leader, content = prev_marker if prev_marker else cls.parse_marker(line)
    content_line = start_line
    if content.strip() == "":
        prepend = indentation + len(leader) + 1
        blanks = 1
        while next_line is not None and next_line.strip() == "":
            blanks += 1
            next(lines)
            next_line = lines.peek()
        if blanks > 1:
            parse_buffer = block_tokenizer.ParseBuffer()
            parse_buffer.loose = True
            next_marker = cls.parse_marker(next_line) if next_line is not None else None
            return (parse_buffer, indentation, prepend, leader, start_line), next_marker
        content_line = start_line + 1
    else:
        line_buffer.append(content)

    breaking_tokens = [
        t
        for t in block_token._token_types
        if hasattr(t, "check_interrupts_paragraph") and not issubclass(t, block_token.List)
    ]
    newline_count = 0
    lazy_allowed: bool | None = None  # whether the lines read so far end in a paragraph, once asked
    budget = [_LAZY_CHECK_BUDGET]
    while True:
        if next_line is None:
            if newline_count:
                lines.backstep()
                del line_buffer[-newline_count:]
            break
        continuation = cls.parse_continuation(next_line, prepend)
        if not continuation:
            if any(token_type.check_interrupts_paragraph(lines) for token_type in breaking_tokens):
                if newline_count:
                    lines.backstep()
                    del line_buffer[-newline_count:]
                break
            marker_info = cls.parse_marker(next_line)
            if marker_info is not None:
                if newline_count and not block_token.List.same_marker_type(leader, marker_info[2]):
                    # Another kind of marker starts another list: the blank lines before it end this
                    # one, and leave this item as it was (mistletoe kept them in it: a loose item).
                    lines.backstep()
                    del line_buffer[-newline_count:]
                    break
                next_marker = marker_info
                break
            if newline_count:
                lines.backstep()
                del line_buffer[-newline_count:]
                break
            if lazy_allowed is None:
                lazy_allowed = _ends_in_paragraph(line_buffer, content_line, budget) and not _HtmlBlock.start(next_line)
            if not lazy_allowed:
                break
            continuation = next_line
        else:
            lazy_allowed = None
        line_buffer.append(continuation)
        newline_count = newline_count + 1 if continuation == "\n" else 0
        next(lines)
        next_line = lines.peek()

    parse_buffer = block_tokenizer.tokenize_block(line_buffer, block_token._token_types, start_line=content_line)
    return (parse_buffer, indentation, prepend, leader, start_line), next_marker


# CommonMark's list markers: a bullet, or one to nine digits and "." or ")" (mistletoe's own
# patterns allow no digit at all, so ". Step: ..." was a list item).
_LIST_START = re.compile(r" {0,3}(?:\d{1,9}[.)]|[+\-*])(?:[ \t]*$|[ \t]+)")
_LIST_ITEM = re.compile(r"( {0,3})(\d{1,9}[.)]|[+\-*])($|\s+)")

_TOKEN_TYPES = [
    _HtmlBlock,
    block_token.BlockCode,
    block_token.Heading,
    _Quote,
    _CodeFence,
    block_token.ThematicBreak,
    block_token.List,
    block_token.Table,
    block_token.Footnote,
    block_token.Paragraph,
]
_KIND = {
    block_token.HtmlBlock: "html",
    _HtmlBlock: "html",
    block_token.BlockCode: "code",
    block_token.CodeFence: "code",
    _CodeFence: "code",
    block_token.Heading: "heading",
    block_token.SetextHeading: "heading",
    block_token.Quote: "quote",
    _Quote: "quote",
    block_token.ThematicBreak: "thematic-break",
    block_token.List: "list",
    block_token.Table: "table",
    block_token.Footnote: "link-definition",
    block_token.Paragraph: "paragraph",
}

class _TurnLock:
    """A lock taken in turn, in the order threads asked for it.

    A thread parsing a huge document releases mistletoe after each block and asks for it
    again at once; an ordinary lock would go back to it every time, and a request parsing
    a small document on another thread would wait for the whole huge one.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._next_turn = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._condition:
            turn = self._next_turn
            self._next_turn += 1
            while turn != self._serving:
                self._condition.wait()

    def __exit__(self, *exc_info: object) -> None:
        with self._condition:
            self._serving += 1
            self._condition.notify_all()


# mistletoe keeps its configuration in module globals: one block is read at a time.
_MISTLETOE_LOCK = _TurnLock()


class _Root:
    """Stands in for mistletoe's Document, which collects link reference definitions."""

    def __init__(self) -> None:
        self.footnotes: dict = {}


@contextmanager
def mistletoe_configured() -> Iterator[None]:
    with _MISTLETOE_LOCK:
        saved_blocks = block_token._token_types[:]
        saved_spans = span_token._token_types[:]
        saved_root = mistletoe_token._root_node
        saved_list_patterns = block_token.List.pattern, block_token.ListItem.pattern
        block_token.List.pattern, block_token.ListItem.pattern = _LIST_START, _LIST_ITEM
        saved_item_read = block_token.ListItem.__dict__["read"]
        block_token.ListItem.read = classmethod(_list_item_read)
        block_token._token_types[:] = _TOKEN_TYPES
        span_token._token_types[:] = [span_token.RawText]
        mistletoe_token._root_node = _Root()
        block_token.Paragraph.parse_setext = True
        try:
            yield
        finally:
            # Quote.read turns setext parsing off and on again around its children; an
            # exception inside (a RecursionError on deep nesting) would leave it off for good.
            block_token.Paragraph.parse_setext = True
            block_token._token_types[:] = saved_blocks
            span_token._token_types[:] = saved_spans
            mistletoe_token._root_node = saved_root
            block_token.List.pattern, block_token.ListItem.pattern = saved_list_patterns
            block_token.ListItem.read = saved_item_read


class _LinesFrom(list):
    """The document's lines from ``start`` on, each with the "\\n" mistletoe expects.

    A list subclass because mistletoe's FileWrapper only accepts lists; built lazily
    so that re-reading a few blocks never copies the whole document.
    """

    def __init__(self, lines: Sequence[str], start: int):
        super().__init__()
        self._lines = lines
        self._start = start

    def __len__(self) -> int:
        return len(self._lines) - self._start

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        absolute = self._start + index
        line = self._lines[absolute]
        if absolute == 0 and line.startswith("\ufeff"):
            # A byte order mark becomes a space: it keeps every column where it was
            # and a space before a block marker changes nothing (at most 3 are allowed).
            line = " " + line[1:]
        return line + "\n"

    def __iter__(self):
        return (self[i] for i in range(len(self)))


# --- front matter --------------------------------------------------------------------------------

_FRONT_MATTER_LIMIT = 500


def front_matter_end(lines: Sequence[str]) -> int | None:
    """The closing line of YAML (``---``) or TOML (``+++``) front matter at the top, if any."""
    if not lines:
        return None
    first = lines[0].lstrip("\ufeff").rstrip()
    if first not in ("---", "+++"):
        return None
    closers = ("---", "...") if first == "---" else ("+++",)
    for index in range(1, min(len(lines), _FRONT_MATTER_LIMIT)):
        if lines[index].rstrip() in closers:
            return index if index > 1 else None
    return None


# --- reading top-level blocks ------------------------------------------------------------------


def read_blocks(lines: Sequence[str], start: int, stop_at: Callable[[int], bool]) -> tuple[list[Block], int | None]:
    """Read top-level blocks from line ``start`` until ``stop_at(line)`` holds at a block start.

    Returns the blocks read and the line where reading stopped (None at the end of the text).
    """
    blocks: list[Block] = []
    view = _LinesFrom(lines, start)
    wrapper = block_tokenizer.FileWrapper(view, start_line=start + 1)
    nesting_checked_until = -1  # lines before this were found shallow enough for mistletoe
    while True:
        line = wrapper.peek()
        if line is None:
            return blocks, None
        here = start + wrapper.get_pos() + 1
        if line.strip() == "":
            next(wrapper)
            continue
        if blocks and stop_at(here):
            return blocks, here
        plain = plain_lists.read(lines, here) if plain_lists.may_start(lines[here]) else None
        if plain is not None and here >= nesting_checked_until:
            plain_items, last, deepest = plain
            region_end, too_deep = nesting.check_list(lines, here, last, deepest) or nesting.check(lines, here)
            if too_deep:
                plain = None  # mistletoe's path below keeps it as text
            else:
                nesting_checked_until = region_end + 1
        if plain is not None:
            plain_items, last, _ = plain
            wrapper.set_pos(last - start)
            blocks.append(_plain_list_block(plain_items, here, last, lines))
            continue
        atx = _ATX_HEADING.match(lines[here])
        if atx is not None:
            wrapper.set_pos(here - start)
            heading = _BlockBuilder(lines).heading(len(atx.group(1)), False, here, here)
            blocks.append(Block(kind="heading", start_line=here, end_line=here, heading=heading))
            continue
        # mistletoe is configured (and locked) one block at a time, so that parsing a huge
        # document on one thread holds up another thread's parse by one block, not by all.
        with mistletoe_configured():
            for token_type in _TOKEN_TYPES:
                try:
                    if not token_type.start(line):
                        continue
                    if token_type in _CONTAINERS and here >= nesting_checked_until:
                        region_end, too_deep = nesting.check(lines, here)
                        if too_deep:
                            blocks.append(_text_block(lines, wrapper, here, start, region_end, "nesting too deep"))
                            break
                        nesting_checked_until = region_end + 1
                    result = token_type.read(wrapper)
                except (RecursionError, IndexError, ValueError, TypeError, AttributeError) as error:
                    block_token.Paragraph.parse_setext = True
                    blocks.append(_unreadable_block(lines, wrapper, here, start, error))
                    break
                if result is not None:
                    end = start + wrapper.get_pos()
                    blocks.append(_make_block(token_type, result, here, end, lines))
                    break
            else:  # pragma: no cover - Paragraph.start accepts every non-blank line
                next(wrapper)


# An ATX heading, as mistletoe's Heading.start finds it: one line, which no block type tried before it
# takes (HTML starts with "<", indented code behind four columns). A byte order mark is left to mistletoe.
_ATX_HEADING = re.compile(r" {0,3}(#{1,6})(?:\s|$)")

# The blocks mistletoe reads by recursion, level by level of nesting.
_CONTAINERS = (block_token.List, _Quote)


def _unreadable_block(lines: Sequence[str], wrapper, here: int, start: int, error: Exception) -> Block:
    """A block mistletoe could not read: keep it as text up to a blank line."""
    index = here
    while index < len(lines) and lines[index].strip():
        index += 1
    reason = "nesting too deep" if isinstance(error, RecursionError) else type(error).__name__
    return _text_block(lines, wrapper, here, start, max(here, index - 1), reason)


def _text_block(lines: Sequence[str], wrapper, here: int, start: int, end: int, reason: str) -> Block:
    """Lines ``here``..``end`` kept as plain text, with a problem that says why; reading goes on after them."""
    wrapper.set_pos(end - start)
    return Block(
        kind="paragraph",
        start_line=here,
        end_line=end,
        problems=(
            Problem(
                span=Span(here, 0, end, len(lines[end])),
                code="unparsable-block",
                message=f"This block could not be read as Markdown ({reason}); its tasks are not checked.",
            ),
        ),
    )


def _trim_end(lines: Sequence[str], start: int, end: int) -> int:
    end = min(end, len(lines) - 1)
    while end > start and not lines[end].strip():
        end -= 1
    return end


def _make_block(token_type, result, first: int, end: int, lines: Sequence[str]) -> Block:
    """The block mistletoe read (``result``)."""
    end = _trim_end(lines, first, end)
    if token_type is block_token.Footnote:
        # Link reference definitions: mistletoe records them and makes no token of them.
        definitions = tuple((block_token.normalize_label(label), dest.strip()) for label, dest, *_ in result)
        return Block(kind="link-definition", start_line=first, end_line=end, link_definitions=definitions)
    try:
        token = token_type(result)
    except (RecursionError, IndexError, ValueError, TypeError, AttributeError) as error:
        reason = "nesting too deep" if isinstance(error, RecursionError) else type(error).__name__
        return Block(
            kind="paragraph",
            start_line=first,
            end_line=end,
            problems=(
                Problem(
                    span=Span(first, 0, end, len(lines[end])),
                    code="unparsable-block",
                    message=f"This block could not be read as Markdown ({reason}); its tasks are not checked.",
                ),
            ),
        )
    kind = _KIND.get(type(token), "paragraph")
    builder = _BlockBuilder(lines)
    if kind == "heading":
        heading = builder.heading(token.level, isinstance(token, block_token.SetextHeading), first, end)
        return Block(kind=kind, start_line=first, end_line=end, heading=heading)
    if kind == "list":
        loose_items: list[int] = []
        items = builder.list_items(token, end, quote_depth=0, min_col=0, loose_items=loose_items)
        problems = builder.problems + builder.dash_box_problems(first, end)
        return Block(
            kind=kind,
            start_line=first,
            end_line=end,
            items=tuple(items),
            problems=tuple(problems),
            inner_blocks=tuple(builder.inner_blocks),
            loose_items=tuple(loose_items),
        )
    if kind == "quote":
        items = builder.quote_items(token, end, quote_depth=1)
        problems = builder.problems + builder.dash_box_problems(first, end)
        # The quote's prose: its lines that belong to no list item and no code.
        in_items = {line for item in items for line in range(item.span.start_line, item.span.end_line + 1)}
        prose = [
            segment
            for segment in builder.paragraph_segments(first, end)
            if segment[0] not in in_items and segment[0] not in builder.code_lines
        ]
        return Block(
            kind=kind,
            start_line=first,
            end_line=end,
            items=tuple(items),
            refs=inline.scan(prose),
            problems=tuple(problems),
            inner_blocks=tuple(builder.inner_blocks),
        )
    if kind == "paragraph":
        refs = inline.scan(builder.paragraph_segments(first, end))
        return Block(
            kind=kind, start_line=first, end_line=end, refs=refs, problems=tuple(builder.dash_box_problems(first, end))
        )
    if kind == "table":
        # Tables hold tasks and references in their cells ("table-tasks" backlogs).
        refs = inline.scan(builder.paragraph_segments(first, end))
        return Block(kind=kind, start_line=first, end_line=end, refs=refs)
    return Block(kind=kind, start_line=first, end_line=end)


# --- plain lists ---------------------------------------------------------------------------------


def _plain_list_block(plain_items: list[plain_lists.PlainItem], first: int, last: int, lines: Sequence[str]) -> Block:
    """The list ``plain_lists`` read: the block ``_make_block`` builds from mistletoe's tokens for it.

    Every line of a plain list has one shape (``plain_lists``), so what ``_BlockBuilder`` finds by
    matching each line is known from that shape: a bullet at the item's indentation, one space,
    "[x] " or not, then the text; no checkbox problem, no blank line (the list is tight, no item
    loose), no code inside; each item ends where the next one at its level starts.
    """
    return Block(kind="list", start_line=first, end_line=last, items=_plain_items(plain_items, last, lines))


def _plain_items(plain_items: list[plain_lists.PlainItem], end: int, lines: Sequence[str]) -> tuple[Item, ...]:
    """The items of one plain list, the last of which ends at line ``end``."""
    items = []
    last_index = len(plain_items) - 1
    for index, plain in enumerate(plain_items):
        item_end = plain_items[index + 1].line - 1 if index < last_index else end
        line = plain.line
        source = lines[line]
        marker_start = plain.indentation
        marker_end = marker_start + 1
        if source[marker_end + 1 : marker_end + 2] == "[":  # "- [x] text": a checkbox, then one space
            checkbox = source[marker_end + 2]
            checkbox_span = new_span((line, marker_end + 1, line, marker_end + 4))
            text_start = marker_end + 5
        else:
            checkbox = checkbox_span = None
            text_start = marker_end + 1
        first_text = source[text_start:].rstrip()
        segments = [(line, text_start, first_text)]
        if plain.lines == 1:
            text, text_span = first_text, new_span((line, text_start, line, text_start + len(first_text)))
        else:
            for text_line in range(line + 1, line + plain.lines):
                continued = lines[text_line]
                lead = len(continued) - len(continued.lstrip(" "))
                segments.append((text_line, lead, continued[lead:].rstrip()))
            last_line, last_start, last_text = segments[-1]
            text = "\n".join([text for _, _, text in segments])
            text_span = new_span((line, text_start, last_line, last_start + len(last_text)))
        items.append(
            _new_item(  # by position through the slots (``construct``): there is an item per line
                new_span((line, marker_start, item_end, len(lines[item_end]))),  # span
                source[marker_start:marker_end],  # marker
                new_span((line, marker_start, line, marker_end)),  # marker_span
                marker_start,  # indent
                checkbox,
                checkbox_span,
                text,
                text_span,
                inline.scan(segments, bold_title=True),  # refs
                _plain_items(plain.children, item_end, lines) if plain.children else (),  # children
                0,  # quote_depth
                False,  # loose: a plain list is tight
                None,  # lineage, made when first asked for
            )
        )
    return tuple(items)


# --- list items ----------------------------------------------------------------------------------

_QUOTE_PREFIX = re.compile(r"(?:[ \t]*>)*[ \t]*")
_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]")
# A checkbox: one character between brackets, then white space or the end of the line.
# Letters other than x are not states ("- [a] option" is a plain bullet); any other character is.
_CHECKBOX = re.compile(r"([ \t]+)\[(?P<state>[^\]\s\w]|[ xX_])\](?=[ \t]|$)")
_CHECKBOX_NO_SPACE = re.compile(r"([ \t]+)\[(?P<state>[ xX])\](?=[^\s\](])")
# Kiro's spec tasks mark an optional task "- [ ]* 2.3 Write tests": a deliberate mark, not a missing space.
_OPTIONAL_MARK = re.compile(r"\*(?=[ \t]|$)")
_CHECKBOX_WRONG_WIDTH = re.compile(r"([ \t]+)\[(?P<inner>[ \t]*[xX]?[ \t]*)\](?=[ \t]|$)")
_DASH_BOX = re.compile(r"^(?P<lead>(?:[ \t]*>)*[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<box>\[[ xX]?\])")


class _BlockBuilder:
    def __init__(self, lines: Sequence[str]):
        self.lines = lines
        self.problems: list[Problem] = []
        self.code_lines: set[int] = set()
        self.inner_blocks: list[tuple[str, int, int]] = []

    # headings
    def heading(self, level: int, setext: bool, first: int, end: int) -> Heading:
        if setext:
            title_end_line = max(first, end - 1)
            segments = self.paragraph_segments(first, title_end_line)
            title_lines = segments
        else:
            text = self.lines[first]
            match = re.match(r"[ \t\ufeff]*#{1,6}(?:[ \t]+|$)", text)
            start = match.end() if match else 0
            body = text[start:]
            # A closing sequence of #s (preceded by a space) is not part of the title.
            body = re.sub(r"(?:^|[ \t]+)#+[ \t]*$", "", body).rstrip()
            title_lines = [(first, start, body)] if body else []
        refs = inline.scan(title_lines) if title_lines else References()
        title = "\n".join(text for _, _, text in title_lines)
        if title_lines:
            last_line, last_start, last_text = title_lines[-1]
            title_span = Span(title_lines[0][0], title_lines[0][1], last_line, last_start + len(last_text))
        else:
            title_span = Span(first, len(self.lines[first]), first, len(self.lines[first]))
        task_state, task_id = heading_task(title, title_span, refs)
        return Heading(
            span=Span(first, 0, end, len(self.lines[end])),
            level=level,
            title=title,
            title_span=title_span,
            number=heading_number(title),
            refs=refs,
            setext=setext,
            task_state=task_state,
            task_id=task_id,
        )

    # paragraphs
    def paragraph_segments(self, first: int, last: int) -> list[inline.Segment]:
        segments = []
        for line in range(first, last + 1):
            text = self.lines[line]
            lead = _QUOTE_PREFIX.match(text).end()
            body = text[lead:].rstrip()
            if body:
                segments.append((line, lead, body))
        return segments

    def dash_box_problems(self, first: int, end: int) -> list[Problem]:
        """``-[ ]`` and ``1.[x]``: a checkbox glued to its marker is not a list item at all."""
        found = []
        for line in range(first, end + 1):
            if line in self.code_lines:
                continue
            match = _DASH_BOX.match(self.lines[line])
            if match is None:
                continue
            start, stop = match.start("marker"), match.end("box")
            box = match.group("box")
            fixed_box = box if len(box) == 3 else "[ ]"
            found.append(
                Problem(
                    span=Span.on_line(line, start, stop),
                    code="checkbox-missing-space",
                    message=f"'{match.group('marker')}{box}' is not a task: a space must follow the list marker.",
                    replacement=f"{match.group('marker')} {fixed_box}",
                )
            )
        return found

    # lists
    def quote_items(self, quote, end: int, quote_depth: int) -> list[Item]:
        items: list[Item] = []
        children = list(quote.children or ())
        for index, child in enumerate(children):
            child_end = self._end_before(children, index, end)
            items.extend(self._items_in(child, child_end, quote_depth, 0))
        return items

    def _items_in(self, token, end: int, quote_depth: int, min_col: int) -> list[Item]:
        if isinstance(token, block_token.List):
            return self.list_items(token, end, quote_depth, min_col)
        if isinstance(token, block_token.Quote):
            return self.quote_items(token, end, quote_depth + 1)
        if isinstance(token, (block_token.CodeFence, block_token.BlockCode, block_token.HtmlBlock)):
            first = token.line_number - 1
            self.code_lines.update(range(first, end + 1))
            self.inner_blocks.append(("html" if isinstance(token, block_token.HtmlBlock) else "code", first, end))
        return []

    def _end_before(self, siblings: list, index: int, end: int) -> int:
        """The last line of ``siblings[index]``: before the next sibling, else the container's end."""
        if index + 1 < len(siblings):
            next_line = siblings[index + 1].line_number - 1
            return _trim_end(self.lines, siblings[index].line_number - 1, next_line - 1)
        return _trim_end(self.lines, siblings[index].line_number - 1, end)

    def list_items(self, list_token, end: int, quote_depth: int, min_col: int, loose_items: list[int] | None = None) -> list[Item]:
        """The list's items; the indices of those that make it loose are added to ``loose_items``."""
        items = []
        siblings = list(list_token.children or ())
        unplaced_loose = False
        for index, item_token in enumerate(siblings):
            item_end = self._end_before(siblings, index, end)
            item = self._item(item_token, item_end, quote_depth, min_col if index == 0 else 0, list_token.loose)
            if item is not None:
                if loose_items is not None and item_token.loose:
                    loose_items.append(len(items))
                items.append(item)
            else:
                unplaced_loose = unplaced_loose or item_token.loose
        if unplaced_loose and loose_items is not None:
            loose_items.clear()  # no item to say it: a loose list with no loose item is read whole after an edit
        return items

    def _item(self, token, end: int, quote_depth: int, min_col: int, loose: bool) -> Item | None:
        line = token.line_number - 1
        if not 0 <= line < len(self.lines):
            return None
        source = self.lines[line]
        prefix = _QUOTE_PREFIX.match(source, min_col)
        marker = _MARKER.match(source, prefix.end())
        if marker is None or marker.group() != token.leader:
            found = source.find(token.leader, min_col)
            if found < 0:
                return None
            marker_start, marker_end = found, found + len(token.leader)
        else:
            marker_start, marker_end = marker.start(), marker.end()
        checkbox = checkbox_span = None
        text_start = marker_end
        box = _CHECKBOX.match(source, marker_end)
        if box is not None:
            checkbox = box.group("state")
            box_start = box.start() + len(box.group(1))
            checkbox_span = Span.on_line(line, box_start, box.end())
            text_start = box.end()
        else:
            self._checkbox_problems(source, line, marker_end)
        while text_start < len(source) and source[text_start] in " \t":
            text_start += 1

        children_tokens = list(token.children or ())
        segments: list[inline.Segment] = []
        first_line_text = source[text_start:].rstrip()
        if first_line_text:
            segments.append((line, text_start, first_line_text))
        child_items: list[Item] = []
        for index, child in enumerate(children_tokens):
            child_end = self._end_before(children_tokens, index, end)
            child_line = child.line_number - 1
            if index == 0 and isinstance(child, block_token.Paragraph) and child_line == line:
                # The item's own text continues on the paragraph's following lines.
                segments.extend(self.paragraph_segments(line + 1, _paragraph_last_line(child, line, child_end)))
                continue
            same_line_col = text_start if child_line == line else 0
            child_items.extend(self._items_in(child, child_end, quote_depth, same_line_col))
        if segments:
            last_line, last_start, last_text = segments[-1]
            text_span = Span(line, text_start, last_line, last_start + len(last_text))
        else:
            text_span = Span.on_line(line, text_start, text_start)
        end = max(end, line)
        return Item(
            span=Span(line, marker_start, end, len(self.lines[end])),
            marker=source[marker_start:marker_end],
            marker_span=Span.on_line(line, marker_start, marker_end),
            indent=marker_start,
            checkbox=checkbox,
            checkbox_span=checkbox_span,
            text="\n".join(text for _, _, text in segments),
            text_span=text_span,
            refs=inline.scan(segments, bold_title=True),
            children=tuple(child_items),
            quote_depth=quote_depth,
            loose=bool(loose),
        )

    def _checkbox_problems(self, source: str, line: int, marker_end: int) -> None:
        glued = _CHECKBOX_NO_SPACE.match(source, marker_end)
        if glued is not None:
            start = glued.start() + len(glued.group(1))
            if _OPTIONAL_MARK.match(source, glued.end()):
                self.problems.append(
                    Problem(
                        span=Span.on_line(line, start, glued.end() + 1),
                        code="checkbox-optional-mark",
                        message=f"'[{glued.group('state')}]*' marks an optional task (Kiro's specs).",
                    )
                )
                return
            self.problems.append(
                Problem(
                    span=Span.on_line(line, start, glued.end()),
                    code="checkbox-missing-space",
                    message=f"'[{glued.group('state')}]' needs a space before the task text.",
                    replacement=f"[{glued.group('state')}] ",
                )
            )
            return
        wrong = _CHECKBOX_WRONG_WIDTH.match(source, marker_end)
        if wrong is not None:
            start = wrong.start() + len(wrong.group(1))
            written = source[start : wrong.end()]
            fixed = "[x]" if "x" in written.lower() else "[ ]"
            what = "an empty checkbox" if written == "[]" else f"'{written}' is not a checkbox"
            self.problems.append(
                Problem(
                    span=Span.on_line(line, start, wrong.end()),
                    code="checkbox-malformed",
                    message=f"{what[0].upper()}{what[1:]}: write '{fixed}'.",
                    replacement=fixed,
                )
            )


def _paragraph_last_line(paragraph, first: int, limit: int) -> int:
    """The last source line of a paragraph (mistletoe keeps its content, not its extent)."""
    content = paragraph.children[0].content if paragraph.children else ""
    return min(first + content.count("\n"), limit)


# --- headings written as tasks -------------------------------------------------------------------

# What may come before a task ID or after a checkbox at the start of a title: marks, emphasis, space.
_TITLE_LEAD = re.compile(r"[\s*_~✅✔☑✓\ufe0f]*")
_TITLE_BOX = re.compile(r"\[(?P<state>[ xX])\](?=\s)")
_LEADING_CHECK = re.compile(r"\s*[✅✔☑✓]")
# A check mark after some text ("Parser ✅"), DONE or COMPLETED in capitals, or a struck title. A
# check mark that only decorates the start of a title ("✅ Success Criteria") is not one.
_DONE_MARK = re.compile(r"[^\s✅✔☑✓].*[✅✔☑✓]|\b(?:DONE|COMPLETED?)\b")
_STRUCK = re.compile(r"~~[^~].*~~")
# A qualifier that takes the done back: "CODE COMPLETE, not yet wired", "Parser ✅ (partially)".
_NOT_DONE = re.compile(r"\bnot\s+(?:yet|done|complete)|\bpartial(?:ly)?\b|\bin[\s-]progress\b|\bWIP\b|[🚧⏳]", re.IGNORECASE)


def heading_task(title: str, title_span: Span, refs: References) -> tuple[str | None, TaskId | None]:
    """Whether a heading is a task, "x" (done) or " " (open), and the task ID its title starts with.

    A heading is a task when its title starts with a checkbox (``[x] Ship v1``) or a task ID
    (``Task 1.1: Parser``, ``✅ Task 2.3``, ``T012 [P] Add tests``), or when it carries a status
    mark (``Phase 1 ✅``, DONE, COMPLETED) or is struck through (``~~Old plan~~``). It is done
    when its box is ticked or a status mark, a strike or a check mark before its ID says so.
    """
    lead = _TITLE_LEAD.match(title).end()
    box = _TITLE_BOX.match(title, lead)
    task_id = None
    if box is None and refs.task_ids:
        first = refs.task_ids[0]
        if first.span.start_line == title_span.start_line and first.span.start_col == title_span.start_col + lead:
            task_id = first
    done = (_DONE_MARK.search(title) is not None and _NOT_DONE.search(title) is None) or _STRUCK.fullmatch(
        title.strip()
    ) is not None
    if box is not None:
        return ("x" if box.group("state") in "xX" or done else " "), None
    if task_id is not None:
        return ("x" if done or _LEADING_CHECK.match(title) else " "), task_id
    return ("x", None) if done else (None, None)


# --- heading numbers --------------------------------------------------------------------------------

_HEADING_NUMBER = re.compile(
    r"^[^\w]*(?:(?:phase|epoch|stage|milestone|sprint|step|part|task|release|iteration|week|wave|"
    r"level|chapter|section|tier|track|round|cycle|m|v)[ \t]*[-#]?[ \t]*)?"
    r"(?P<number>\d+(?:\.\d+)*[a-z]?)(?![\w]|\.\d)",
    re.IGNORECASE,
)


def heading_number(title: str) -> str | None:
    """The number a heading gives its section: "Phase 14: x" -> "14", "0.1 Foo" -> "0.1"."""
    match = _HEADING_NUMBER.match(title.replace("*", "").replace("_", " "))
    return match.group("number") if match else None
