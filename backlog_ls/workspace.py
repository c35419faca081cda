"""Open documents and their parsed snapshots, with no LSP types.

The server owns one ``Workspace``; the CLI and the tests can use it directly.
Positions here are code points, as everywhere below ``convert.py``.

Each ``Document`` keeps its text as ``TextLines`` (so an edit touches only the
lines it covers) and the ``Backlog`` parsed from the current text. An edit
re-reads only the blocks it touched (``parse.reparse``). Parsing is guarded:
a parser bug costs the document its structure, never the server its life.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

from .model import Backlog
from .text import TextLines

logger = logging.getLogger(__name__)

Position = tuple[int, int]  # (line, column in code points)

# Every parsed snapshot gets a number that is never reused, even across close and
# reopen (where editors restart versions at 1): it names a result, e.g. a pull
# diagnostics ``resultId``, without any risk of matching a different text.
_revisions = itertools.count(1)


class Document:
    """One open document: its text, its version and the backlog parsed from it."""

    def __init__(self, uri: str, text: str, version: int | None = None, path: str | None = None):
        self.uri = uri
        self.version = version
        self.path = path  # on the file system, when the URI names a file: rules resolve relative links with it
        self.text = TextLines.from_text(text)
        self.backlog = _parse_all(self.text)
        self.revision = next(_revisions)

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines of the current snapshot (without terminators)."""
        return self.backlog.lines  # type: ignore[return-value]

    @property
    def source(self) -> str:
        return self.text.text

    def apply_change(self, start: Position, end: Position, new_text: str) -> None:
        """Replace the text from ``start`` to ``end`` (code points) and re-read what it touched."""
        first, old_last, new_last = self.text.replace(start, end, new_text)
        self.backlog = _reparse(self.backlog, self.text, first, old_last, new_last)
        self.revision = next(_revisions)

    def replace_all(self, text: str) -> None:
        """Take a whole new text (a full-document change)."""
        self.text = TextLines.from_text(text)
        self.backlog = _parse_all(self.text)
        self.revision = next(_revisions)


class Workspace:
    """The open documents, by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int | None = None, path: str | None = None) -> Document:
        document = Document(uri, text, version, path)
        self._documents[uri] = document
        return document

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._documents.pop(uri, None)

    def __contains__(self, uri: object) -> bool:
        return uri in self._documents

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._documents.values()))

    def __len__(self) -> int:
        return len(self._documents)


# A Backlog is a snapshot that outlives later edits (a publish scheduled for it, a
# request being answered), so it gets its own immutable copy of the lines: sharing
# the mutable list would let the next edit change the text under its blocks.
def _snapshot(text: TextLines) -> tuple[str, ...]:
    return tuple(text.lines)


# The parser is imported on first use, not with this module: mistletoe alone takes some
# 170 ms to import, and the server answers ``initialize`` before any document arrives.


def _parse_all(text: TextLines) -> Backlog:
    from .parse import parse_lines

    lines = _snapshot(text)
    try:
        return parse_lines(lines)
    except Exception:
        logger.exception("The parser failed on the whole document; it is kept as plain text")
        return Backlog(lines, ())


def _reparse(old: Backlog, text: TextLines, first: int, old_last: int, new_last: int) -> Backlog:
    from .parse import parse_lines, reparse

    lines = _snapshot(text)
    try:
        return reparse(old, lines, first, old_last, new_last)
    except Exception:
        logger.exception("Re-parsing lines %d-%d failed; parsing the whole document instead", first, new_last)
    try:
        return parse_lines(lines)
    except Exception:
        logger.exception("The parser failed on the whole document; it is kept as plain text")
        return Backlog(lines, ())
