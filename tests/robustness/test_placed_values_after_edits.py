"""The values kept per block with the line it started at (``memo.PlacedMemo``: a block's RFC citations,
its link targets) and moved for a copy that an edit moved by whole lines equal those read from a fresh
parse, spans, links and all (after random edits: ``test_rules_after_enter``).
"""

from __future__ import annotations

from backlog_ls.parse import parse_lines
from backlog_ls.rfc import cite
from backlog_ls.rules import broken_link
from backlog_ls.text import TextLines

from .edits import apply_edit
from .test_task_index_after_edits import _kept


def placed_values(backlog) -> tuple:
    return (
        list(cite.citations(backlog)),
        [tuple(cite.block_citations(backlog, block)) for block in backlog.blocks],
        list(broken_link.link_targets(backlog)),
    )


def fresh_placed_values(lines) -> tuple:
    """The values of a fresh parse, leaving what is kept of the last document as it was."""
    kept = _kept()
    try:
        return placed_values(parse_lines(list(lines)))
    finally:
        for owner, name, value in kept:
            setattr(owner, name, value)


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
    assert after == fresh_placed_values(document.lines)[0]
