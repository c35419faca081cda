"""Plain lists read without mistletoe give the very model mistletoe's reading gives."""

from __future__ import annotations

import random

import pytest

from backlog_ls.parse import parse, plain_lists

from .conftest import shared_files
from .robustness.budget import count, report


def _both_readings(text: str):
    """The model with plain lists read by ``plain_lists``, then by mistletoe, and the first lines of those it read."""
    read = plain_lists.read
    taken = []

    def counting(lines, first):
        result = read(lines, first)
        if result is not None:
            taken.append(first)
        return result

    try:
        plain_lists.read = counting
        fast = parse(text)
        plain_lists.read = lambda lines, first: None
        slow = parse(text)
    finally:
        plain_lists.read = read
    return fast, slow, taken


def test_a_backlog_list_is_read_plain_and_as_mistletoe_reads_it():
    text = (
        "# Plan\n\n"
        "- [x] **Task 1.1 (#12):** Parser ✅\n"
        "  - [ ] Write tests, see `x | y`\n"
        "    more of the subtask's text\n"
        "      - [X] deeper\n"
        "  - [ ] sibling\n"
        "- [ ] **Task 1.2:** Depends on Task 1.1\n"
        "\n"
        "Text after.\n"
    )
    fast, slow, taken = _both_readings(text)
    assert taken == [2]
    assert fast == slow
    items = fast.blocks[1].items
    assert [item.text for item in items] == ["**Task 1.1 (#12):** Parser ✅", "**Task 1.2:** Depends on Task 1.1"]
    assert [child.text for child in items[0].children] == ["Write tests, see `x | y`\nmore of the subtask's text", "sibling"]
    assert items[0].children[0].children[0].checkbox == "X"
    assert items[0].span.end_line == 6


@pytest.mark.parametrize(
    "text",
    [
        "- a\n- # heading\n",  # a heading inside an item
        "- a\n  1. ordered\n",
        "- a\n        - too deep: paragraph text\n",
        "- a\nlazy text\n",
        "- a\n\n- loose\n",
        "- a\n\n  indented after a blank\n",
        "- a\n* other bullet\n",
        "- a\n\t- tab\n",
        "- [x]\n",
        "-[ ] glued\n",
        "- a\n  ```\n  code\n  ```\n",
        "- a\n  > quote\n",
        "- a\n---\n",
        "- a\n\u00a0\ntext\n",
        "- a\n  <div>\n",
        "- a\n  [x]: /url\n",
        "- a\n\n- b\n",  # loose
        "- a\n\n1. b\n",
        "- a\n\n  b\n",
        "- a\n\n-\u00a0b\n",
    ],
)
def test_lines_that_could_mean_something_else_are_left_to_mistletoe(text):
    fast, slow, taken = _both_readings(text)
    assert 0 not in taken
    assert fast == slow


_LINES = [
    "- a",
    "- [ ] task #12",
    "- [x] **Task 1.1:** done",
    "  - sub",
    "  - [X] sub task",
    "    - subsub",
    "   - three spaces",
    "     - five",
    "      - six",
    "        - eight",
    "  text",
    "    text",
    "text",
    "",
    "   ",
    "* star",
    "+ plus",
    "1. one",
    "  2) two",
    "# Heading",
    "  # heading",
    "> quote",
    "  > quote",
    "```",
    "  ```",
    "---",
    "  ---",
    "***",
    "- ---",
    "===",
    "  ===",
    "| a | b |",
    "  |---|---|",
    "- a | b",
    "  --- | ---",
    "<div>",
    "  <!-- c -->",
    "[x]: /url",
    "  [^1]: note",
    "-[ ] glued",
    "- [ ]",
    "- [x]text",
    "-",
    "  -",
    "\t- tab",
    "- \ttab",
    "\u00a0",
    "- **bold** text",
    "  __under__ text",
    "- 2024 plan",
    "- 1. nested ordered",
    "- > quoted",
    "- `code` first",
    "- ``two`` ticks",
    "- ```fence",
    "  - 50.6% rate",
    "- 1.5x faster",
    "- 12) twelve",
    "- 3.\u00a0nbsp",
    "**Bold:** after",
    "*em* text",
    "-\u00a0x",
    "* * *",
    "___",
    "- - -",
    "1.\ttab",
]


def test_random_lists_read_plain_equal_mistletoe():
    generator = random.Random(17)
    documents = count(fast=3000, soak=100_000)
    plain = 0
    for _ in range(documents):
        chosen = [generator.choice(_LINES[:14] if generator.random() < 0.6 else _LINES) for _ in range(generator.randint(1, 12))]
        text = "\n".join(chosen) + generator.choice(["", "\n"])
        fast, slow, taken = _both_readings(text)
        plain += len(taken)
        assert fast == slow, text
    report("plain lists against mistletoe", documents=documents, plain_lists=plain)
    assert plain > documents // 10  # the comparison compared something


@pytest.mark.shared("corpus", "corpus2")
def test_real_backlogs_read_the_same():
    plain = 0
    for path in shared_files("corpus") + shared_files("corpus2"):
        fast, slow, taken = _both_readings(path.read_text(encoding="utf-8", errors="replace"))
        plain += len(taken)
        assert fast == slow, path.name
    assert plain > 100


def _nested(depth: int, *, first: int = 0) -> str:
    return "".join("  " * level + f"- [ ] level {level}\n" for level in range(first, first + depth))


@pytest.mark.parametrize(
    "text, kept_as_text",
    [
        (_nested(48), False),
        (_nested(49), True),
        # The nesting region goes on after the list (a thematic break and a quote start containers):
        # the deep quote below makes the whole region text, as mistletoe's reading has it.
        (_nested(3) + "\n* * *\n" + "".join(">" * level + " - x\n" for level in range(1, 60)), True),
        (_nested(3) + "\n> quote\n", False),
        (_nested(3) + "\n# Heading\n" + _nested(49), True),
        (_nested(3) + "\n\ntext\n" + "\n" + _nested(40), False),
    ],
)
def test_a_plain_list_nests_as_deep_as_a_list_mistletoe_reads(text, kept_as_text):
    fast, slow, taken = _both_readings(text)
    assert fast == slow
    assert any(problem.code == "unparsable-block" for problem in fast.problems) == kept_as_text
