"""Progress: how many tasks of each section and of each parent task are done.

One count serves every place that shows progress: the inlay hints (or code lenses) on
headings and parent tasks, the outline's detail and ``backlog-ls report``. Tasks are
counted by what their state means (``states.py``): done, open, in progress (an open
state whose meaning says so, ``[~]``, ``[/]``), or cancelled, which is left out of the
total. A deferred task is not done, so it counts as open. A heading written as a task
("### Task 1.1: Parser ✅") counts as one task in the sections above it; its own
section's figure is that of its subtasks.

- A section's figure covers its tasks, nested ones included, and its subsections'.
- A parent task's figure covers its subtasks one level down (through plain bullets that
  group them), as Org mode's ``[2/5]`` cookie does and as stale-progress (BL310) reads one.

Cheap after a keystroke: each block is tallied once while it lives, and its copies moved by
an Enter above keep the tally (``memo.BlockMemo`` across moves: a parent task is held by its
place in the block's walk, not by its line); in a list each top-level item's tree is tallied
once while it lives, and a long list's trees are added up per run of items (``features.list_runs``,
found again when moved), so a keystroke in one long list re-counts one run. A document's
section figures are then one pass over the block tallies, an addition per block and never a
walk over tasks, made once per parsed snapshot.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, repeat
from operator import add, attrgetter, itemgetter
from typing import NamedTuple

import attrs

from ..config import Settings
from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import Backlog, Block, Heading, Item, Span, first_tasks
from ..states import CANCELLED, DONE, OPEN, state_kinds, state_meanings, task_kind
from . import list_runs, regions

DONE_STATE = "done"
OPEN_STATE = "open"
IN_PROGRESS_STATE = "in_progress"
CANCELLED_STATE = "cancelled"

# Meanings of an open state that say work has started.
_IN_PROGRESS_MEANINGS = frozenset({"in-progress", "doing", "started", "wip", "active", "working", "ongoing"})


class Counts(NamedTuple):
    """Tasks by state; ``total`` leaves the cancelled ones out."""

    done: int = 0
    open: int = 0
    in_progress: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.done + self.open + self.in_progress

    @property
    def percent(self) -> int:
        """Done out of the total, rounded half up (3/7 -> 43); 0 when there is nothing to do."""
        total = self.total
        return (200 * self.done + total) // (2 * total) if total else 0

    def plus(self, other: Counts) -> Counts:
        return Counts(
            self.done + other.done,
            self.open + other.open,
            self.in_progress + other.in_progress,
            self.cancelled + other.cancelled,
        )

    def as_dict(self) -> dict[str, int]:
        return {**self._asdict(), "total": self.total}


NOTHING = Counts()
_ONE = {
    DONE_STATE: Counts(done=1),
    OPEN_STATE: Counts(open=1),
    IN_PROGRESS_STATE: Counts(in_progress=1),
    CANCELLED_STATE: Counts(cancelled=1),
}


class StateReader:
    """Tells a task's progress state; built once per settings, so each task costs a lookup or two.

    A task's state follows from its checkbox and its text alone (``states.task_kind`` reads the
    words of its first line), so it is remembered by those: an item moved by an Enter above it
    is a new object with the very same text, and costs a dictionary lookup, not the word search.
    """

    _REMEMBERED = 200_000  # states remembered per reader, a few MiB at most

    def __init__(self, settings: Settings | None):
        self.kinds = state_kinds(settings)
        self.started = frozenset(
            char for char, meaning in state_meanings(settings).items() if _meaning_key(meaning) in _IN_PROGRESS_MEANINGS
        )
        self._states: dict[tuple[str | None, str], str] = {}

    @staticmethod
    def of_settings(settings: Settings | None) -> StateReader:
        """The reader for ``settings``, made once per settings object."""
        return _reader(settings)

    def of_box(self, box: str) -> str:
        """The progress state of a checkbox character alone (no task text to read: another file's index entry)."""
        kind = self.kinds.get(box, OPEN)
        if kind == DONE:
            return DONE_STATE
        if kind == CANCELLED:
            return CANCELLED_STATE
        return IN_PROGRESS_STATE if box in self.started else OPEN_STATE

    def of(self, task: Item) -> str:
        key = (task.checkbox, task.text)
        found = self._states.get(key)
        if found is None:
            if len(self._states) >= self._REMEMBERED:
                self._states.clear()
            found = self._states[key] = self._of(task)
        return found

    def _of(self, task: Item) -> str:
        kind = task_kind(task, self.kinds)
        if kind == DONE:
            return DONE_STATE
        if kind == CANCELLED:
            return CANCELLED_STATE
        return IN_PROGRESS_STATE if task.checkbox in self.started else OPEN_STATE


def _meaning_key(meaning: str) -> str:
    return meaning.strip().lower().replace("_", "-").replace(" ", "-")


def count(tasks: Iterable[Item], states: StateReader) -> Counts:
    done = open_ = started = cancelled = 0
    for task in tasks:
        state = states.of(task)
        if state == DONE_STATE:
            done += 1
        elif state == OPEN_STATE:
            open_ += 1
        elif state == IN_PROGRESS_STATE:
            started += 1
        else:
            cancelled += 1
    return Counts(done, open_, started, cancelled)


@attrs.frozen
class BlockTally:
    """What one block adds to progress: all its tasks (a heading task: itself), and each parent task's subtasks.

    ``parents`` holds each parent task by its place in ``block.walk`` (with its figure), not by its
    lines: a tally holds for the block's copies moved by an Enter above (``memo`` across moves).
    """

    counts: Counts
    parents: tuple[tuple[int, Counts], ...] = ()


def _tally(block: Block, states: StateReader, settings: Settings | None) -> BlockTally:
    heading = block.heading
    if heading is not None:
        if heading.task_state is None:
            return BlockTally(NOTHING)
        return BlockTally(_ONE[DONE_STATE if heading.is_checked else OPEN_STATE])
    if not block.has_items:
        return BlockTally(NOTHING)
    if list_runs.is_long(block):  # a long list, run by run: a keystroke in it tallies one run again
        trees = (_run_tally(run, items, states, settings) for run, items, _ in list_runs.list_runs(block).each(block))  # a tally holds no line
    else:
        trees = (_item_tally(item, states, settings) for item in block.items)
    whole = _trees_tally(trees)
    return BlockTally(whole.counts, whole.parents)


def _trees_tally(trees: Iterable[_TreeTally]) -> _TreeTally:
    """Consecutive trees (of top-level items, or runs of them) as one, their parents placed in its walk."""
    done = open_ = started = cancelled = 0
    parents: list[tuple[int, Counts]] = []
    place = 0
    for tree in trees:
        # Added up field by field: a list of 2,000 tasks is 2,000 trees after every keystroke in it.
        item_done, item_open, item_started, item_cancelled = tree.counts
        done += item_done
        open_ += item_open
        started += item_started
        cancelled += item_cancelled
        if tree.parents:
            parents.extend((place + index, figure) for index, figure in tree.parents)
        place += tree.size
    return _TreeTally(Counts(done, open_, started, cancelled), tuple(parents), place)


_RUN_TALLIES = LineageMemo()  # run of a long list's items -> their trees' tally, under the settings


def _run_tally(run: list_runs.Run, items: tuple[Item, ...], states: StateReader, settings: Settings | None) -> _TreeTally:
    found = _RUN_TALLIES.peek(run, settings)
    if found is MISSING:
        found = _RUN_TALLIES.put(run, _trees_tally(_item_tally(item, states, settings) for item in items), settings)
    return found


@attrs.frozen
class _TreeTally:
    """A top-level item's tree: its tasks' counts, its parent tasks by place in the tree's walk, its size."""

    counts: Counts
    parents: tuple[tuple[int, Counts], ...]
    size: int


def _item_tally(item: Item, states: StateReader, settings: Settings | None) -> _TreeTally:
    value = _TREES.peek(item, settings)  # type: ignore[arg-type]
    if value is MISSING:
        tree = list(item.walk())  # depth first, in document order: the order of ``Block.walk``
        parents = tuple(
            (place, figure)
            for place, node in enumerate(tree)
            if node.checkbox is not None and node.children and (figure := count(first_tasks(node.children), states)).total
        )
        counts = count((node for node in tree if node.checkbox is not None), states)
        value = _TREES.put(item, _TreeTally(counts, parents, len(tree)), settings)  # type: ignore[arg-type]
    return value


_TALLIES = BlockMemo(across_moves=True)
_TREES = BlockMemo()  # top-level item -> its tree's tally: in one long list an edit re-reads a few items
_READERS: dict[int, tuple[Settings | None, StateReader]] = {}


def _reader(settings: Settings | None) -> StateReader:
    key = id(settings)
    found = _READERS.get(key)
    if found is None or found[0] is not settings:
        if len(_READERS) > 32:  # settings change rarely; keep the cache small all the same
            _READERS.clear()
        found = _READERS[key] = (settings, StateReader(settings))
    return found[1]


def block_tally(block: Block, settings: Settings | None = None) -> BlockTally:
    value = _TALLIES.peek(block, settings)
    if value is MISSING:
        value = _TALLIES.put(block, _tally(block, _reader(settings), settings), settings)
    return value


@attrs.frozen
class Progress:
    """A document's progress: each section's figure by its heading's line, and the whole document's."""

    # The snapshot's blocks, not its Backlog: this is kept in the Backlog's own cache, and a cycle
    # through it would leave every old snapshot to the cyclic collector.
    blocks: tuple[Block, ...] = attrs.field(eq=False, repr=False)
    sections: Mapping[int, Counts]
    whole: Counts
    _tallies: Sequence[BlockTally] = attrs.field(eq=False, repr=False)
    _starts: Sequence[int] = attrs.field(eq=False, repr=False)

    def parents_between(self, first: int, last: int) -> Iterator[tuple[Item, Counts]]:
        """The parent tasks whose first line is in first..last, with their subtasks' figure, in order."""
        index = max(0, bisect.bisect_right(self._starts, first) - 1)
        blocks = self.blocks
        while index < len(blocks) and blocks[index].start_line <= last:
            walk = blocks[index].walk
            parents = self._tallies[index].parents
            # In document order: a long list's parents are found by bisection, not read through.
            at = bisect.bisect_left(parents, first, key=lambda parent: walk[parent[0]][0].line)
            for place, figure in parents[at:]:
                task = walk[place][0]
                if task.line > last:
                    break
                yield task, figure
            index += 1

    def parent(self, task: Item) -> Counts | None:
        """A parent task's figure, or None when it has no subtasks that count."""
        for found, figure in self.parents_between(task.line, task.line):
            if found is task:
                return figure
        return None


class SectionFigures(Mapping[int, Counts]):
    """Each section's figure by its heading's line, worked out when asked: its blocks' tallies added
    up, as the difference of two running totals (the tasks of every block before a place, one total
    per state). A section's blocks follow its heading up to the next heading of its level or above;
    a heading task counts in the sections above it, not in its own."""

    __slots__ = ("_index", "_totals")

    def __init__(self, index: regions.Index, totals: tuple[list[int], list[int], list[int], list[int]]):
        self._index = index
        self._totals = totals

    def __getitem__(self, line: int) -> Counts:
        index = self._index
        at = bisect.bisect_left(index.starts, line)
        heading = index.blocks[at].heading if at < len(index.blocks) else None
        if heading is None or heading.span.start_line != line:
            raise KeyError(line)
        first, end = at + 1, index.section_end(at, heading.level)
        done, open_, started, cancelled = self._totals
        return Counts(done[end] - done[first], open_[end] - open_[first], started[end] - started[first], cancelled[end] - cancelled[first])

    def __iter__(self) -> Iterator[int]:
        index = self._index
        return (index.blocks[head].heading.span.start_line for head in index.heads)  # type: ignore[union-attr]

    def __len__(self) -> int:
        return len(self._index.heads)


def progress(backlog: Backlog, settings: Settings | None = None) -> Progress:
    """The document's progress, made once per parsed snapshot and settings."""
    cached = backlog.__dict__.get("_progress")
    if cached is not None and cached[0] is settings:
        return cached[1]
    result = _progress(backlog, settings)
    backlog.__dict__["_progress"] = (settings, result)
    return result


def _progress(backlog: Backlog, settings: Settings | None) -> Progress:
    index = regions.index(backlog)
    tallies = _block_tallies(index, settings)
    totals = _running_totals(index, settings, tallies)
    whole = Counts(*(total[-1] for total in totals))
    return Progress(backlog.blocks, SectionFigures(index, totals), whole, tallies, index.starts)  # type: ignore[arg-type]


_TOTALS = "progress totals"  # (settings, the four running totals) of a snapshot, patched by the next


def _running_totals(index: regions.Index, settings: Settings | None, tallies: list[BlockTally]) -> tuple[list[int], ...]:
    """Per state (done, open, in progress, cancelled), the tasks of the blocks before each block
    (one more entry than blocks: the last is the whole document's).

    Patched from the snapshot before's when there is one (``regions.Change``): the totals up to its
    kept blocks are its own, those after the changed blocks its own moved by what those changed, so
    only the changed blocks are added up (a walk over every block's tally was a millisecond a key
    at 20,000 tasks)."""
    change = index.change
    earlier = change.derived.get(_TOTALS) if change is not None else None
    if earlier is not None and (earlier[0] is settings or earlier[0] == settings):
        kept, moved, count = change.kept, change.moved, len(tallies)
        changed = list(map(attrgetter("counts"), tallies[kept : count - moved]))
        totals = []
        for before, state in zip(earlier[1], range(4)):
            # totals[b] for b in kept+1..count-moved, then the moved blocks' from the old ones
            middle = list(accumulate(map(itemgetter(state), changed), initial=before[kept]))
            shift = middle[-1] - before[change.count - moved]
            tail = before[change.count - moved + 1 :]
            totals.append(before[:kept] + middle + (list(map(add, tail, repeat(shift))) if shift else tail))
        totals = tuple(totals)
    else:
        counts = list(map(attrgetter("counts"), tallies))
        totals = tuple(list(accumulate(map(itemgetter(state), counts), initial=0)) for state in range(4))
    found = index.derived.get(_TOTALS)
    if found is None or not (found[0] is settings or found[0] == settings):  # the first settings' stay, as ``per_block``'s
        index.derived[_TOTALS] = (settings, totals)
    return totals


def _block_tallies(index: regions.Index, settings: Settings | None) -> list[BlockTally]:
    """Each block's tally: those of the blocks the last snapshot shares are its own, the others looked up."""
    return regions.per_block(index, "progress tallies", settings, lambda block: block_tally(block, settings))


# --- what the editor shows ------------------------------------------------------------------------


@attrs.frozen
class Mark:
    """A progress figure to show: ``label`` at the end of the text of ``line`` (column in code points).

    ``span`` is the heading's or task's first line, for a code lens.
    """

    line: int
    column: int
    label: str
    span: Span
    kind: str  # "section" | "task"


def section_label(figure: Counts) -> str:
    return f"{figure.done}/{figure.total} · {figure.percent}%"


def task_label(figure: Counts) -> str:
    return f"{figure.done}/{figure.total}"


def marks(backlog: Backlog, settings: Settings | None = None, first: int = 0, last: int | None = None) -> list[Mark]:
    """The progress marks on lines first..last (default: the whole document), in document order.

    A section or task with nothing to count (no tasks, or only cancelled ones) gets no mark.
    """
    lines = backlog.lines
    last = len(lines) - 1 if last is None else last
    found = progress(backlog, settings)
    result: list[Mark] = []
    for heading in _headings_between(regions.index(backlog), first, last):
        line = heading.title_span.end_line if heading.setext else heading.span.start_line
        if not first <= line <= last:
            continue
        figure = found.sections.get(heading.span.start_line)
        if figure is not None and figure.total:
            result.append(_mark(lines, line, section_label(figure), "section"))
    for task, figure in found.parents_between(first, last):
        result.append(_mark(lines, task.text_span.start_line, task_label(figure), "task"))
    result.sort(key=lambda mark: (mark.line, mark.column))
    return result


def _headings_between(index: regions.Index, first: int, last: int) -> Iterator[Heading]:
    """The headings of the blocks that hold a line of first..last: the range's, not the document's."""
    blocks, starts = index.blocks, index.starts
    at = max(0, bisect.bisect_right(starts, first) - 1)  # the block holding line ``first``, or the one before
    while at < len(blocks) and starts[at] <= last:
        heading = blocks[at].heading
        if heading is not None:
            yield heading
        at += 1


def _mark(lines, line: int, label: str, kind: str) -> Mark:
    text = lines[line] if line < len(lines) else ""
    column = len(text.rstrip())
    return Mark(line, column, label, Span.on_line(line, 0, column), kind)
