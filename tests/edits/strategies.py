"""Hypothesis strategies: random backlogs with nested tasks, odd spacing, emoji, CJK and CRLF."""

from __future__ import annotations

import re

from hypothesis import strategies as st

WORDS = ["parser", "Ship", "it", "and", "😀", "解析器", "テスト", "#12", "(#TBD)", "Task 1.2:", "`code`", "🎉done", "A,", "B;", "+"]

_word = st.sampled_from(WORDS)
_text = st.lists(_word, min_size=0, max_size=5).map(" ".join)


@st.composite
def item_line(draw) -> str:
    indent = " " * draw(st.integers(0, 6))
    marker = draw(st.sampled_from(["-", "*", "+", "1.", "2)", "10."]))
    gap = " " * draw(st.integers(1, 3))
    checkbox = draw(st.one_of(st.none(), st.sampled_from([" ", "x", "X", "~"])))
    after = " " * draw(st.integers(1, 3))
    box = "" if checkbox is None else f"[{checkbox}]{after}"
    return f"{indent}{marker}{gap}{box}{draw(_text)}".rstrip(" ") or "-"


_line = st.one_of(
    item_line(),
    item_line(),
    item_line(),
    st.just(""),
    _text.map(lambda t: f"## {t or 'Phase'}"),
    _text.map(lambda t: f"  {t}"),
    _text,
)


@st.composite
def backlogs(draw) -> str:
    lines = draw(st.lists(_line, min_size=1, max_size=14))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(["# Plan", *lines]) + newline


_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])$")


def words(text: str) -> list[str]:
    """The non-space tokens of a text, list markers counted alike ("*" and "-", "1." and "1)")."""
    return ["<marker>" if _MARKER.match(token) else token for token in text.split()]
