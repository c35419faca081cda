"""Lazy continuation lines, which the parser checks by reading a quote's or item's lines again,
still cost time in proportion to the document (the re-reading has a budget per container)."""

from __future__ import annotations

import time

import pytest

from backlog_ls.parse import parse

from . import budget


@pytest.mark.parametrize(
    "unit",
    ["> a\nb\n", "> - a\nb\n> c\nd\n", "- a\nb\n  c\nd\n", "> > - [ ] a\nb\n> > c\n"],
    ids=["quote", "quoted list", "list", "nested quotes"],
)
def test_many_lazy_lines_finish_in_proportion_to_their_size(unit):
    repeats = budget.count(fast=3000, soak=30000)
    text = unit * repeats
    started = time.monotonic()
    backlog = parse(text)
    elapsed = time.monotonic() - started
    budget.report(f"lazy lines ({unit!r})", lines=len(backlog.lines), ms=int(elapsed * 1000))
    assert elapsed < budget.seconds(fast=20, soak=200)
    assert backlog.blocks[-1].end_line == text.count("\n") - 1  # read to the end
