"""After any series of edits, Enter among them, the values kept per block with the line it started at
(``memo.PlacedMemo``: a block's RFC citations, its link targets) and moved for a copy that an edit moved
by whole lines, equal those read from a fresh parse: spans, links and all.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from backlog_ls.parse import parse_lines
from backlog_ls.rfc import cite
from backlog_ls.rules import broken_link
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit
from .test_task_index_after_edits import _kept, document_and_keystrokes


def _values(backlog) -> tuple:
    return (
        list(cite.citations(backlog)),
        [tuple(cite.block_citations(backlog, block)) for block in backlog.blocks],
        list(broken_link.link_targets(backlog)),
    )


def _fresh(lines) -> tuple:
    """The values of a fresh parse, leaving what is kept of the last document as it was."""
    kept = _kept()
    try:
        return _values(parse_lines(list(lines)))
    finally:
        for owner, name, value in kept:
            setattr(owner, name, value)


@settings(max_examples=budget.count(fast=150, soak=3_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_keystrokes())
def test_citations_and_link_targets_after_edits_equal_those_of_a_fresh_parse(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    _values(backlog)
    for edit in edits:
        backlog = apply_edit(document, backlog, *edit)
        assert _values(backlog) == _fresh(document.lines), repr(document.text)
    budget.report("placed values after edits", edits=len(edits))


def test_an_enter_above_a_cited_rfc_moves_its_citation_and_link():
    text = "# Plan\n\nIntro.\n\n- [ ] [RFC 68](docs/rfcs/0068-a.md) and RFC 2616\n"
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    before = cite.citations(backlog)
    backlog = apply_edit(document, backlog, 0.3, 1.0, 0, "\n")  # Enter at the end of "Intro."
    after = cite.citations(backlog)
    assert [(c.span.start_line, c.link and c.link.target_span.start_line) for c in after] == [
        (c.span.start_line + 1, c.link and c.link.target_span.start_line + 1) for c in before
    ]
    assert after == _fresh(document.lines)[0]
