"""After any series of edits, the diagnostics JSON encoded with the last edit's fragments reused
(those of findings moved by an Enter rewritten, ``diagnostics_json``) equals, byte for byte, the
JSON encoded afresh from the same findings, in each position encoding."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backlog_ls.config import Settings, from_toml
from backlog_ls.diagnostics_json import DiagnosticsJson, moved_json
from backlog_ls.model import Span
from backlog_ls.parse import parse_lines, reparse
from backlog_ls.providers.files import DiskFiles
from backlog_ls.rules import Edit, Finding, Fix, check
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit, backlog_lines
from .test_findings_after_edits import (
    ITEM_LINES,
    JIRA,
    OTHER_BLOCKS,
    document_and_edits,
)

URI = "file:///nonexistent/BACKLOG.md"
ENCODINGS = ("utf-16", "utf-8", "utf-32")


@st.composite
def wide_document_and_edits(draw):
    """The findings tests' documents, some lines with characters that count differently per encoding."""
    text, edits, jira = draw(document_and_edits())
    lines = text.split("\n")
    for n in draw(st.lists(st.integers(0, len(lines) - 1), max_size=6)):
        lines[n] = lines[n] + draw(st.sampled_from([" café", " 😀 emoji", " 日本 (#12)", " naïve [x]"]))
    edits = edits + draw(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 2), st.sampled_from(["\n", "😀", "é\n", ""])), max_size=4))
    return "\n".join(lines), edits, jira, draw(st.sampled_from(ENCODINGS))


