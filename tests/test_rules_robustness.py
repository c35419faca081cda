"""Every rule on random Markdown and after random edits: no rule fails, every finding lies in the text.

``rules.check`` keeps going when a rule raises (it logs the failure and leaves that rule
out), so a failing rule would go unnoticed by the other tests: this one watches the log.
"""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.config import Settings
from backlog_ls.fixes import apply_fixes
from backlog_ls.parse import parse, parse_lines, reparse
from backlog_ls.rules import check
from backlog_ls.text import TextLines

from .test_incremental import PIECES, insertions

RULE_PIECES = PIECES + [
    "- [x] **Task 1.2 (Issue #4):** done\n", "- [ ] **Task 7.1 (#TBD):** open\n", "  - [ ] sub\n",
    "## Phase 2 ✅\n", "**Status**: Completed\n", "## Definition of Done\n1. The issue is closed.\n",
    "[a link](missing.md) ", "[anchor](#nowhere) ", "RFC 9999 ", "RFC 2616 ", "Ã© â€” ", "<!-- backlog-ls-disable -->\n",
    "- [~] custom\n", "* [ ] star\n", "   - [ ] odd indent\n", "- [ ]\n",
    "- [x] parent\n  - [ ] open child\n", "- [ ] parent\n  - [x] done child\n",
    "## Phase 8\n- [ ] **Task 7.2 (Issue #1):** x\n- [ ] **Task 7.2 (Issue #1):** y\n- [ ] **Task 8.3:** z\n",
    "- [ ] [RFC 68](docs/rfcs/0068-a.md) and [RFC 68](docs/rfcs/0068-b.md)\n", "\n",
]
documents = st.lists(st.sampled_from(RULE_PIECES), max_size=60).map("".join)
SETTINGS = Settings(states={"~": "in-progress"})


def _inside(finding, lines) -> bool:
    span = finding.span
    return (
        0 <= span.start_line <= span.end_line < len(lines)
        and 0 <= span.start_col <= len(lines[span.start_line])
        and 0 <= span.end_col <= len(lines[span.end_line])
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents, st.lists(st.tuples(st.floats(0, 1), insertions), max_size=4))
def test_no_rule_fails_and_findings_stay_in_the_text(caplog, text, edits):
    caplog.set_level(logging.ERROR, logger="backlog_ls")
    document = TextLines.from_text(text)
    backlog = parse_lines(tuple(document.lines))
    for fraction, new_text in [(0.0, "")] + edits:
        line = int(fraction * (len(document.lines) - 1))
        first, old_last, new_last = document.replace((line, 0), (line, 0), new_text)
        backlog = reparse(backlog, tuple(document.lines), first, old_last, new_last)
        found = check(backlog, SETTINGS, path="/nonexistent/BACKLOG.md")
        assert all(_inside(finding, backlog.lines) for finding in found)
        for finding in found:
            for fix in finding.fixes:
                for edit in fix.edits:
                    assert _inside(type(finding)(finding.rule, finding.code, "", edit.span, ""), backlog.lines)
        # The safe fixes apply without error and the result parses and checks again.
        fixed = apply_fixes(document.text, [fix for finding in found for fix in finding.fixes if fix.safe]).text
        check(parse(fixed), SETTINGS)
    failures = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert failures == []


def test_a_failing_block_rule_loses_its_own_findings_only(caplog):
    # The block rules are checked together (one lookup per block for all of them): one that
    # raises must still leave the others' findings, and those of the rules that do not fail, whole.
    from backlog_ls.rules import ERROR, Rule, parent_not_done
    from backlog_ls.rules import malformed_task

    def fail(context, item):
        raise RuntimeError("boom")

    failing = Rule(name="always-fails", code="BL999", severity=ERROR, summary="fails", check_item=fail)
    text = "# Plan\n\n- [ x] malformed\n- [ ] parent\n  - [x] its only subtask\n"
    alone = check(parse(text), SETTINGS, rules=[malformed_task.RULE, parent_not_done.RULE])
    with caplog.at_level(logging.ERROR):
        found = check(parse(text), SETTINGS, rules=[malformed_task.RULE, failing, parent_not_done.RULE])
    assert [(f.code, f.span.start_line, f.message) for f in found] == [
        ("BL201", 2, "'[ x]' is not a checkbox: write '[x]'."),
        ("BL302", 3, "Its only subtask is done, but this task is not ticked."),
    ]
    assert found == alone
    assert [record.getMessage() for record in caplog.records] == ["rule always-fails failed; its findings are left out"]
