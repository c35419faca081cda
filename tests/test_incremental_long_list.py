"""An edit inside one long list re-reads only the items around it, and still equals a full parse.

``parse._reparse_in_list`` takes that path for a tight list of many items; these edits
aim inside such lists (pieces that nest, un-nest, open fences, add blank lines, change
markers) so that the path and every way out of it are taken.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.parse import blocks, parse_lines, reparse
from backlog_ls.text import TextLines

from .test_incremental import PIECES

ITEM_LINES = [
    "- [ ] **Task {n} (#{n}):** do it",
    "- [x] done {n} ✅",
    "  - [ ] sub {n}",
    "    - [x] subsub {n} `code`",
    "- plain {n}",
    "  continued {n}",
    "- [ ] see [RFC](docs/rfcs/000{n}-a.md) {n}",
]
EDIT_PIECES = PIECES + ["x", "\n", "\n  - [ ] nested", "\n- [ ] new", "\n\n", "* ", "1. ", "  ", "```"]


@st.composite
def long_list_and_edits(draw):
    count = draw(st.integers(30, 70))
    lines = ["# Plan", ""]
    for n in range(count):
        template = draw(st.sampled_from(ITEM_LINES))
        if template.startswith("  ") and lines[-1] == "":
            template = template.strip()
        lines.append(template.format(n=n))
    after = draw(st.sampled_from(["", "\nAfter.\n", "\n## Next\n\n- [ ] t\n", "lazy text\n"]))
    text = "\n".join(lines) + "\n" + after
    edits = []
    for _ in range(draw(st.integers(1, 5))):
        line = draw(st.integers(2, count + 1))
        edits.append((line, draw(st.floats(0, 1)), draw(st.integers(0, 2)), draw(st.lists(st.sampled_from(EDIT_PIECES), max_size=3).map("".join))))
    return text, edits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_list_and_edits())
def test_edits_inside_a_long_list_equal_a_full_parse(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    for line, fraction, span_lines, new_text in edits:
        line = min(line, len(document.lines) - 1)
        end_line = min(len(document.lines) - 1, line + span_lines)
        start = (line, int(fraction * len(document.lines[line])))
        end = (end_line, int(fraction * len(document.lines[end_line]))) if span_lines else start
        first, old_last, new_last = document.replace(start, end, new_text)
        backlog = reparse(backlog, document.lines, first, old_last, new_last)
        assert backlog == parse_lines(list(document.lines)), repr(document.text)


def test_a_keystroke_in_a_long_list_reads_only_the_items_around_it(monkeypatch):
    lines = ["# Plan", ""] + [f"- [ ] task {n}" for n in range(200)]
    document = TextLines.from_text("\n".join(lines) + "\n")
    backlog = parse_lines(document.lines)
    read = []

    def counting(lines, start, stop_at, original=blocks.read_blocks):
        found, stopped = original(lines, start, stop_at)
        read.append(sum(block.end_line - block.start_line + 1 for block in found))
        return found, stopped

    monkeypatch.setattr(blocks, "read_blocks", counting)
    first, old_last, new_last = document.replace((102, 9), (102, 9), "x")
    after = reparse(backlog, document.lines, first, old_last, new_last)
    assert read == [3]  # the edited item and one on each side, not the 200 of the list
    monkeypatch.undo()
    assert after == parse_lines(list(document.lines))
    assert after.blocks[1].items[0] is backlog.blocks[1].items[0]  # untouched items are kept
