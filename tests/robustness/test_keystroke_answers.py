"""What the editor asks after every keystroke equals what a fresh parse answers, whatever the edits.

The outline, the folds and the document links are remembered per block and across
moves (an Enter above a block moves it); after random edits (Enter, Backspace over a
line end, pasted Markdown, one didChange holding many changes) the answers built from
those memories must be those of a document opened afresh with the same text.
"""

from __future__ import annotations

import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls import convert
from backlog_ls.config import Settings
from backlog_ls.features import block_links as links
from backlog_ls.features import folding, symbols
from backlog_ls.features import issues as issue_features
from backlog_ls.features import rfc as rfc_features
from backlog_ls.parse import parse_lines
from backlog_ls.workspace import Document

from . import budget
from ..test_incremental import PIECES, markdownish

SETTINGS = Settings(states={"~": "cancelled", "+": "in review"})
# Edits as an editor makes them: a key, Enter, Backspace at a line start, a pasted piece.
KEYS = ["x", "\n", "\n\n", " ", "- [ ] t", "[x] ", "## H", "`", "😀", ""] + PIECES


def _guard(what, compute, fallback):
    return compute()


def _answers(backlog, path="/tmp/plan.md"):
    """Outline, folds (all, and the first 7) and links, as the server sends them (JSON)."""
    lines = backlog.lines
    sources = [rfc_features.rfc_link_source(backlog, None, path), issue_features.issue_link_source(None)]
    entries = links.block_links(backlog, sources, _guard)
    return (
        json.loads(convert.outline_json(symbols.outline(backlog, SETTINGS), lines, "utf-16")),
        json.loads(convert.fold_entries_json(folding.fold_entries(backlog))),
        json.loads(convert.fold_entries_json(folding.fold_entries(backlog), 7)),
        json.loads(convert.block_links_json(entries, lines, "utf-8")),
        symbols.document_symbols(backlog, SETTINGS),
        folding.folding_ranges(backlog),
        links.document_links(entries),
    )


def _fresh(document: Document):
    return _answers(parse_lines(list(document.text.lines)))


def _edit(document: Document, rng: random.Random, key: str) -> None:
    lines = document.text.lines
    line = rng.randrange(len(lines))
    column = rng.randint(0, len(lines[line]))
    if key == "" and line + 1 < len(lines):
        document.apply_change((line, len(lines[line])), (line + 1, 0), "")  # Backspace joins two lines
    else:
        document.apply_change((line, column), (line, column), key)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=8))
def test_answers_after_keystrokes_equal_a_fresh_parse(text, rng, keys):
    document = Document("file:///plan.md", text, 1)
    _answers(document.backlog)  # the memories are warm, as after the first requests
    for key in keys:
        _edit(document, rng, key)
        assert _answers(document.backlog) == _fresh(document), repr(document.source)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=2, max_size=30))
def test_one_change_with_many_edits_equals_a_fresh_parse(text, rng, keys):
    # A multi-cursor edit is one didChange holding many changes, parsed once after all of them.
    document = Document("file:///plan.md", text, 1)
    _answers(document.backlog)
    for key in keys:
        _edit(document, rng, key)
    assert document.backlog == parse_lines(list(document.text.lines))
    assert _answers(document.backlog) == _fresh(document)


def test_enter_and_typing_in_a_long_generated_backlog():
    # Enter and Backspace above most blocks of a real-sized backlog, typing in between.
    rng = random.Random(17)
    tasks = "\n".join(f"- [{'x' if n % 3 else ' '}] **Task {n} (#{n}):** see RFC {n % 50 + 1}\n  - [ ] sub {n}" for n in range(300))
    sections = "\n\n".join(f"## Phase {n}: part\n\n{tasks}" for n in range(3))
    document = Document("file:///plan.md", "# Plan\n\n" + sections + "\n", 1)
    _answers(document.backlog)
    deadline = time.monotonic() + budget.seconds(60, 600)
    edits = 0
    for _ in range(budget.count(fast=40, soak=1_000)):
        if time.monotonic() > deadline:
            break
        _edit(document, rng, rng.choice(["\n", "", "x", "\n- [ ] new", "## Phase 9"]))
        edits += 1
        if edits % 4 == 0:
            assert _answers(document.backlog) == _fresh(document)
    assert _answers(document.backlog) == _fresh(document)
    budget.report("keystroke answers in a long backlog", edits=edits)


