"""The outline, the folds, the document links and the progress hints of a long list, kept per run
of its items, are byte for byte those of a fresh parse.

A keystroke inside a list of more than ``LONG_LIST_ITEMS`` items re-reads only the items around
it (``parse._reparse_in_list``); what the answers make of the list is kept per run of its items
(``features.list_runs``), counted from the run's first line, and taken over for the runs the edit
left (moved, after an Enter). Backlogs holding one or two long lists (tasks, subtasks, bullets
grouping tasks, RFCs, issues, links, wide characters) get random keystrokes, most of them inside a
list: a character, Enter, Backspace joining two lines, a deleted line or item, a pasted item, a
blank line (the list made loose). The texts sent, in UTF-16 or UTF-8, must equal the JSON of the
same answers built as values from a fresh parse (``test_section_answers._built_afresh``). And, so
that a fresh parse is not judged by the runs alone, what each long list makes run by run (its folds,
progress tally and parent figures, links of each source, file links, outline entries) must be what
the same functions make of the whole block, as they do for shorter blocks (parent figures: counted
from the block's walk). Runs are made about three items long here, so that these lists have many.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features import block_links, folding, list_runs, progress, regions, symbols
from backlog_ls.features import links as link_features
from backlog_ls.memo import BlockMemo
from backlog_ls.model import LONG_LIST_ITEMS, first_tasks, lineage_of
from backlog_ls.states import state_meanings
from backlog_ls.workspace import Document

from . import budget
from .test_section_answers import PATH, SETTINGS, _built_afresh, _guard, _sent, _sources

ITEMS = [
    "- [ ] plain task\n", "- [x] done #12\n", "- [~] cancelled RFC 2378\n", "- [+] in review [plan](docs/plan.md)\n",
    "- [ ] parent\n  - [x] sub one\n  - [ ] sub two #7\n", "- grouping bullet\n  - [ ] under it\n    - [x] deeper\n",
    "- prose bullet with [top](#plan)\n", "- [ ] 😀 看 wide [w](./w%20x.md) RFC 9110\n", "- [ ] wrapped\n  over two lines\n",
    "* [ ] other marker\n", "- [ ]\n", "- [x] see [p](#phase-2-more) and #40\n",
    "- [ ] fixes https://github.com/o/r/issues/4 and o/r#5\n  - [ ] [RFC 7230](https://www.rfc-editor.org/rfc/rfc7230) and [#6](https://github.com/o/r/pull/6)\n",
]
OTHER_BLOCKS = ["# Plan\n", "## Phase 2: more\n", "### 2.1 Parser\n", "Prose with RFC 9110 and [top](#plan).\n", "```\ncode\n\nmore\n```\n"]


def _long_list(rng: random.Random) -> str:
    return "".join(rng.choice(ITEMS) for _ in range(LONG_LIST_ITEMS + rng.randint(1, 40)))


@st.composite
def backlogs(draw) -> str:
    rng = draw(st.randoms(use_true_random=False))
    blocks = [rng.choice(OTHER_BLOCKS) for _ in range(rng.randint(0, 3))] + [_long_list(rng)]
    if rng.random() < 0.3:
        blocks += [rng.choice(OTHER_BLOCKS), _long_list(rng)]
    blocks += [rng.choice(OTHER_BLOCKS) for _ in range(rng.randint(0, 2))]
    return "\n".join(blocks)


KEYS = ["x", "x", "\n", "\n", "\n\n", "", "", "delete line", "delete item", "- [ ] pasted #3\n", "  - [ ] sub\n", "😀", "[x] ", "RFC 1 ", "#"]


@pytest.fixture(autouse=True)
def _short_runs(monkeypatch):
    monkeypatch.setattr(list_runs, "_RUN_END", 3)
    monkeypatch.setattr(list_runs, "_last_cut", None)  # cut under the other length: not to be cut from


def _edit(document: Document, rng: random.Random, key: str) -> None:
    """One keystroke, in a list item's line most of the time."""
    lines = document.text.lines
    items = [n for n, text in enumerate(lines) if text.lstrip().startswith(("- ", "* "))]
    line = rng.choice(items) if items and rng.random() < 0.9 else rng.randrange(len(lines))
    if key == "" and line + 1 < len(lines):
        document.apply_change((line, len(lines[line])), (line + 1, 0), "")  # Backspace joins two lines
    elif key == "delete line" and line + 1 < len(lines):
        document.apply_change((line, 0), (line + 1, 0), "")
    elif key == "delete item":
        end = line + 1
        while end < len(lines) and lines[end].startswith("  "):
            end += 1
        document.apply_change((line, 0), (min(end, len(lines) - 1), 0 if end < len(lines) else len(lines[-1])), "")
    elif key == "#":
        document.apply_change((line, 0), (line, 0), "#")
    else:
        column = rng.randint(0, len(lines[line]))
        document.apply_change((line, column), (line, column), key if key not in ("delete line", "delete item", "") else "y")


