"""ATX headings read without mistletoe give the very model mistletoe's reading gives."""

from __future__ import annotations

import random
import re

from backlog_ls.parse import blocks, parse

from .robustness.budget import count, report

_PIECES = ["#", "##", "######", "#######", " ", "  ", "   ", "    ", "\t", "x", "Task 1.1", "\x85", "\xa0", "\x0c", "<b>", "\ufeff",
           "- [ ] a", "===", "---", "> q", "```", "[x]", "✅", "#12", "*"]


def _with_and_without_shortcut(text: str):
    saved = blocks._ATX_HEADING
    try:
        fast = parse(text)
        blocks._ATX_HEADING = re.compile(r"(?!)")
        slow = parse(text)
    finally:
        blocks._ATX_HEADING = saved
    return fast, slow


def test_random_heading_lines_read_as_mistletoe_reads_them():
    generator = random.Random(21)
    documents = count(fast=1500, soak=50_000)
    headings = 0
    for _ in range(documents):
        lines = ["".join(generator.choice(_PIECES) for _ in range(generator.randint(0, 4))) for _ in range(generator.randint(1, 5))]
        text = "\n".join(lines)
        fast, slow = _with_and_without_shortcut(text)
        assert fast == slow, repr(text)
        headings += len(fast.headings)
    report("ATX headings against mistletoe", documents=documents, headings=headings)
    assert headings > documents // 8


def test_a_heading_after_a_paragraph_and_in_a_list_is_read_as_mistletoe_reads_it():
    text = "Text\n# Heading\n- item\n# Next ✅\n\n    # code\n\ufeff# not first\n"
    fast, slow = _with_and_without_shortcut(text)
    assert fast == slow
    assert [heading.title for heading in fast.headings] == ["Heading", "Next ✅"]