# --- what the cursor's requests answer: progress hints, code actions, the dependency graph ----------


def _cursor_answers(backlog, settings=SETTINGS):
    """Progress marks (all, and a visible range), the dependencies, and per line the item at the
    cursor, the tick and renumber actions: remembered per block, per item and across moves."""
    from backlog_ls.dependencies import graph
    from backlog_ls.features import progress, renumber, tick
    from backlog_ls.features.edits import item_at

    last = len(backlog.lines) - 1
    found = graph(backlog, settings)
    per_line = []
    for line in range(0, last + 1, max(1, last // 40)):
        at = item_at(backlog, line)
        per_line.append((
            line,
            at and (at[0].span, at[1] and at[1].span),
            [(a.title, a.edits) for a in tick.tick_actions(backlog, line, settings)],
            [(a.title, a.edits) for a in renumber.renumber_actions(backlog, line)],
        ))
    return (
        progress.marks(backlog, settings),
        progress.marks(backlog, settings, last // 3, last // 3 + 30),
        progress.progress(backlog, settings).sections,
        [(d.task.line, d.label, d.state) for d in found.dependencies],
        [node.line for node in found.ready()],
        tick.done_char(backlog),
        per_line,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS + ["depends on Task 1.2", "[X] "]), min_size=1, max_size=8))
def test_cursor_answers_after_keystrokes_equal_a_fresh_parse(text, rng, keys):
    document = Document("file:///plan.md", text, 1)
    _cursor_answers(document.backlog)
    for key in keys:
        _edit(document, rng, key)
        assert _cursor_answers(document.backlog) == _cursor_answers(parse_lines(list(document.text.lines))), repr(document.source)


def test_cursor_answers_and_the_outline_after_enter_and_typing_in_one_long_list():
    # One long list: a keystroke re-reads a few items, an Enter moves every later item (new objects
    # with the same lines: their outline entries are found again by their lines).
    rng = random.Random(5)
    items = "\n".join(
        f"- [{'x~ +'[n % 4]}] **Task 1.{n}:** step{', depends on Task 1.' + str(n - 1) if n % 7 == 0 else ''}\n  - [{'x ~'[n % 3]}] sub {n}"
        for n in range(1, 120)
    )
    document = Document("file:///plan.md", "# Plan 1\n\n" + items + "\n", 1)
    plain = Settings()
    _cursor_answers(document.backlog)
    _answers(document.backlog)
    edits = 0
    for edits in _keystrokes(document, rng, ["\n", "", "x", "X", "\n  continued", "~"], fast=30, soak=500):
        fresh = parse_lines(list(document.text.lines))
        assert _cursor_answers(document.backlog) == _cursor_answers(fresh)
        # The same lines under other settings ("~" open instead of cancelled) are other entries.
        assert _cursor_answers(document.backlog, plain) == _cursor_answers(fresh, plain)
        # Against the JSON built afresh, without the encoder's memories (both settings share them).
        for states in (plain, SETTINGS):
            outline = convert.outline_json(symbols.outline(document.backlog, states), document.backlog.lines, "utf-16")
            assert json.loads(outline) == convert.document_symbols_json(symbols.document_symbols(fresh, states), fresh.lines, "utf-16")
        if edits % 3 == 0:
            assert _answers(document.backlog) == _fresh(document)
    budget.report("cursor answers in one long list", edits=edits)


def _keystrokes(document: Document, rng: random.Random, keys: list[str], fast: int, soak: int):
    """Random edits from ``keys``, bounded in count (``budget``) and in time; yields how many so far."""
    deadline = time.monotonic() + budget.seconds(60, 600)
    for edits in range(1, budget.count(fast=fast, soak=soak) + 1):
        if time.monotonic() > deadline:
            return
        _edit(document, rng, rng.choice(keys))
        yield edits
