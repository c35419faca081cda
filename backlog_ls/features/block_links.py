"""Document links, found one block at a time and remembered per block.

Every keystroke brings a documentLink request for the whole document. Each kind of
link (RFC citations, issue references; file links plug in the same way) is a
``LinkSource``: a function of one block, and a ``key`` naming the state of the data
it reads (the tracker's cache, the RFCs found, the document's reference definitions).
A block's links are found once per block and key, and kept relative to the block's
first line, so they hold when an Enter above moves the block; a section's, its
subsections' included, are remembered while none of its blocks changed
(``features.regions``): after a keystroke only the edited block is read again, and
only the sections around it are walked again. A long list is one block: a source that can read
items (``LinkSource.item_links``) finds its links per run of its items (``features.list_runs``),
so a keystroke inside it reads one run again.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import Backlog, Block, Item, shifted
from . import list_runs, regions


@attrs.frozen(eq=False)
class LinkSource:
    """One kind of link: ``links(block)`` finds the block's (values with a ``span``), under ``key``;
    ``item_links(items)``, those of consecutive top-level items of a list, in order: a long list's
    links are the concatenation of its runs' (``features.list_runs``), each found once."""

    name: str
    key: Any
    links: Callable[[Block], Iterable[Any]]
    item_links: Callable[[tuple[Item, ...]], Iterable[Any]] | None = None


@attrs.frozen(eq=False)
class BlockLinks:
    """The links one source found in one block; their spans are as of ``first_line``.

    A long list's are kept per run of its items (``runs``): its ``links`` are then None."""

    block: Block
    source: LinkSource
    links: tuple[Any, ...] | None
    first_line: int
    runs: tuple[RunLinks, ...] = ()

    def spelled_out(self) -> list[Any]:
        """The links with spans where the block is now."""
        if self.links is None:
            return [link for run in self.runs for link in run.spelled_out()]
        return list(shifted(self.links, self.block.start_line - self.first_line))


@attrs.frozen(eq=False)
class RunLinks:
    """The links one source found in one run of a long list's items, spans as of ``first_line``:
    ``run`` is the same object while they are, and ``convert.block_links_json`` keeps their JSON on it."""

    run: list_runs.Run
    start_line: int  # the run's first line now
    links: tuple[Any, ...]
    first_line: int

    def spelled_out(self) -> list[Any]:
        return list(shifted(self.links, self.start_line - self.first_line))


@attrs.define(eq=False)
class SectionLinks:
    """The links one source found in one section, its subsections' included (``entries()``: its
    heading's and its blocks' ``BlockLinks``, then its subsections').

    ``region`` is the same object from one snapshot to the next while none of the section's
    blocks changed (``features.regions``); its ``value`` is how many links the section has.
    ``convert.block_links_json`` remembers the section's JSON by it.
    """

    source: LinkSource
    position: int  # among the sections, in document order
    region: regions.Region
    _search: _Search = attrs.field(repr=False)
    _subsections: list[SectionLinks] | None = attrs.field(default=None, repr=False)  # walked once per snapshot

    @property
    def start_line(self) -> int:
        index = self._search.index
        return index.blocks[index.heads[self.position]].start_line

    def subsections(self) -> list[SectionLinks]:
        if self._subsections is None:
            self._subsections = self._search.subsections(self.position)
        return self._subsections

    def entries(self) -> list[BlockLinks | SectionLinks]:
        search, index = self._search, self._search.index
        found: list[BlockLinks | SectionLinks] = []
        for block in index.blocks[index.heads[self.position] : index.end(self.position + 1)]:
            entry = search.entry(block)
            if entry is not None:
                found.append(entry)
        found.extend(self.subsections())
        return found

    def spelled_out(self) -> list[Any]:
        """The links with spans where the section is now."""
        found = _SPELLED.get(self.region)
        first = self.start_line
        if found is None or found[0] != first:
            links = [link for entry in self.entries() for link in entry.spelled_out()]
            found = _SPELLED[self.region] = (first, links)
        return found[1]


_MEMOS: dict[str, BlockMemo] = {}  # source name -> its memo
_RUN_MEMOS: dict[str, LineageMemo] = {}  # source name -> run of a long list's items -> (its links, the first line they are as of)
_REGIONS: dict[str, regions.Regions] = {}  # source name -> its sections' regions, whose values are their links' counts
_SPELLED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # region -> (its first line, its links there)


