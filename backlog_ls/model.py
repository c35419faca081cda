"""The backlog model: frozen plain values, no Markdown library and no LSP types.

Positions are 0-based lines and 0-based columns counted in Unicode code points;
an end column is exclusive. Conversion to the client's position encoding
happens in one place only (``text.py`` / ``convert.py``).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, partial
from typing import NamedTuple

import attrs


class Span(NamedTuple):
    """A range of text: (start_line, start_col) up to (end_line, end_col), end exclusive.

    A NamedTuple rather than an attrs class: spans are the most numerous objects
    in a model and shifting a block after an edit re-creates them, so they must be cheap.
    """

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @classmethod
    def on_line(cls, line: int, start: int, end: int) -> Span:
        return cls(line, start, line, end)

    def shifted(self, lines: int) -> Span:
        start_line, start_col, end_line, end_col = self
        # tuple.__new__, not the Python-level ``Span.__new__``: an Enter moves every span below it.
        return tuple.__new__(Span, (start_line + lines, start_col, end_line + lines, end_col))

    def contains(self, line: int, col: int) -> bool:
        """True when (line, col) lies inside the span or touches its end (a cursor after a word)."""
        return (self.start_line, self.start_col) <= (line, col) <= (self.end_line, self.end_col)

    def encloses(self, other: Span) -> bool:
        return (self.start_line, self.start_col) <= (other.start_line, other.start_col) and (
            other.end_line,
            other.end_col,
        ) <= (self.end_line, self.end_col)


# ``Span(a, b, c, d)`` runs the Python-level ``__new__`` NamedTuple generates; the parser makes some
# 30,000 spans for a 2,000-task backlog, and this makes the same tuple in C: ``new_span((a, b, c, d))``.
new_span = partial(tuple.__new__, Span)


def _shift(value, lines: int):
    """Return a copy of a model value with every Span in it moved down by ``lines``."""
    if isinstance(value, Span):
        return value.shifted(lines)
    if isinstance(value, tuple):
        return tuple(_shift(v, lines) for v in value)
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            current = getattr(value, field.name)
            if isinstance(current, (Span, tuple)) or attrs.has(type(current)):
                changes[field.name] = _shift(current, lines)
            elif field.name in ("line", "start_line", "end_line"):
                changes[field.name] = current + lines
        return attrs.evolve(value, **changes)
    return value


def shifted(value, lines: int):
    """Move a model value (or tuple of values) down by ``lines`` lines; identity when 0."""
    return value if lines == 0 else _shift(value, lines)


# --- references found in task text, headings and prose -------------------------------------


@attrs.frozen
class IssueRef:
    """A reference to a tracker issue or pull request.

    ``style`` says how it was written: ``hash`` (#12), ``word`` (Issue #12, PR #12),
    ``gh`` (GH-12), ``qualified`` (owner/repo#12), ``url`` (a tracker URL) or
    ``link`` ([#12](url)) or ``key`` (a Jira or Linear key, ``ABC-123``: ``project`` is "ABC").
    ``prefix`` keeps the word before ``#`` as written ("Issue").
    """

    span: Span
    number: int
    style: str
    text: str
    prefix: str = ""
    owner: str | None = None
    repo: str | None = None
    host: str | None = None
    url: str | None = None
    is_pull: bool = False
    project: str | None = None  # style "key": the project or team key before the dash

    @property
    def key(self) -> str | None:
        """``ABC-123`` for a key reference, else None."""
        return f"{self.project}-{self.number}" if self.project is not None else None


@attrs.frozen
class Placeholder:
    """A stand-in for an issue that is not filed yet: ``#TBD``, ``#TODO``, ``#?``, ``#XXX``, ``#n``."""

    span: Span
    text: str
    prefix: str = ""


@attrs.frozen
class TaskId:
    """A task identifier such as ``Task 2.3`` or ``T10``; ``number`` is the part after the word."""

    span: Span
    text: str
    number: str


@attrs.frozen
class RfcRef:
    """A design document reference: an IETF RFC (``RFC 2378``) or a project RFC file link."""

    span: Span
    number: int
    kind: str  # "ietf" | "project"
    text: str
    target: str | None = None


@attrs.frozen
class Link:
    """A Markdown inline link or image: ``[text](target)``."""

    span: Span
    text: str
    text_span: Span
    target: str
    target_span: Span
    is_image: bool = False


@attrs.frozen
class Blocker:
    """Something a task waits for, as written: "blocked by #12", "depends on Task 3.1", "after T10",
    "requires #5", "needs Task 2.1", or Obsidian Tasks' "⛔ abc123".

    ``kind`` is ``task`` (a task ID: ``name`` is "Task 3.1", "T10"), ``issue`` (``issue`` is the
    reference) or ``id`` (an Obsidian Tasks id, the ``🆔 abc123`` of another task). ``span``
    covers the name only.
    """

    span: Span
    kind: str
    name: str
    issue: IssueRef | None = None


@attrs.frozen
class DependencyId:
    """An Obsidian Tasks id that names a task for others' ``⛔``: ``🆔 abc123``; ``span`` covers the id."""

    span: Span
    name: str


@attrs.frozen
class References:
    """Everything the inline scanner found in one run of text."""

    issues: tuple[IssueRef, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()
    task_ids: tuple[TaskId, ...] = ()
    rfcs: tuple[RfcRef, ...] = ()
    links: tuple[Link, ...] = ()
    # Words shaped like a tracker key (``ABC-123``, but also ``UTF-8``, ``SHA-1``): only those of a
    # configured Jira project or Linear team are issues (``features.issues.tracker_refs``).
    keys: tuple[IssueRef, ...] = ()
    title: str | None = None  # a bold lead title: "**Merge Binaries**:" -> "Merge Binaries"
    title_span: Span | None = None
    blockers: tuple[Blocker, ...] = ()  # what the text says it waits for ("blocked by #12")
    dependency_ids: tuple[DependencyId, ...] = ()  # "🆔 abc123"

    def __bool__(self) -> bool:
        return bool(
            self.issues or self.placeholders or self.task_ids or self.rfcs or self.links or self.keys or self.blockers or self.dependency_ids
        )


NO_REFERENCES = References()


# --- structure --------------------------------------------------------------------------------


# A list with this many top-level items is read again item by item around an edit
# (``parse.reparse``), which keeps the items it did not touch: what derives from such a list
# (rule findings, task facts, index summaries, cross-file uses) is therefore remembered per item.
LONG_LIST_ITEMS = 24


class Lineage:
    """What a block (or a top-level list item) and its copies moved by whole lines share (``parse.shift``): the same text.

    Values that do not depend on where the block sits are remembered per lineage
    (``memo.BlockMemo(across_moves=True)``); an item gets its lineage when first moved
    (``lineage_of``), since most items never are.
    """

    __slots__ = ("__weakref__", "values")

    def __init__(self) -> None:
        # What ``memo.LineageMemo``s remember for this text, by memo: it goes with the lineage.
        # Never a value that holds the items or blocks of this lineage (that would be a cycle).
        self.values: dict | None = None


@attrs.frozen
class Item:
    """A list item; a task when it has a checkbox.

    ``checkbox`` is the character between the brackets exactly as written
    (" ", "x", "X", "~", "-", ...), or None for a plain bullet.
    ``span`` covers the whole item including its children;
    ``text_span`` covers the item's own text (after the checkbox) up to its first child block.
    """

    span: Span
    marker: str
    marker_span: Span
    indent: int  # column of the marker, in code points
    checkbox: str | None
    checkbox_span: Span | None
    text: str
    text_span: Span
    refs: References
    children: tuple[Item, ...] = ()
    quote_depth: int = 0
    loose: bool = False
    # Shared with the copies of this item moved by whole lines; None until first asked for (``lineage_of``).
    lineage: Lineage | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    # What ``memo.BlockMemo``s remember for this very item, by memo (not copied by a move: init=False).
    memos: dict | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def is_task(self) -> bool:
        return self.checkbox is not None

    @property
    def is_checked(self) -> bool:
        return self.checkbox in ("x", "X")

    @property
    def line(self) -> int:
        return self.span.start_line

    @property
    def first_line_text(self) -> str:
        return self.text.split("\n", 1)[0]

    def walk(self) -> Iterator[Item]:
        """This item and every descendant, depth first in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


def lineage_of(item: Item) -> Lineage:
    """The lineage of ``item``, made on first use: a cache, like ``Block.walk``, so set on the frozen item."""
    lineage = item.lineage
    if lineage is None:
        lineage = Lineage()
        object.__setattr__(item, "lineage", lineage)
    return lineage


def first_tasks(items: Iterable[Item]) -> Iterator[Item]:
    """The tasks among ``items`` and, below plain bullets, the first tasks down each branch (not their subtasks).

    A parent task's subtasks are ``first_tasks(task.children)``: a bullet that only groups
    tasks is not a level of its own.
    """
    stack = list(reversed(tuple(items)))
    while stack:
        node = stack.pop()
        if node.is_task:
            yield node
        else:
            stack.extend(reversed(node.children))


@attrs.frozen
class Heading:
    """An ATX or setext heading at the top level of the document."""

    span: Span
    level: int
    title: str
    title_span: Span
    number: str | None  # "14" in "Phase 14:", "99e", "0.1"; None when the title has no number
    refs: References
    setext: bool = False
    # A heading written as a task ("### Task 1.1: Parser ✅", "## [x] Ship v1", "#### T012 Add
    # tests"): "x" when it says done, " " when open, None for a plain section heading.
    task_state: str | None = None
    task_id: TaskId | None = None  # the task ID the title starts with, if any

    @property
    def is_task(self) -> bool:
        return self.task_state is not None

    @property
    def is_checked(self) -> bool:
        return self.task_state == "x"


@attrs.frozen
class Problem:
    """Something malformed the parser noticed; rules turn these into diagnostics."""

    span: Span
    code: str  # a stable kebab-case name, e.g. "checkbox-missing-space"
    message: str
    replacement: str | None = None  # text that repairs ``span``, when one is certain


@attrs.frozen(eq=False)
class Block:
    """One top-level Markdown block, the unit of incremental re-parsing.

    ``kind`` is one of heading, list, paragraph, quote, code, html, table, thematic-break,
    link-definition, front-matter, blank. ``start_line``..``end_line`` are inclusive.

    A block an edit above it moved by whole lines (``parse.shift``) moves its items only when
    they are first read (``moved_from``): after an Enter in a 20,000-task backlog some 10,000
    items lie below it, and what reads them after a keystroke (the rules, the answers) finds
    most of what it needs by the block's lineage, without the items.
    """

    kind: str
    start_line: int
    end_line: int
    heading: Heading | None = None
    # The items, or None until first read for a block moved from another (``items``).
    _items: tuple[Item, ...] | None = attrs.field(default=(), alias="items", repr=False)
    refs: References = NO_REFERENCES  # references in a paragraph or table (prose)
    problems: tuple[Problem, ...] = ()
    link_definitions: tuple[tuple[str, str], ...] = ()  # (label, target)
    # Code and HTML blocks inside this list or quote, as GitHub shows them: ("code" | "html",
    # first line, last line). Their lines hold no tasks, headings or references.
    inner_blocks: tuple[tuple[str, int, int], ...] = ()
    # A list's items that make it loose, by index: an item whose content, with the blank lines before
    # the next item, holds a blank line outside its child blocks (mistletoe's reading; a last item
    # counts only with two blocks). The list is loose when there is one, and an edit inside a long
    # list recomputes that from these without reading the whole list (``parse._reparse_in_list``).
    loose_items: tuple[int, ...] = ()
    # Every item of the block with its parent, depth first (``walk_items``): computed once per block
    # so that rules walking a 20,000-task document after each keystroke only concatenate these.
    # Given only by a re-parse that keeps most items of a long list, with the old walk's pairs for them.
    _walk: tuple[tuple[Item, Item | None], ...] | None = attrs.field(default=None, alias="walk", repr=False, kw_only=True)
    lineage: Lineage = attrs.field(factory=Lineage, repr=False, kw_only=True)
    # What ``memo.BlockMemo``s remember for this very block, by memo (not copied by a move: init=False).
    memos: dict | None = attrs.field(default=None, init=False, repr=False)
    # (a block whose items are read, lines): this block is that one moved down by so many lines,
    # its items not moved yet; None once they are (or for a block read from the text).
    moved_from: tuple[Block, int] | None = attrs.field(default=None, repr=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self._walk is None and self._items is not None:
            object.__setattr__(self, "_walk", walk_items(self._items))

    @property
    def items(self) -> tuple[Item, ...]:
        items = self._items
        return items if items is not None else self._move_items()[0]

    @property
    def walk(self) -> tuple[tuple[Item, Item | None], ...]:
        walk = self._walk
        return walk if walk is not None else self._move_items()[1]

    def _move_items(self) -> tuple[tuple[Item, ...], tuple[tuple[Item, Item | None], ...]]:
        """The items of the block moved from, moved here, with their walk: once, whichever thread asks
        first (under a lock, so that every reader sees the very same items)."""
        from .parse.shift import shift_item

        with _MOVING:
            if self._items is None:
                source, delta = self.moved_from  # type: ignore[misc]
                items = tuple([shift_item(item, delta) for item in source.items])
                object.__setattr__(self, "_walk", walk_items(items))
                object.__setattr__(self, "_items", items)
                object.__setattr__(self, "moved_from", None)  # let the source go
            return self._items, self._walk  # type: ignore[return-value]

    @property
    def unmoved(self) -> Block:
        """This block, or, while its items are not moved yet, the block they are moved from: the same
        text, so the same items but for their lines (``moved_from`` is cleared only after the items are set)."""
        source = self.moved_from
        return self if source is None else source[0]

    @property
    def item_count(self) -> int:
        """How many top-level items the block holds, without moving those of a moved block."""
        return len(self.unmoved.items)

    @property
    def has_items(self) -> bool:
        """Whether the block holds list items, without moving those of a moved block."""
        items = self._items
        return bool(items) if items is not None else True

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Block:
            return NotImplemented
        # The fields attrs would compare, the items last (those of a moved block are moved to compare them).
        return self is other or all(getattr(self, name) == getattr(other, name) for name in _BLOCK_EQUALITY)

    def __hash__(self) -> int:
        return hash((self.kind, self.start_line, self.end_line))


_MOVING = threading.Lock()
_BLOCK_EQUALITY = ("kind", "start_line", "end_line", "heading", "refs", "problems", "link_definitions", "inner_blocks", "loose_items", "items")


def walk_items(items: Iterable[Item]) -> tuple[tuple[Item, Item | None], ...]:
    """Every item of ``items`` and below them with its parent (None at the top), depth first."""
    pairs: list[tuple[Item, Item | None]] = []
    append = pairs.append
    for item in items:
        append((item, None))
        if item.children:  # most items have none: no stack for them
            stack = [(child, item) for child in reversed(item.children)]
            while stack:
                node, parent = stack.pop()
                append((node, parent))
                if node.children:
                    stack.extend([(child, node) for child in reversed(node.children)])
    return tuple(pairs)


@attrs.frozen
class Section:
    """A heading and everything under it up to the next heading of the same or a higher level."""

    heading: Heading
    span: Span
    items: tuple[Item, ...]  # top-level list items directly in this section (not in subsections)
    children: tuple[Section, ...] = ()

    @property
    def title(self) -> str:
        return self.heading.title

    @property
    def is_task(self) -> bool:
        """A section whose heading is a task: its own tasks (and subsections' tasks) are its subtasks."""
        return self.heading.is_task

    @property
    def number(self) -> str | None:
        return self.heading.number

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()

    def tasks(self) -> Iterator[Item]:
        """Every task directly in this section, nested ones included, not those of subsections."""
        for item in self.items:
            for node in item.walk():
                if node.is_task:
                    yield node


class Backlog:
    """A parsed document: its lines, its top-level blocks and what derives from them.

    Immutable by convention: an edit produces a new Backlog that shares every
    untouched Block with the old one (see ``parse.incremental``).
    """

    __slots__ = ("lines", "blocks", "__dict__")

    def __init__(self, lines: tuple[str, ...] | list[str], blocks: tuple[Block, ...]):
        self.lines = lines
        self.blocks = blocks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Backlog) and list(self.lines) == list(other.lines) and self.blocks == other.blocks

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def headings(self) -> tuple[Heading, ...]:
        return tuple(block.heading for block in self.blocks if block.heading is not None)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Top-level list items of the whole document, in order (children hang below them)."""
        return tuple(item for block in self.blocks for item in block.items)

    @cached_property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for block in self.blocks for problem in block.problems)

    @cached_property
    def link_definitions(self) -> dict[str, str]:
        """Reference-style link definitions, label (case-folded) to target; the first one wins."""
        found: dict[str, str] = {}
        for block in self.blocks:
            for label, target in block.link_definitions:
                found.setdefault(label, target)
        return found

    @cached_property
    def item_pairs(self) -> list[tuple[Item, Item | None]]:
        """Every list item with its parent item (None at the top), depth first."""
        pairs: list[tuple[Item, Item | None]] = []
        for block in self.blocks:
            pairs.extend(block.walk)
        return pairs

    @cached_property
    def has_tasks(self) -> bool:
        """Whether any list item is a task: asked after every keystroke (``is_backlog``), so a block an
        Enter moved is answered for by the block it was moved from, the same text, without moving its items."""
        for block in self.blocks:
            read = block.unmoved
            if read.has_items and any(item.checkbox is not None for item, _ in read.walk):
                return True
        return False

    @cached_property
    def task_list(self) -> list[Item]:
        return [item for item, _ in self.item_pairs if item.checkbox is not None]

    def walk_items(self) -> Iterator[tuple[Item, Item | None]]:
        return iter(self.item_pairs)

    def tasks(self) -> Iterator[Item]:
        return iter(self.task_list)

    def references(self) -> Iterator[References]:
        """The references of every heading, list item and paragraph, in document order."""
        for block in self.blocks:
            if block.heading is not None:
                yield block.heading.refs
            if block.refs:
                yield block.refs
            for item in block.items:
                for node in item.walk():
                    if node.refs:
                        yield node.refs

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """The heading tree: top-level sections, each holding its items and subsections."""
        return _build_sections(self)

    @cached_property
    def preamble_items(self) -> tuple[Item, ...]:
        """List items before the first heading."""
        found = []
        for block in self.blocks:
            if block.heading is not None:
                break
            found.extend(block.items)
        return tuple(found)

    def block_at(self, line: int) -> Block | None:
        """The top-level block that holds ``line``, found by bisection."""
        starts = self.__dict__.get("_block_starts")
        if starts is None:
            starts = self.__dict__["_block_starts"] = [block.start_line for block in self.blocks]
        index = bisect.bisect_right(starts, line) - 1
        if index >= 0 and line <= self.blocks[index].end_line:
            return self.blocks[index]
        return None

    def section_at(self, line: int) -> Section | None:
        """The innermost section whose span holds ``line``."""
        found = None
        candidates = self.sections
        while True:
            inner = next((s for s in candidates if s.span.start_line <= line <= s.span.end_line), None)
            if inner is None:
                return found
            found, candidates = inner, inner.children

    def last_content_line(self, before: int) -> int:
        """The last line before ``before`` that is not blank, or ``before - 1`` when all are blank."""
        return last_content_line(self.lines, before)


def last_content_line(lines: Sequence[str], before: int) -> int:
    """The last of ``lines`` before ``before`` that is not blank (line 0 at the least)."""
    line = before - 1
    while line > 0 and not lines[line].strip():
        line -= 1
    return line


def section_span(heading: Heading, next_line: int, lines: Sequence[str]) -> Span:
    """A section's span: from its heading to the last line with text before ``next_line`` (the
    next heading of its level or above, or the end), the whole of that line included."""
    end = max(heading.span.end_line, last_content_line(lines, next_line))
    return Span(heading.span.start_line, 0, end, len(lines[end]) if end < len(lines) else 0)


def section_spans(blocks: Sequence[Block], lines: Sequence[str]) -> list[Span]:
    """The span of each heading's section (in the order of ``Backlog.headings``), as
    ``Backlog.sections`` measures it, without building the tree: that reads every block's items,
    and after an Enter those of every block below it are made only when first read."""
    headings = [block for block in blocks if block.heading is not None]
    spans: list[Span] = [None] * len(headings)  # type: ignore[list-item]
    open_sections: list[int] = []  # indexes into ``headings``, levels rising

    def close(level: int, next_line: int) -> None:
        while open_sections and headings[open_sections[-1]].heading.level >= level:  # type: ignore[union-attr]
            index = open_sections.pop()
            spans[index] = section_span(headings[index].heading, next_line, lines)  # type: ignore[arg-type]

    for index, block in enumerate(headings):
        close(block.heading.level, block.start_line)  # type: ignore[union-attr]
        open_sections.append(index)
    close(0, len(lines))
    return spans


def _build_sections(backlog: Backlog) -> tuple[Section, ...]:
    # Each open section: [heading, items, children, start block index]
    last_line = len(backlog.lines) - 1
    roots: list[Section] = []
    stack: list[tuple[Heading, list[Item], list[Section]]] = []

    def close(until_level: int, next_line: int) -> None:
        while stack and stack[-1][0].level >= until_level:
            heading, items, children = stack.pop()
            section = Section(
                heading=heading,
                span=section_span(heading, next_line, backlog.lines),
                items=tuple(items),
                children=tuple(children),
            )
            (stack[-1][2] if stack else roots).append(section)

    for block in backlog.blocks:
        if block.heading is not None:
            close(block.heading.level, block.start_line)
            stack.append((block.heading, [], []))
        elif block.items and stack:
            stack[-1][1].extend(block.items)
    close(0, last_line + 1)
    return tuple(roots)
