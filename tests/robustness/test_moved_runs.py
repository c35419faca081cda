"""A run of entries spliced after edits (``patching.spliced``), its moves made only when it is read
(``patching.Moved``), reads as the run spliced eagerly: after any series of edits (typing, Enter,
lines deleted, lines pasted), past the point where its pieces are spelled out (``MAX_PIECES``);
and so do the entries on a few lines (``entries_on``) and two runs joined (``+``)."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_ls import patching
from backlog_ls.model import Span

from . import budget


class Entry:
    """An entry as the summary's: a span, and what it names (compared by both)."""

    __slots__ = ("span", "name")

    def __init__(self, span: Span, name: str):
        self.span = span
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and (self.span, self.name) == (other.span, other.name)

    def __hash__(self) -> int:
        return hash((self.span, self.name))

    def __repr__(self) -> str:
        return f"Entry({self.span.start_line}, {self.name!r})"


def moved(entry: Entry, delta: int) -> Entry:
    return Entry(entry.span.shifted(delta), entry.name)


def _entry(line: int, name: str) -> Entry:
    return Entry(Span(line, 0, line, 5), name)


def _eager(entries: tuple, first: int, old_last: int, new: tuple, delta: int) -> tuple:
    """What ``spliced`` did before it was lazy: the old entries below the edit moved at once."""
    lines = [entry.span.start_line for entry in entries]
    low = bisect.bisect_left(lines, first)
    high = bisect.bisect_left(lines, old_last + 1)
    return entries[:low] + new + tuple(moved(entry, delta) for entry in entries[high:])


@st.composite
def runs_and_edits(draw):
    count = draw(st.integers(0, 60))
    lines = sorted(draw(st.lists(st.integers(0, 200), min_size=count, max_size=count)))
    entries = tuple(_entry(line, f"e{n}") for n, line in enumerate(lines))
    edits = []
    for step in range(draw(st.integers(1, 60))):
        first = draw(st.integers(0, 220))
        old_last = first + draw(st.integers(-1, 4))  # -1: an insertion between lines
        delta = draw(st.sampled_from([0, 0, 1, 1, -1, 2, -3, 5]))
        if old_last + delta < first - 1:
            delta = first - 1 - old_last  # no more lines deleted than the edit spans
        new = tuple(_entry(line, f"new{step}.{n}") for n, line in enumerate(sorted(draw(st.lists(st.integers(first, max(first, old_last + delta)), max_size=3)))))
        edits.append((first, old_last, new, delta))
    return entries, edits


@settings(max_examples=budget.count(300, 20_000), deadline=None)
@given(runs_and_edits())
def test_a_run_spliced_lazily_reads_as_the_run_spliced_eagerly(case):
    entries, edits = case
    lazy, eager = entries, entries
    for first, old_last, new, delta in edits:
        on_lines = patching.entries_on(lazy, first, old_last)
        assert tuple(on_lines) == tuple(entry for entry in eager if first <= entry.span.start_line <= old_last)
        lazy = patching.spliced(lazy, first, old_last, new, delta, moved)
        eager = _eager(eager, first, old_last, new, delta)
        assert len(lazy) == len(eager)
        if isinstance(lazy, patching.Moved):
            assert len(lazy.pieces()) <= patching.MAX_PIECES
    assert lazy == eager and eager == tuple(lazy)
    assert list(lazy) == list(eager) and list(reversed(lazy)) == list(reversed(eager))
    assert lazy[1:4] == eager[1:4]
    assert lazy + eager == eager + eager and eager + lazy == eager + eager


def test_the_moves_are_made_on_the_first_read_only():
    """An Enter at the top moves every entry below it when the run is read, not when it is spliced."""
    made = []

    def counted(entry: Entry, delta: int) -> Entry:
        made.append(entry)
        return moved(entry, delta)

    entries = tuple(_entry(line, f"e{line}") for line in range(1000))
    run = entries
    for _ in range(10):  # ten Enters on line 3
        run = patching.spliced(run, 3, 3, (_entry(3, "e3"),), 1, counted)
    assert made == []
    assert [entry.span.start_line for entry in run][:6] == [0, 1, 2, 3, 14, 15]
    assert len(made) == 996  # once each, however many Enters moved them
    assert run[4] == _entry(14, "e4") and len(made) == 996
