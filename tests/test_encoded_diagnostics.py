"""Diagnostics encoded once per finding: after Enter, the findings below move, and so does their JSON.

What the client receives must be exactly what encoding every finding afresh gives: the same
ranges (in the client's columns), fixes, related lines and version.
"""

from __future__ import annotations

import json

from backlog_ls.model import Span
from backlog_ls.rules import Edit, Finding, Fix, Related, shift_findings
from backlog_ls.server.encoded_diagnostics import EncodedDiagnostics

URI = "file:///w/BACKLOG.md"


def _findings(lines: list[str], first: int) -> list[Finding]:
    """Findings on lines first and first + 2, with a fix, a related line here and one elsewhere."""
    fix = Fix("Tick it", (Edit(Span.on_line(first, 3, 4), "x"),))
    here = Related(Span.on_line(first + 2, 2, 5), "named here first")
    elsewhere = Related(Span.on_line(7, 0, 4), "and in the plan", "/w/PLAN.md", "- [ ] T-1 plan")
    return [
        Finding("placeholder-issue", "BL102", "warning", Span.on_line(first, 6, 10), "Finished task names a placeholder", (fix,)),
        Finding("duplicate-task-id", "BL104", "warning", Span.on_line(first + 2, 2, 5), "T-1 again", (), (here,)),
        Finding("duplicate-task-id", "BL104", "warning", Span.on_line(first + 2, 2, 5), "T-1 in two files", (), (elsewhere,)),
    ]


def _fresh(lines, found, version) -> list:
    return json.loads(EncodedDiagnostics().encode(URI, lines, found, version, "utf-16"))


def test_findings_moved_down_by_enter_are_sent_as_if_encoded_afresh():
    lines = ["# Now", "- [x] ✅ T-1 #TBD done", "", "- [ ] T-1 again 😀", ""]
    cache = EncodedDiagnostics()
    before = _findings(lines, 1)
    first = json.loads(cache.encode(URI, lines, before, 3, "utf-16"))
    assert first[0]["range"] == {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 10}}

    moved = ["# Now", "", *lines[1:]]  # Enter at the end of the heading: every finding one line down
    after = [*shift_findings(tuple(before[:2]), 1), _findings(moved, 2)[2]]
    second = json.loads(cache.encode(URI, moved, after, 4, "utf-16"))

    assert second == _fresh(moved, after, 4)
    assert second[0]["range"]["start"] == {"line": 2, "character": 6}
    assert second[0]["data"] == {"rule": "placeholder-issue", "version": 4, "fixes": [
        {"title": "Tick it", "safe": True, "preferred": False,
         "edits": [{"range": {"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 4}}, "newText": "x"}]}
    ]}
    assert second[1]["relatedInformation"][0]["location"]["range"]["start"] == {"line": 4, "character": 2}
    # The other file's line stays where it is.
    assert second[2]["relatedInformation"][0]["location"] == {
        "uri": "file:///w/PLAN.md",
        "range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 4}},
    }

    back = json.loads(cache.encode(URI, lines, before, 5, "utf-16"))  # Backspace: back up again
    assert back == _fresh(lines, before, 5)


def test_a_moved_finding_whose_line_changed_is_encoded_for_its_new_text():
    lines = ["# Now", "- [x] T-1 #TBD done", ""]
    cache = EncodedDiagnostics()
    found = _findings(lines + ["- [ ] T-1", ""], 1)[:1]
    cache.encode(URI, lines, found, 1, "utf-16")
    # Moved down a line, and an emoji typed before the finding: its UTF-16 columns move too.
    moved = ["# Now", "", "-😀 [x] T-1 #TBD done", ""]
    after = list(shift_findings(tuple(found), 1))
    got = json.loads(cache.encode(URI, moved, after, 2, "utf-16"))
    assert got == _fresh(moved, after, 2)
    assert got[0]["range"]["start"] == {"line": 2, "character": 7}
