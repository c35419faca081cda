"""The outline, the folds, the document links and the progress hints of a long list, kept per run
of its items, are byte for byte those of a fresh parse.

A keystroke inside a list of more than ``LONG_LIST_ITEMS`` items re-reads only the items around
it (``parse._reparse_in_list``); what the answers make of the list is kept per run of its items
(``features.list_runs``), counted from the run's first line, and taken over for the runs the edit
left (moved, after an Enter). Backlogs holding one or two long lists (tasks, subtasks, bullets
grouping tasks, RFCs, issues, links, wide characters) get random keystrokes, most of them inside a
list: a character, Enter, Backspace joining two lines, a deleted line or item, a pasted item, a
blank line (the list made loose). The texts sent, in UTF-16 or UTF-8, must equal the JSON of the
same answers built as values from a fresh parse (``test_section_answers._built_afresh``). Runs are
made about three items long here, so that these lists have many.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features import list_runs
from backlog_ls.model import LONG_LIST_ITEMS
from backlog_ls.workspace import Document

from . import budget
from .test_section_answers import PATH, _built_afresh, _sent

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
