"""Add issue reference: a placeholder in the document's own style (pure)."""

from __future__ import annotations

import pytest

from backlog_ls.features.edits import apply_edits
from backlog_ls.features.issue_ref import add_issue_actions
from backlog_ls.parse import parse


@pytest.mark.parametrize(
    ("before", "after", "title"),
    [
        ("- [ ] a (Issue #3)\n- [ ] b (Issue #4)\n- [ ] c\n", "- [ ] c (Issue #TBD)", "Add issue reference '(Issue #TBD)'"),
        ("- [ ] #3: a\n- [ ] #TODO: b\n- [ ] c\n", "- [ ] #TODO: c", "Add issue reference '#TODO'"),
        ("- [ ] c\n", "- [ ] c (#TBD)", "Add issue reference '(#TBD)'"),
        ("- [ ] 😀 a (#1)\r\n- [ ] 解析 🎉\r\n", "- [ ] 解析 🎉 (#1)".replace("#1", "#TBD"), "Add issue reference '(#TBD)'"),
    ],
)
def test_add_issue_reference(before, after, title):
    backlog = parse(before)
    line = len(backlog.lines) - 2
    (action,) = add_issue_actions(backlog, line)
    assert action.title == title
    assert apply_edits(before, action.edits).replace("\r\n", "\n").split("\n")[line] == after


def test_not_offered_when_the_task_has_a_reference():
    assert add_issue_actions(parse("- [ ] a (#3)\n- [ ] b #TBD\n- plain\n"), 0) == []
    assert add_issue_actions(parse("- [ ] a (#3)\n- [ ] b #TBD\n- plain\n"), 1) == []
    assert add_issue_actions(parse("- [ ] a (#3)\n- [ ] b #TBD\n- plain\n"), 2) == []
