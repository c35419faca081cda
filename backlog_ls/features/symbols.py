"""The document outline: sections holding their task trees.

Sections nest by heading level; under a section come its tasks, each with the
tasks nested below it. A plain bullet appears only when tasks hang below it
(it groups them, so the outline keeps that grouping); other bullets are prose.
Items before the first heading come first, at the top level. A task's detail is its
state ("done", "open", a state's meaning such as "in progress", or the box as written,
"[*]"); a section's is its progress ("3/5 done"), the figure the progress hints show
(``features.progress``): a cancelled task is left out of the total. A heading written as a task ("### Task 1.1: Parser ✅") is a
task whose subtasks are its section's: its detail is its state and their progress
("done, 3/5 done").

A keystroke re-parses one block and the editor asks for the outline again: each list
block's entries and task counts are remembered per block (``BlockSymbols``), and each
section's, its subsections included, per section while none of its blocks changed
(``SectionSymbols``, ``features.regions``): only the sections around the edit are walked
again, and their JSON joined again from the remembered parts (``convert.outline_json``). A long list,
one block, keeps its entries per run of its items (``features.list_runs``), so a keystroke inside it
builds one run's entries again, not the list's. A backlog with more than
``OUTLINE_ITEM_LIMIT`` task entries is outlined by its sections alone (each still with its
progress): an outline of 40,000 tasks is megabytes per keystroke that no one scrolls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..config import Settings
from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import Backlog, Block, Item, Span, shifted
from ..states import state_meanings
from . import list_runs, regions
from .progress import Counts, progress

SECTION = "section"
TASK = "task"
BULLET = "bullet"

DONE = "done"
OPEN = "open"

# More task entries than this and the outline lists sections only.
OUTLINE_ITEM_LIMIT = 10_000


@attrs.frozen
class Symbol:
    """One outline entry. ``span`` is its whole extent, ``selection_span`` its name."""

    name: str
    kind: str  # SECTION | TASK | BULLET
    detail: str | None
    span: Span
    selection_span: Span
    children: tuple[Symbol, ...] = ()


@attrs.frozen(eq=False)
class BlockSymbols:
    """The outline entries of one block's task trees and its task counts, remembered per block.

    Remembered across moves: the symbols' spans are as of ``first_line``, where the block
    was when they were built. ``key`` names the state meanings they were built with.
    A long list's are kept per run of its items instead (``runs()``, ``features.list_runs``):
    its ``symbols`` are None, and built item by item only when spelled out.
    """

    block: Block
    symbols: tuple[Symbol, ...] | None
    first_line: int
    entries: int  # symbols, nested ones included
    key: tuple
    _request: _Request | None = attrs.field(default=None, repr=False)  # a long list's

    def spelled_out(self) -> tuple[Symbol, ...]:
        """The symbols with spans where the block is now."""
        symbols, first = self.symbols, self.first_line
        if symbols is None:
            request = self._request
            remembered = _remembered(self.block, self.key)
            symbols, first = _block_item_symbols(self.block, remembered, request.lines, request.meanings, self.key), remembered[1]  # type: ignore[union-attr]
        return shifted(symbols, self.block.start_line - first)

    def runs(self) -> list[RunSymbols]:
        """A long list's entries, run by run (those with entries)."""
        request, key = self._request, self.key
        found = []
        for run, items, delta in list_runs.list_runs(self.block).each(self.block):
            entries = _run_entries(run, items, key)
            if entries:
                found.append(RunSymbols(run, items, entries, request, delta))  # type: ignore[arg-type]
        return found


@attrs.frozen(eq=False)
class RunSymbols:
    """The outline entries of one run of a long list's items (``features.list_runs``): ``run`` is the
    same object while they are, and ``convert.outline_json`` keeps their JSON on it."""

    run: list_runs.Run
    items: tuple[Item, ...]
    entries: int
    _request: _Request = attrs.field(repr=False)
    delta: int = 0  # how many lines below ``items`` the run is (the items of the block it was moved from)

    @property
    def start_line(self) -> int:
        return self.items[0].span.start_line + self.delta

    @property
    def key(self) -> tuple:
        return self._request.key

    def symbols(self) -> list[Symbol]:
        """The run's entries where it is now, built afresh."""
        request = self._request
        if not self.delta:
            return _item_symbols(self.items, request.lines, request.meanings)
        # Built where the items lie, from the lines that were there: the same text, moved.
        lines = _LinesAbove(request.lines, self.delta)
        return [shifted(symbol, self.delta) for symbol in _item_symbols(self.items, lines, request.meanings)]