@settings(max_examples=budget.count(fast=120, soak=3_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_document_and_edits())
@example(("# Plan\n\n- [c] typo 1\n- [c] typo 2\n\n## Section 3\n\n- [ ] open 4 (#4)\n", [(0.1, 0.0, 0, "\n"), (0.1, 0.0, 1, "")], False, "utf-16"))
def test_reused_diagnostics_equal_those_encoded_afresh(case):
    budget.report("diagnostics JSON after edits", edits=_reused_and_compared(*case))


def _reused_and_compared(text: str, edits: list[tuple], jira: bool, encoding: str) -> int:
    """Each edit in turn, then the findings encoded by encoders that reuse the last call's diagnostics,
    compared with a fresh encoder's; the count of edits."""
    options = from_toml(JIRA, ".backlog-ls.toml")[0] if jira else Settings()
    where = {"path": "/nonexistent/BACKLOG.md", "files": DiskFiles()}
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    encoder, pruned = DiagnosticsJson(), DiagnosticsJson(slack=-1)  # the second drops old keys every time
    for warm in (encoder, pruned):
        warm.encode(backlog.lines, check(backlog, options, **where), 1, encoding, URI)
    for version, edit in enumerate(edits, start=2):
        backlog = apply_edit(document, backlog, *edit)
        found = check(backlog, options, **where)
        fresh = DiagnosticsJson().encode(backlog.lines, found, version, encoding, URI)
        assert encoder.encode(backlog.lines, found, version, encoding, URI) == fresh, (repr(document.text), edit)
        assert pruned.encode(backlog.lines, found, version, encoding, URI) == fresh, (repr(document.text), edit)
        json.loads(fresh)
    return len(edits)


# Enter, Enter twice, Backspace at a line's start (a range to the next line's start: joins the two),
# and lines whose characters count differently per encoding: the findings below move, up and down.
ENTER_HEAVY_EDITS = st.tuples(st.floats(0, 1), st.floats(0, 1), st.sampled_from([0, 0, 0, 1, 1]), st.sampled_from(["\n", "\n", "\n\n", "", "😀\n", "x"]))


@st.composite
def long_document_and_enters(draw):
    """Long documents (long lists among them, whose items are remembered one by one), some lines
    wide in UTF-16 or UTF-8, and a run of mostly Enters and joined lines."""
    lines = backlog_lines(draw, draw(st.integers(60, 240)), ITEM_LINES, OTHER_BLOCKS, rarity=draw(st.sampled_from([3, 40])))
    for n in draw(st.lists(st.integers(2, len(lines) - 1), max_size=8)):
        lines[n] = lines[n] + draw(st.sampled_from([" café", " 😀 emoji", " 日本 (#TBD)"]))
    edits = draw(st.lists(ENTER_HEAVY_EDITS, min_size=2, max_size=12))
    return "\n".join(lines) + "\n", edits, draw(st.booleans()), draw(st.sampled_from(ENCODINGS))


@settings(max_examples=budget.count(fast=40, soak=1_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_document_and_enters())
def test_diagnostics_moved_by_enters_in_long_documents_equal_those_encoded_afresh(case):
    """After each edit of a run of Enters and Backspaces, the JSON of an encoder that moved the last
    call's diagnostics (those below the edit, told by their place among the findings or by their key)
    equals a fresh encoder's, byte for byte."""
    budget.report("diagnostics JSON after Enters in long documents", edits=_reused_and_compared(*case))


def test_an_enter_moves_the_diagnostics_below_it_with_their_fixes_and_columns():
    """A long list with findings on every fifth item (a typo state, a placeholder after an emoji, an open
    parent whose only subtask is ticked: its fix's edit moves too): an Enter above them, then another, then
    Backspace; each time every diagnostic below is where a fresh encoding puts it."""
    items = []
    for n in range(60):
        items.append(("- [c] typo {n}", "- [ ] 😀 to file (#TBD) {n}", "- [ ] parent {n}", "- [ ] task {n}", "- [ ] task {n} see [x](nowhere.md)")[n % 5].format(n=n))
        if n % 5 == 2:
            items.append(f"  - [x] its only subtask {n}")
    document = TextLines.from_text("# Plan\n\n" + "\n".join(items) + "\n")
    backlog = parse_lines(document.lines)
    encoder = DiagnosticsJson()
    before = json.loads(encoder.encode(backlog.lines, check(backlog, Settings()), 1, "utf-16", URI))
    # Enter at the end of line 10, two at the end of line 3, then Backspace on the empty line from the
    # first (line 13 by then): everything below line 3 ends two lines down.
    for version, (start, end, new_text) in enumerate([((10, None), (10, None), "\n"), ((3, None), (3, None), "\n\n"), ((12, None), (13, 0), "")], start=2):
        start, end = [(line, len(document.lines[line]) if column is None else column) for line, column in (start, end)]
        backlog = reparse(backlog, document.lines, *document.replace(start, end, new_text))
        found = check(backlog, Settings())
        after = json.loads(encoder.encode(backlog.lines, found, version, "utf-16", URI))
        assert after == json.loads(DiagnosticsJson().encode(backlog.lines, found, version, "utf-16", URI))
    moved = [_lines_moved(d, 2) if d["range"]["start"]["line"] > 3 else d for d in before]
    assert [{**d, "data": {**d["data"], "version": 1}} for d in after] == moved
    placeholder = next(d for d in after if d["code"] == "BL102")
    assert placeholder["range"]["start"]["character"] == 18  # 17 code points, the emoji two UTF-16 units
    fixed = next(d for d in after if d["data"]["fixes"])
    assert fixed["data"]["fixes"][0]["edits"][0]["range"]["start"]["line"] == fixed["range"]["start"]["line"]


def _lines_moved(value, by: int):
    """A diagnostic's JSON with every line number in it ``by`` more."""
    if isinstance(value, dict):
        return {key: item + by if key == "line" else _lines_moved(item, by) for key, item in value.items()}
    if isinstance(value, list):
        return [_lines_moved(item, by) for item in value]
    return value


def test_a_finding_that_is_the_one_moved_but_for_a_column_gets_its_own_columns():
    """An Enter above two findings, and each then differs from the one it stands in place of by a column
    only (of its range; of its fix's edit): neither is taken for the other moved."""
    task = "- [ ] a b c d e f"
    before = [
        Finding("r", "BL998", "warning", Span(2, 6, 2, 9), "m"),
        Finding("s", "BL999", "warning", Span(2, 0, 2, 5), "n", (Fix("t", (Edit(Span(2, 2, 2, 5), "[x]"),)),)),
    ]
    after = [
        Finding("r", "BL998", "warning", Span(3, 8, 3, 9), "m"),
        Finding("s", "BL999", "warning", Span(3, 0, 3, 5), "n", (Fix("t", (Edit(Span(3, 3, 3, 5), "[x]"),)),)),
    ]
    encoder = DiagnosticsJson()
    encoder.encode(["# Plan", "", task, ""], before, 1, "utf-16", URI)
    lines = ["# Plan", "", "", task, ""]  # the very line string, moved down
    encoded = json.loads(encoder.encode(lines, after, 2, "utf-16", URI))
    assert encoded == json.loads(DiagnosticsJson().encode(lines, after, 2, "utf-16", URI))
    assert encoded[0]["range"]["start"] == {"line": 3, "character": 8}
    assert encoded[1]["data"]["fixes"][0]["edits"][0]["range"]["start"] == {"line": 3, "character": 3}


def test_an_enter_above_a_finding_moves_its_diagnostic_a_line_down():
    lines = ["# Plan", "", "- [c] typo 1", "", "- [c] typo 2", ""]
    encoder = DiagnosticsJson()
    before = json.loads(encoder.encode(lines, check(parse_lines(lines), Settings()), 1, "utf-16", URI))
    moved = lines[:3] + [""] + lines[3:]
    after = json.loads(encoder.encode(moved, check(parse_lines(moved), Settings()), 2, "utf-16", URI))
    assert [d["range"]["start"]["line"] for d in before if d["code"] == "BL201"] == [2, 4]
    assert [d["range"]["start"]["line"] for d in after if d["code"] == "BL201"] == [2, 5]
    assert [d["data"]["version"] for d in after] == [2] * len(after)


def test_moved_json_moves_line_numbers_and_leaves_the_text():
    fragment = '{"range":{"start":{"line":3,"character":0},"end":{"line":4,"character":2}},"message":"\\"line\\":7 on line 3, 100%d"}'
    moved = '{"range":{"start":{"line":5,"character":0},"end":{"line":6,"character":2}},"message":"\\"line\\":7 on line 3, 100%d"}'
    assert moved_json(fragment, 2) == moved
    assert moved_json(moved, -2) == fragment
    one_line = '{"range":{"start":{"line":3,"character":0},"end":{"line":3,"character":2}},"message":"m"}'
    assert moved_json(one_line, 1) == one_line.replace('"line":3', '"line":4')


def test_a_client_asking_in_another_encoding_gets_that_encoding_columns():
    lines = ["# Plan 😀", "", "- [c] 😀 typo 1", "- [ ] 😀 open (#TBD)", ""]
    found = check(parse_lines(lines), Settings())
    encoder = DiagnosticsJson()
    for encoding in ("utf-16", "utf-8", "utf-32", "utf-16"):
        assert encoder.encode(lines, found, 3, encoding, URI) == DiagnosticsJson().encode(lines, found, 3, encoding, URI)
    # '#TBD' after the emoji: 4 bytes in UTF-8, 2 units in UTF-16, 1 in UTF-32.
    for encoding, column in (("utf-8", 17), ("utf-16", 15), ("utf-32", 14), ("utf-8", 17)):
        placeholder = next(d for d in json.loads(encoder.encode(lines, found, 4, encoding, URI)) if d["code"] == "BL102")
        assert placeholder["range"]["start"] == {"line": 3, "character": column}, encoding
