"""After any series of edits, the diagnostics JSON encoded with the last edit's fragments reused
(those of findings moved by an Enter rewritten, ``diagnostics_json``) equals, byte for byte, the
JSON encoded afresh from the same findings, in each position encoding."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backlog_ls.config import Settings, from_toml
from backlog_ls.diagnostics_json import DiagnosticsJson, moved_json
from backlog_ls.parse import parse_lines
from backlog_ls.providers.files import DiskFiles
from backlog_ls.rules import check
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit
from .test_findings_after_edits import JIRA, document_and_edits

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
    text, edits, jira, encoding = case
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
        assert encoder.encode(backlog.lines, found, version, encoding, URI) == fresh, repr(document.text)
        assert pruned.encode(backlog.lines, found, version, encoding, URI) == fresh, repr(document.text)
        json.loads(fresh)
    budget.report("diagnostics JSON after edits", edits=len(edits))


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
    fragment = '{"range":{"start":{"line":3,"character":0},"end":{"line":4,"character":2}},"message":"\\"line\\":7 on line 3"}'
    assert moved_json(fragment, 2) == '{"range":{"start":{"line":5,"character":0},"end":{"line":6,"character":2}},"message":"\\"line\\":7 on line 3"}'


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