class _LinesAbove(Sequence[str]):
    """The document's lines as they were ``delta`` lines up: where the items of the block a copy
    was moved from read them (the same text, moved by whole lines)."""

    def __init__(self, lines: Sequence[str], delta: int) -> None:
        self._lines, self._delta = lines, delta

    def __len__(self) -> int:
        return len(self._lines) - self._delta

    def __getitem__(self, line):  # type: ignore[override]
        return self._lines[line + self._delta]


_RUN_ENTRIES = LineageMemo()  # run -> how many entries its items make, under the state meanings


def _run_entries(run: list_runs.Run, items: tuple[Item, ...], key: tuple) -> int:
    found = _RUN_ENTRIES.peek(run, key)
    if found is MISSING:
        found = _RUN_ENTRIES.put(run, sum(map(_entries, items)), key)
    return found


# block lineage -> [symbols (MISSING until asked for), first line, entries]; no block
# in it, or it would live forever
_BLOCK_SYMBOLS = BlockMemo(across_moves=True)


def document_symbols(backlog: Backlog, settings: Settings | None = None) -> list[Symbol]:
    """The outline as Symbols (every entry spelled out)."""
    found: list[Symbol] = []
    for entry in outline(backlog, settings):
        if isinstance(entry, BlockSymbols):
            found.extend(entry.spelled_out())
        else:
            found.append(_spelled_out(entry))
    return found


@attrs.define(eq=False)
class _Request:
    """What one outline request reads, shared by its ``SectionSymbols``."""

    lines: Sequence[str]
    meanings: dict[str, str]
    key: tuple
    index: regions.Index
    figures: Mapping[int, Counts]
    with_tasks: bool = True  # known once every section's entries are counted


@attrs.define(eq=False)
class SectionSymbols:
    """A section's outline entry in this snapshot: its own ``symbol()`` and its ``children()``
    (its blocks' ``BlockSymbols``, then its subsections').

    ``region`` is the same object from one snapshot to the next while none of the section's
    blocks changed (``features.regions``): ``convert.outline_json`` remembers the section's
    JSON by it, and a section found again is neither walked nor encoded again.
    """

    position: int  # among the sections, in document order
    span: Span
    region: regions.Region
    _request: _Request = attrs.field(repr=False)
    _subsections: list[SectionSymbols] | None = attrs.field(default=None, repr=False)

    @property
    def start_line(self) -> int:
        return self.span.start_line

    @property
    def with_tasks(self) -> bool:
        """Whether the outline lists tasks (``OUTLINE_ITEM_LIMIT``), or sections alone."""
        return self._request.with_tasks

    def symbol(self) -> Symbol:
        """The section's own entry, without children; its detail is its progress (subsections included)."""
        heading = self._request.index.heading(self.position)
        figure = self._request.figures.get(heading.span.start_line)
        progress_text = f"{figure.done}/{figure.total} done" if figure is not None and figure.total else None
        detail = progress_text
        if heading.is_task:
            # A heading written as a task: its state, then its subtasks' progress.
            state = DONE if heading.is_checked else OPEN
            detail = f"{state}, {progress_text}" if progress_text else state
        return Symbol(
            name=_one_line(heading.title) or "(untitled section)",
            kind=TASK if heading.is_task else SECTION,
            detail=detail,
            span=self.span,
            selection_span=heading.title_span,
        )

    def subsections(self) -> list[SectionSymbols]:
        if self._subsections is None:
            self._subsections = _subsections(self._request, self.position)
        return self._subsections

    def children(self) -> list[BlockSymbols | SectionSymbols]:
        request = self._request
        found: list[BlockSymbols | SectionSymbols] = []
        if request.with_tasks:
            for block in _direct_blocks(request.index, self.position):
                if block.has_items:
                    entry = _block_entry(block, _remembered(block, request.key), request)
                    if entry.entries:
                        found.append(entry)
        found.extend(self.subsections())
        return found


