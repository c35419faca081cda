"""Text as lines, and columns in the three encodings LSP knows (and a shortcut for the case-ignoring
searches the parser and the task states make on every line: ``may_hold_ignoring_case``).

Only ``\\n``, ``\\r\\n`` and ``\\r`` end a line, as in LSP. ``str.splitlines`` also
splits on ``\\x0c``, ``\\x85``, ``\\u2028`` and friends, which would shift every
position after such a character, so it is never used on document text.

A document is kept as a list of lines without their terminators plus the list
of terminators (the last one is always ""), so the text round-trips byte for
byte and an edit touches only the lines it covers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

_LINE_END = re.compile(r"\r\n|\r|\n")

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` into lines and their terminators; ``len(lines) == len(ends)``, last end is ""."""
    if "\r" not in text:  # (most documents: one split in C)
        lines = text.split("\n")
        return lines, ["\n"] * (len(lines) - 1) + [""]
    lines: list[str] = []
    ends: list[str] = []
    start = 0
    for match in _LINE_END.finditer(text):
        lines.append(text[start : match.start()])
        ends.append(match.group())
        start = match.end()
    lines.append(text[start:])
    ends.append("")
    return lines, ends


# Three letters match an ASCII letter when case is ignored but are not one lower-cased: U+0131 and
# U+017F stay themselves, and U+0130 lowers to "i" and U+0307 (U+212A lowers to "k" and needs nothing).
_FOLDED_LETTERS = re.compile("[\u0131\u017f\u0307]")


def may_hold_ignoring_case(words: re.Pattern[str], lowered: str) -> bool:
    """Whether a text, given lower-cased, may match a case-ignoring pattern all of whose matches hold
    one of ``words`` (a plain pattern of lower-case words): it holds one of them, or a letter only the
    pattern itself can tell. A search that ignores case costs some ten to thirty times a plain one,
    so it is asked of the texts this lets through only."""
    return words.search(lowered) is not None or _FOLDED_LETTERS.search(lowered) is not None


def _utf16_length(text: str) -> int:
    # Code points above the BMP take two UTF-16 code units: counted by the codec, in C.
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf8_length(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def to_client_column(line: str, column: int, encoding: str) -> int:
    """Convert a code point column in ``line`` to the client's units."""
    column = max(0, min(column, len(line)))
    if encoding == UTF32 or line.isascii():  # (most lines: a code point is a unit in every encoding)
        return column
    prefix = line[:column]
    return _utf16_length(prefix) if encoding == UTF16 else _utf8_length(prefix)


def from_client_column(line: str, column: int, encoding: str) -> int:
    """Convert a column in the client's units to a code point column, clamped to the line.

    A column that falls inside a character (half a surrogate pair, the middle of a
    UTF-8 sequence) is moved to the start of that character.
    """
    if column <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(column, len(line))
    units = 0
    for index, ch in enumerate(line):
        width = (2 if ord(ch) > 0xFFFF else 1) if encoding == UTF16 else len(ch.encode("utf-8", "surrogatepass"))
        if units + width > column:
            return index
        units += width
    return len(line)


@attrs.define
class TextLines:
    """A mutable document text kept as lines; the one place where edits are applied."""

    lines: list[str]
    ends: list[str]

    @classmethod
    def from_text(cls, text: str) -> TextLines:
        lines, ends = split_lines(text)
        return cls(lines, ends)

    @property
    def text(self) -> str:
        return "".join(line + end for line, end in zip(self.lines, self.ends))

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def clamp(self, line: int, column: int) -> tuple[int, int]:
        """Clamp a code point position to the document (LSP allows positions past the end)."""
        if line < 0:
            return 0, 0
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(self.lines[last])
        return line, max(0, min(column, len(self.lines[line])))

    def replace(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> tuple[int, int, int]:
        """Replace the text between two code point positions.

        Returns (first_line, old_last_line, new_last_line): the lines that changed,
        in old and new numbering, so a parser can re-read only those.
        """
        (start_line, start_col), (end_line, end_col) = sorted([self.clamp(*start), self.clamp(*end)])
        first = start_line
        fragment = self.lines[start_line][:start_col] + new_text + self.lines[end_line][end_col:] + self.ends[end_line]
        # A "\r" ending the line before, followed by a fragment that starts with "\n", is one
        # "\r\n" in the new text: re-split from the line before so lines match a fresh split.
        if first > 0 and self.ends[first - 1] == "\r" and fragment.startswith("\n"):
            first -= 1
            fragment = self.lines[first] + self.ends[first] + fragment
        new_lines, new_ends = split_lines(fragment)
        if self.ends[end_line] != "":
            # The fragment ended with the old line terminator, so split_lines added an empty
            # last line that is really the start of the next, untouched line: drop it.
            new_lines.pop()
            new_ends.pop()
        self.lines[first : end_line + 1] = new_lines
        self.ends[first : end_line + 1] = new_ends
        return first, end_line, first + len(new_lines) - 1


def column_of(lines: Sequence[str], line: int, column: int, encoding: str) -> int:
    """The client column of a code point position, tolerant of positions past the end."""
    if 0 <= line < len(lines):
        return to_client_column(lines[line], column, encoding)
    return column
