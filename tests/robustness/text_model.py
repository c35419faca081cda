"""The client's side of text synchronisation: a document as an editor keeps it.

Written apart from backlog_ls/text.py on purpose (offsets into one string, not a list of
lines), so a fuzz that compares the two can catch a mistake in either.

LSP positions: only \\n, \\r\\n and \\r end a line; a character past the end of its line
means the end of the line, a line past the last one the end of the document; a position
inside a character (half a surrogate pair, the middle of a UTF-8 sequence) is taken as
the start of that character (backlog-ls's documented choice; the specification leaves it open).
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def units(ch: str, encoding: str) -> int:
    """The width of one code point in the encoding's units."""
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    if encoding == "utf-8":
        return len(ch.encode("utf-8", "surrogatepass"))
    return 1


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line's content, terminators excluded."""
    spans, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def offset_of(text: str, line: int, character: int, encoding: str, spans: list[tuple[int, int]] | None = None) -> int:
    """The code point offset of an LSP position."""
    spans = spans if spans is not None else line_spans(text)
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    used = 0
    for offset in range(start, end):
        width = units(text[offset], encoding)
        if used + width > character:
            return offset
        used += width
    return end


def position_of(text: str, offset: int, encoding: str, spans: list[tuple[int, int]] | None = None) -> tuple[int, int]:
    """The LSP position of a code point offset (an offset inside a line break counts as the line's end)."""
    spans = spans if spans is not None else line_spans(text)
    for line, (start, end) in enumerate(spans):
        if offset <= end or line == len(spans) - 1:
            offset = min(offset, end)
            return line, sum(units(ch, encoding) for ch in text[start:offset])
    raise AssertionError("unreachable")


def replace(text: str, start: int, end: int, new_text: str) -> str:
    start, end = sorted((start, end))
    return text[:start] + new_text + text[end:]