# block lineage -> [symbols (MISSING until asked for), first line, entries]; no block
# in it, or it would live forever
_BLOCK_SYMBOLS = BlockMemo(across_moves=True)
# section heading's block lineage -> its ``Region``, whose ``value`` is its subtree's entries
_REGIONS = regions.Regions()


def outline(backlog: Backlog, settings: Settings | None = None) -> list[BlockSymbols | SectionSymbols]:
    """The outline: the blocks before the first heading, each as one ``BlockSymbols``, then the
    top-level sections as ``SectionSymbols`` (``convert.outline_json`` encodes each block and
    each section once, and again only when it changes)."""
    meanings = state_meanings(settings)
    key = tuple(sorted(meanings.items()))
    index = regions.index(backlog)
    request = _Request(backlog.lines, meanings, key, index, progress(backlog, settings).sections)
    before = [(block, _remembered(block, key)) for block in index.blocks[: index.end(0)] if block.has_items]
    roots = _subsections(request, -1)
    entries = sum(remembered[2] for _, remembered in before) + sum(root.region.value for root in roots)
    request.with_tasks = entries <= OUTLINE_ITEM_LIMIT
    top: list[BlockSymbols | SectionSymbols] = []
    for block, remembered in before if request.with_tasks else ():  # sections alone: no block shows
        entry = _block_entry(block, remembered, request)
        if entry.entries:
            top.append(entry)
    top.extend(roots)
    return top


def _direct_blocks(index: regions.Index, position: int) -> tuple[Block, ...]:
    """The blocks of section ``position`` before its first subsection."""
    return index.blocks[index.heads[position] + 1 : index.end(position + 1)]


def _section_entry(request: _Request, position: int) -> SectionSymbols:
    index = request.index
    found = _REGIONS.find(index, position, request.key, lambda span: _shape(request, span))
    if found is not None:
        return SectionSymbols(position, found[1], found[0], request)  # type: ignore[arg-type]
    subsections = _subsections(request, position)
    entries = sum(entry.region.value for entry in subsections)
    for block in _direct_blocks(index, position):
        if block.has_items:
            entries += _remembered(block, request.key)[2]
    sections = 1 + sum(entry.region.sections for entry in subsections)
    span = index.span(position, sections)
    region = _REGIONS.remember(index, position, sections, _shape(request, span), entries, request.key, span)
    return SectionSymbols(position, span, region, request, subsections)


def _subsections(request: _Request, position: int) -> list[SectionSymbols]:
    """The subsections of a section walked again (-1: the top-level sections)."""
    return _REGIONS.subsections(
        request.index, position, request.key, lambda at: _section_entry(request, at), lambda at, region, span: SectionSymbols(at, span, region, request), True
    )


def _shape(request: _Request, span: Span) -> tuple:
    """What a section's entry reads besides its blocks: its last line, where, and its progress."""
    lines = request.lines
    last = lines[span.end_line] if span.end_line < len(lines) else None
    return span.end_line - span.start_line, last, request.figures.get(span.start_line)


def _remembered(block: Block, key: tuple) -> list:
    remembered = _BLOCK_SYMBOLS.peek(block, key)
    if remembered is MISSING:
        remembered = _BLOCK_SYMBOLS.put(block, _block_symbols(block, key), key)
    return remembered


def _block_entry(block: Block, remembered: list, request: _Request) -> BlockSymbols:
    if list_runs.is_long(block):  # its entries are taken run by run (``BlockSymbols.runs``)
        return BlockSymbols(block, None, remembered[1], remembered[2], request.key, request)
    symbols = _block_item_symbols(block, remembered, request.lines, request.meanings, request.key)
    return BlockSymbols(block, symbols, remembered[1], remembered[2], request.key)


