"""Lines and columns: only \\n, \\r\\n and \\r end a line; columns convert between encodings in one place."""

from __future__ import annotations

import random

import pytest

from backlog_ls.text import (
    UTF8,
    UTF16,
    UTF32,
    TextLines,
    from_client_column,
    split_lines,
    to_client_column,
)


def test_split_lines_keeps_terminators_and_ignores_unicode_separators():
    assert split_lines("a\r\nb\rc\nd\u2028e\x0cf\x85") == (["a", "b", "c", "d\u2028e\x0cf\x85"], ["\r\n", "\r", "\n", ""])
    assert split_lines("x\n") == (["x", ""], ["\n", ""])


@pytest.mark.parametrize(
    ("line", "column", "utf16", "utf8"),
    [("a😀b", 2, 3, 5), ("看板x", 2, 2, 6), ("abc", 3, 3, 3), ("é", 1, 1, 2), ("😀😀é\ud800x", 4, 6, 13)],
)
def test_columns_convert_both_ways(line, column, utf16, utf8):
    assert to_client_column(line, column, UTF16) == utf16
    assert to_client_column(line, column, UTF8) == utf8
    assert to_client_column(line, column, UTF32) == column
    assert from_client_column(line, utf16, UTF16) == column
    assert from_client_column(line, utf8, UTF8) == column


def test_column_inside_a_character_moves_to_its_start_and_past_the_end_clamps():
    assert from_client_column("😀", 1, UTF16) == 0
    assert from_client_column("é", 1, UTF8) == 0
    assert from_client_column("ab", 99, UTF16) == 2


def test_replace_matches_a_fresh_split_for_random_edits():
    rng = random.Random(7)
    alphabet = ["a", "\r", "\n", "\r\n", "😀", "\u2028"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        document = TextLines.from_text(text)
        positions = sorted(
            (line, rng.randint(0, len(document.lines[line])))
            for line in (rng.randrange(len(document.lines)), rng.randrange(len(document.lines)))
        )
        offsets = [sum(len(document.lines[i]) + len(document.ends[i]) for i in range(line)) + col for line, col in positions]
        insert = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        expected = text[: offsets[0]] + insert + text[offsets[1] :]
        document.replace(positions[0], positions[1], insert)
        assert document.text == expected
        assert (document.lines, document.ends) == split_lines(expected)
