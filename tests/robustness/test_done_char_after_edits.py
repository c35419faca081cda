"""After any series of edits, the way a document ticks a task ("X" or "x", by the majority of its
ticked tasks) equals that of a fresh parse: the counts are patched from the last document's
(``features.tick``), the blocks or long-list items an edit replaced taken out and the new ones added."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features import tick
from backlog_ls.features.tick import done_char, tick_actions
from backlog_ls.parse import parse, parse_lines
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit

LINES = ["- [x] done {n}", "- [X] Done {n}", "- [ ] open {n}", "  - [X] sub {n}", "  - [x] sub {n}", "- plain {n}", "", "## Part {n}"]
EDITS = ["\n", "X", "x", "[X] ", "[x] ", "\n- [X] new\n- [X] new", "\n  - [x] sub", "## H\n", ""]


@st.composite
def documents_and_edits(draw):
    count = draw(st.sampled_from([8, 30, 80]))  # short lists, and long ones (read again item by item)
    lines = ["# Plan", ""] + [draw(st.sampled_from(LINES)).format(n=n) for n in range(count)]
    edits = [
        (draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(st.integers(0, 2)), draw(st.sampled_from(EDITS)))
        for _ in range(draw(st.integers(1, 10)))
    ]
    return "\n".join(lines) + "\n", edits


@settings(max_examples=budget.count(fast=150, soak=3_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_and_edits(), documents_and_edits())
def test_the_done_char_after_edits_is_that_of_a_fresh_parse(case, other):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    done_char(backlog)
    for n, edit in enumerate(edits):
        backlog = apply_edit(document, backlog, *edit)
        if n == len(edits) // 2:  # another document asked in between: counted afresh, then this one again
            assert done_char(parse(other[0])) == done_char(parse_lines(TextLines.from_text(other[0]).lines))
        fresh = parse_lines(list(document.lines))
        # The counts themselves, not only the majority they decide (a miscount shows only near a tie).
        assert tick._document_ticks(backlog) == tick._blocks_ticks(fresh.blocks), repr(document.text)
        assert done_char(backlog) == done_char(fresh)
    budget.report("done char after edits", edits=len(edits))


def test_ticking_writes_the_documents_own_done_char_after_an_enter_in_a_long_list():
    items = [f"- [X] Done {n}" for n in range(20)] + [f"- [x] done {n}" for n in range(19)] + ["- [ ] open"]
    document = TextLines.from_text("# Plan\n\n" + "\n".join(items) + "\n")
    backlog = parse_lines(document.lines)
    assert done_char(backlog) == "X"
    backlog = apply_edit(document, backlog, 0.5, 1.0, 0, "\n- [x] done too\n- [x] and this")  # Enter in the list
    open_line = document.lines.index("- [ ] open")
    action = next(a for a in tick_actions(backlog, open_line) if a.title == "Tick task")
    assert [(e.span.start_line, e.new_text) for e in action.edits] == [(open_line, "x")]  # 21 "x" against 20 "X"