# top-level item -> [its symbol (None: none; MISSING: not built yet), entries]: in one long list
# an edit re-reads a few items (``parse._reparse_in_list``) and keeps the others, whose entries
# are found here again. Symbols are built only for an outline that lists tasks.
_ITEM_SYMBOLS = BlockMemo()


def _block_symbols(block: Block, key: tuple) -> list:
    """[the block's symbols (MISSING until asked for), its first line, entries]."""
    if list_runs.is_long(block):
        entries = sum(_run_entries(run, items, key) for run, items, _ in list_runs.list_runs(block).each(block))
        return [MISSING, block.start_line, entries]
    entries = 0
    for item in block.items:
        entries += _item_entry(item, key)[1]
    return [MISSING, block.start_line, entries]


def _item_entry(item: Item, key: tuple) -> list:
    found = _ITEM_SYMBOLS.peek(item, key)  # type: ignore[arg-type]
    if found is MISSING:
        found = _ITEM_SYMBOLS.put(item, [MISSING, _entries(item)], key)  # type: ignore[arg-type]
    return found


def _entries(item: Item) -> int:
    """How many outline entries an item's tree makes: its tasks, and bullets that group tasks."""
    below = sum(_entries(child) for child in item.children)
    return below + 1 if item.is_task or below else 0


def _block_item_symbols(block: Block, remembered: list, lines: Sequence[str], meanings: dict[str, str], key: tuple) -> tuple[Symbol, ...]:
    if remembered[0] is MISSING:
        symbols = []
        for item in block.items:
            found = _item_entry(item, key)
            if found[0] is MISSING:
                found[0] = _item_symbol(item, lines, meanings)
            if found[0] is not None:
                symbols.append(found[0])
        remembered[0] = tuple(symbols)
    return remembered[0]


def _count(symbol: Symbol) -> int:
    return 1 + sum(_count(child) for child in symbol.children)


def _spelled_out(entry: SectionSymbols) -> Symbol:
    children: list[Symbol] = []
    for child in entry.children():
        if isinstance(child, BlockSymbols):
            children.extend(child.spelled_out())
        else:
            children.append(_spelled_out(child))
    return attrs.evolve(entry.symbol(), children=tuple(children))


def task_state(item: Item, meanings: dict[str, str] | None = None) -> str:
    """How the outline names a checkbox: "done", "open", its meaning ("in progress"), or the box as written."""
    if item.is_checked:
        return DONE
    if item.checkbox in (" ", "\t"):
        return OPEN
    meaning = (meanings or state_meanings(None)).get(item.checkbox or "")
    return meaning or f"[{item.checkbox}]"


def _item_symbols(items: Iterable[Item], lines: Sequence[str], meanings: dict[str, str]) -> list[Symbol]:
    symbols = []
    for item in items:
        symbol = _item_symbol(item, lines, meanings)
        if symbol is not None:
            symbols.append(symbol)
    return symbols


def _item_symbol(item: Item, lines: Sequence[str], meanings: dict[str, str]) -> Symbol | None:
    children = tuple(_item_symbols(item.children, lines, meanings))
    if not item.is_task and not children:
        return None
    return Symbol(
        name=_one_line(item.first_line_text) or ("(empty task)" if item.is_task else "(empty item)"),
        kind=TASK if item.is_task else BULLET,
        detail=task_state(item, meanings) if item.is_task else None,
        span=item.span,
        selection_span=_item_name_span(item, lines),
        children=children,
    )


def _item_name_span(item: Item, lines: Sequence[str]) -> Span:
    """The item's text on its first line; the marker and checkbox when that line has no text."""
    line = item.line
    source = lines[line] if line < len(lines) else ""
    start = item.text_span.start_col if item.text_span.start_line == line else len(source)
    own_text = source[start:].rstrip()
    if own_text:
        return Span.on_line(line, start, start + len(own_text))
    head_end = item.checkbox_span.end_col if item.checkbox_span is not None else item.marker_span.end_col
    return Span.on_line(line, item.marker_span.start_col, head_end)


def _one_line(text: str) -> str:
    """Outline names are single lines: a setext title or a wrapped name joins its lines."""
    return " ".join(text.split()) if "\n" in text or "\t" in text else text.strip()