ENCODINGS = st.sampled_from(["utf-16", "utf-8"])


@settings(max_examples=budget.count(80, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(), st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=12), ENCODINGS)
def test_long_list_answers_after_keystrokes_are_those_of_a_fresh_parse(text, rng, keys, encoding):
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog, encoding)  # the memories are warm, as after the first requests
    for key in keys:
        _edit(document, rng, key)
        assert _sent(document.backlog, encoding) == _built_afresh(list(document.text.lines), encoding), repr(document.source)


@settings(max_examples=budget.count(30, 500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(), st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=2, max_size=12))
def test_one_change_with_many_edits_in_a_long_list(text, rng, keys):
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog)
    for key in keys:
        _edit(document, rng, key)  # one didChange: parsed once, after all of them
    assert _sent(document.backlog) == _built_afresh(list(document.text.lines))


def test_enter_and_undo_through_a_long_list():
    # Enter and Backspace at the top, the middle and the end of one list of 120 tasks, typing in
    # between: every later item moves, then moves back; most runs are taken over, moved.
    rng = random.Random(5)
    items = "".join(f"- [{' x'[n % 2]}] task {n} #{n}\n" + ("  - [ ] sub RFC %d\n" % n if n % 4 == 0 else "") for n in range(120))
    document = Document("file://" + PATH, "# Plan\n\n" + items, 1)
    _sent(document.backlog)
    edits = 0
    for _ in range(budget.count(fast=20, soak=400)):
        lines = document.text.lines
        line = rng.choice([2, 3, len(lines) // 2, len(lines) - 2])
        column = len(lines[line]) - 2
        document.apply_change((line, column), (line, column), "\n")
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
        document.apply_change((line, column), (line + 1, 0), "")
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
        _edit(document, rng, rng.choice(["x", "\n", ""]))
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
        edits += 3
    budget.report("long list answers after Enter and undo", edits=edits)


def _whole_block_values(backlog) -> list:
    """What each long list makes, found run by run, beside the same found over the whole block the way
    shorter blocks are (so that a fresh parse is not judged by the runs alone)."""
    lines, found = backlog.lines, []
    folder = os.path.dirname(PATH)
    sources = _sources(backlog)
    for block in backlog.blocks:
        if not list_runs.is_long(block):
            continue
        # The runs hold the list's items, and end after an item whose lineage ends a run.
        cut = list_runs.list_runs(block)
        lineages = [lineage_of(item) for item in block.items]
        starts = [item.span.start_line for item in block.items]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        found.append((cut.bounds, (0, *list_runs._runs_of(lineages, gaps)[1])))
        found.append(([(run.lineages, run.gaps) for run in cut.runs],
                      [(tuple(lineages[a : b - 1]), tuple(gaps[a : b - 1])) for a, b in zip(cut.bounds, cut.bounds[1:])]))
        entry = folding._block_entry(block, lines)
        found.append(((entry.relative if entry else ()), folding._block_folds(block, lines)))
        tally = progress._tally(block, progress.StateReader(SETTINGS), SETTINGS)
        trees = progress._trees_tally(progress._item_tally(item, progress.StateReader(SETTINGS), SETTINGS) for item in block.items)
        found.append((tally, progress.BlockTally(trees.counts, trees.parents)))
        parents = [(place, progress.count(first_tasks(node.children), progress.StateReader(SETTINGS))) for place, (node, _) in enumerate(block.walk)]
        found.append((tally.parents, tuple((place, figure) for place, figure in parents if figure.total and block.walk[place][0].is_task)))
        for source in sources:
            search = block_links._Search(source, regions.index(backlog), _guard, BlockMemo(), regions.Regions())
            links = search.entry(block)
            found.append((links.spelled_out() if links else [], list(source.links(block))))
        rfc_links = sources[0]
        by_runs = link_features._list_file_links(block, PATH, folder)
        whole = link_features._block_file_links(block, lines, PATH, folder)
        untaken_by_runs = link_features._list_file_links(block, PATH, folder, rfc_links, (PATH, "untaken"))
        untaken_whole = link_features._untaken(whole, rfc_links, lambda: rfc_links.links(block))
        for pair in ((by_runs, whole), (untaken_by_runs, untaken_whole)):
            found.append([(entry[0], sorted(entry[1], key=repr), sorted(entry[2], key=repr)) if entry else () for entry in pair])
        meanings = state_meanings(SETTINGS)
        request = symbols._Request(lines, meanings, tuple(sorted(meanings.items())), regions.index(backlog), {})
        remembered = symbols._remembered(block, request.key)
        entry = symbols._block_entry(block, remembered, request)
        found.append(([symbol for run in entry.runs() for symbol in run.symbols()], list(symbols._item_symbols(block.items, lines, request.meanings))))
        found.append((entry.entries, sum(map(symbols._entries, block.items))))
    return found


@settings(max_examples=budget.count(40, 800), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(), st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=0, max_size=8))
def test_a_long_list_run_by_run_is_the_list_read_whole(text, rng, keys):
    document = Document("file://" + PATH, text, 1)
    for key in [None, *keys]:
        if key is not None:
            _edit(document, rng, key)
        for by_runs, whole in _whole_block_values(document.backlog):
            assert by_runs == whole


def _answers(backlog) -> list[str]:
    """The outline, the folds and the document links as the server sends them after a keystroke."""
    from backlog_ls import convert

    lines, sources = backlog.lines, _sources(backlog)
    found = block_links.block_links(backlog, sources, _guard)
    return [
        convert.outline_json(symbols.outline(backlog, SETTINGS), lines, "utf-16"),
        convert.fold_entries_json(folding.fold_entries(backlog)),
        convert.block_links_json(found, lines, "utf-16"),
        convert.links_answer_json(found, link_features.file_document_links(backlog, PATH, None, sources[0]), lines, "utf-16"),
    ]


def test_after_an_enter_above_long_lists_their_answers_are_right_and_their_items_not_made():
    """The folds and the document links of a long list that an Enter above it moved are read from
    the list it was moved from (``Block.unmoved``), shifted: its own items, which nothing else on
    a keystroke reads, are not made for them (at 20,000 tasks, 93 lists and 37 ms on the first Enter)."""
    dashes = [item for item in ITEMS if item.startswith("- ")]  # one marker: each list stays one
    lists = ["".join(dashes[(n + k) % len(dashes)] for k in range(LONG_LIST_ITEMS + 6)) for n in range(4)]
    text = "# Plan\n\nIntro RFC 9110.\n\n" + "\n".join(f"## Phase {n}\n\n{items}" for n, items in enumerate(lists, 1))
    document = Document("file:///tmp/plan/BACKLOG.md", text, 1, PATH)
    _answers(document.backlog)  # at open: what the runs remember
    document.apply_change((1, 0), (1, 0), "\n")  # an Enter above every list
    moved = [block for block in document.backlog.blocks if list_runs.is_long(block)]
    assert len(moved) == 4 and all(block.moved_from is not None for block in moved)
    answers = _answers(document.backlog)
    assert all(block.moved_from is not None for block in moved)  # their items still not made
    afresh = _built_afresh(list(document.backlog.lines))
    assert answers == [afresh[0], afresh[1], afresh[6], afresh[8]]
    # Asked first after the Enter (nothing remembered at open): the runs' entries are built from
    # the items of the list moved from, where they lie, and moved to where the copy is.
    document = Document("file:///tmp/plan/BACKLOG.md", text, 1, PATH)
    document.backlog  # noqa: B018 - parsed, and nothing asked of it
    document.apply_change((1, 0), (1, 0), "\n")
    moved = [block for block in document.backlog.blocks if list_runs.is_long(block)]
    assert len(moved) == 4 and all(block.moved_from is not None for block in moved)
    answers = _answers(document.backlog)
    assert all(block.moved_from is not None for block in moved)
    afresh = _built_afresh(list(document.backlog.lines))
    assert answers == [afresh[0], afresh[1], afresh[6], afresh[8]]
