"""After any series of edits in a long list, its runs cut from the last cut's (``list_runs._recut``:
the runs before and after the changed items kept) are the very runs a cut of the whole list finds,
with the same bounds: a run kept holds the same items' text, so what features keep on it holds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backlog_ls.features import list_runs
from backlog_ls.parse import parse_lines
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit

LINES = ["- [ ] task {n}", "- [x] done {n}", "  - [ ] sub {n}", "- plain {n}", "  continued {n}"]
EDITS = ["\n", "x", "\n- [ ] new", "\n  - [ ] new sub", "", "\n\n", "- [ ] pasted\n- [ ] twice\n"]


@st.composite
def lists_and_edits(draw):
    count = draw(st.sampled_from([30, 90, 250]))
    lines = ["# Plan", ""] + [draw(st.sampled_from(LINES)).format(n=n) for n in range(count)]
    if lines[2].startswith(" "):
        lines[2] = lines[2].strip()
    edits = [
        (draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(st.integers(0, 2)), draw(st.sampled_from(EDITS)))
        for _ in range(draw(st.integers(1, 12)))
    ]
    return "\n".join(lines) + "\n", edits


def _cuts(backlog):
    """Each long list's runs as cut now (from the last cut), and as a cut of the whole list finds them."""
    for block in backlog.blocks:
        if list_runs.is_long(block):
            kept = list_runs._cut(block.items)
            last, list_runs._last_cut = list_runs._last_cut, None
            whole = list_runs._cut(block.items)
            list_runs._last_cut = last
            yield kept, whole


@pytest.fixture(autouse=True)
def _short_runs(monkeypatch):
    """Runs about three items long: many runs, and many ends for an edit to fall near."""
    monkeypatch.setattr(list_runs, "_RUN_END", 3)
    monkeypatch.setattr(list_runs, "_last_cut", None)


@settings(max_examples=budget.count(fast=150, soak=3_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lists_and_edits())
@example(("# Plan\n\n" + "".join(f"- [ ] task {n}\n" for n in range(30)), [(1.0, 0.0, 0, "- [ ] pasted\n- [ ] twice\n")] * 3))
def test_runs_cut_from_the_last_cut_are_those_of_the_whole_list(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    list(_cuts(backlog))
    for edit in edits:
        backlog = apply_edit(document, backlog, *edit)
        for kept, whole in _cuts(backlog):
            assert kept.bounds == whole.bounds, repr(document.text)
            assert all(a is b for a, b in zip(kept.runs, whole.runs)) and len(kept.runs) == len(whole.runs)
    budget.report("list runs after edits", edits=len(edits))