@attrs.define(eq=False)
class _Search:
    """One source's search of one snapshot."""

    source: LinkSource
    index: regions.Index
    guard: Callable[[str, Callable[[], Any], Any], Any]
    memo: BlockMemo
    remembered: regions.Regions  # the sections' regions
    _lists: dict[int, BlockLinks | None] = attrs.field(factory=dict)  # long lists' entries, by block (counted, then listed)

    def block(self, block: Block) -> tuple[tuple[Any, ...], int]:
        """(the block's links, the first line their spans are counted as of)."""
        source = self.source
        entry = self.memo.peek(block, source.key)
        if entry is MISSING:
            links = tuple(self.guard(source.name, lambda: list(source.links(block)), []))
            entry = self.memo.put(block, (links, block.start_line), source.key)
        return entry

    def entry(self, block: Block) -> BlockLinks | None:
        """The block's links, None when it has none."""
        if self.source.item_links is None or not list_runs.is_long(block):
            links, first = self.block(block)
            return BlockLinks(block, self.source, links, first) if links else None
        if id(block) not in self._lists:  # (the blocks outlive the search: their ids stay theirs)
            runs = tuple(found for run, items, delta in list_runs.list_runs(block).each(block) if (found := self.run(run, items, delta)).links)
            self._lists[id(block)] = BlockLinks(block, self.source, None, block.start_line, runs) if runs else None
        return self._lists[id(block)]

    def count(self, block: Block) -> int:
        entry = self.entry(block)
        return 0 if entry is None else len(entry.links) if entry.links is not None else sum(len(run.links) for run in entry.runs)

    def run(self, run: list_runs.Run, items: tuple[Item, ...], delta: int = 0) -> RunLinks:
        """The run's links; ``items`` lie ``delta`` lines above where the run is (``ListRuns.each``)."""
        source = self.source
        memo = _RUN_MEMOS.setdefault(source.name, LineageMemo())
        entry = memo.peek(run, source.key)
        if entry is MISSING:
            links = tuple(self.guard(source.name, lambda: list(source.item_links(items)), []))  # type: ignore[misc]
            entry = memo.put(run, (links, items[0].span.start_line), source.key)
        return RunLinks(run, items[0].span.start_line + delta, *entry)

    def section(self, position: int) -> SectionLinks:
        index, source = self.index, self.source
        again = self.remembered.find(index, position, source.key)
        if again is not None:
            return SectionLinks(source, position, again[0], self)
        links = 0
        for block in index.blocks[index.heads[position] : index.end(position + 1)]:
            links += self.count(block)
        subsections = self.subsections(position)
        links += sum(entry.region.value for entry in subsections)
        sections = 1 + sum(entry.region.sections for entry in subsections)
        found = self.remembered.remember(index, position, sections, None, links, source.key)
        return SectionLinks(source, position, found, self, subsections)

    def subsections(self, position: int) -> list[SectionLinks]:
        """The subsections of a section walked again (-1: the top-level sections)."""
        source = self.source
        return self.remembered.subsections(
            self.index, position, source.key, self.section, lambda at, region, span: SectionLinks(source, at, region, self), False
        )


def block_links(
    backlog: Backlog, sources: Sequence[LinkSource], guard: Callable[[str, Callable[[], Any], Any], Any]
) -> list[BlockLinks | SectionLinks]:
    """Every block's links of each source, source by source: the blocks before the first heading
    one by one, then each top-level section's; ``guard(what, compute, fallback)`` runs one block's
    search, so that a failing source costs its links, not the request."""
    index = regions.index(backlog)
    found: list[BlockLinks | SectionLinks] = []
    for source in sources:
        memo = _MEMOS.setdefault(source.name, BlockMemo(across_moves=True))
        search = _Search(source, index, guard, memo, _REGIONS.setdefault(source.name, regions.Regions()))
        for block in index.blocks[: index.end(0)]:
            entry = search.entry(block)
            if entry is not None:
                found.append(entry)
        found.extend(entry for entry in search.subsections(-1) if entry.region.value)
    return found


def document_links(entries: Iterable[BlockLinks | SectionLinks]) -> list[Any]:
    return [link for entry in entries for link in entry.spelled_out()]
