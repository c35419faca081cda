"""Open documents and their parsed snapshots, with no LSP types.

The server owns one ``Workspace``; the CLI and the tests can use it directly.
Positions here are code points, as everywhere below ``convert.py``.

Each ``Document`` keeps its text as ``TextLines`` (so an edit touches only the
lines it covers). Parsing is deferred: an edit only records which lines it
changed, and the backlog is parsed when it is next asked for, re-reading only the
blocks those lines touched (``parse.reparse``). ``snapshot()`` hands the text to
another thread (``analysis.py`` parses there, off the request path), and
``backlog`` parses on the spot when nothing did yet. Parsing is guarded: a parser
bug costs the document its structure, never the server its life.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterator

import attrs

from .model import Backlog
from .retired import RETIRED
from .text import TextLines

logger = logging.getLogger(__name__)

Position = tuple[int, int]  # (line, column in code points)
Change = tuple[int, int, int]  # (first line, old last line, new last line), as TextLines.replace returns

# Every parsed snapshot gets a number that is never reused, even across close and
# reopen (where editors restart versions at 1): it names a result, e.g. a pull
# diagnostics ``resultId``, without any risk of matching a different text.
_revisions = itertools.count(1)


def compose(earlier: Change | None, later: Change) -> Change:
    """One change covering ``earlier`` and then ``later`` (whose lines are numbered after ``earlier``).

    It may cover unchanged lines between the two; a re-parse over more lines than
    changed is still exact.
    """
    if earlier is None:
        return later
    first1, old1, new1 = earlier
    first2, old2, new2 = later
    delta1, delta2 = new1 - old1, new2 - old2
    first = min(first1, first2)
    if old2 >= new1:  # the later change reaches past the earlier one's new lines
        old_last, new_last = old2 - delta1, new2
    else:
        old_last, new_last = old1, new1 + delta2
    return first, old_last, new_last


@attrs.frozen
class Snapshot:
    """A document's text at one revision, for parsing on any thread.

    ``change`` says which lines differ from the snapshot before it (None: no lines
    differ, only the version); ``whole`` says the text is new throughout (open, or a
    full-document change).
    """

    revision: int
    version: int | None
    lines: tuple[str, ...]
    change: Change | None
    whole: bool


class Parser:
    """The newest parsed backlog of one document, brought up to date from the snapshots posted.

    Any thread may post and parse. Posting never waits for a parse: a parse takes
    what was posted so far, composes the changes of the snapshots it skips, and
    re-reads only those lines.
    """

    def __init__(self) -> None:
        self._posted: list[Snapshot] = []
        self._posted_lock = threading.Lock()
        self._parse_lock = threading.Lock()
        self.backlog: Backlog | None = None
        self.revision = 0  # of ``backlog``

    def post(self, snapshot: Snapshot) -> None:
        with self._posted_lock:
            self._posted.append(snapshot)

    def parse(self) -> tuple[int, Backlog]:
        """Parse the newest snapshot posted (if newer than the last parse): its revision and backlog."""
        with self._parse_lock:
            with self._posted_lock:
                posted, self._posted = self._posted, []
            if posted:
                self._catch_up(posted)
            assert self.backlog is not None, "a snapshot is posted before the first parse"
            return self.revision, self.backlog

    def _catch_up(self, posted: list[Snapshot]) -> None:
        newest = posted[-1]
        whole = self.backlog is None
        change: Change | None = None
        for snapshot in posted:
            if snapshot.whole:
                whole, change = True, None
            elif snapshot.change is not None and not whole:
                change = compose(change, snapshot.change)
        if whole:
            backlog = _parse_all(newest.lines)
        elif change is not None:
            backlog = _reparse(self.backlog, newest.lines, *change)  # type: ignore[arg-type]
        else:
            backlog = self.backlog
        if self.backlog is not None and backlog is not self.backlog:
            RETIRED.retire(self.backlog)  # freed while the server is idle, not by the next keystroke's work
        self.backlog, self.revision = backlog, newest.revision


class Document:
    """One open document: its text, its version and the backlog parsed from it."""

    def __init__(self, uri: str, text: str, version: int | None = None, path: str | None = None):
        self.uri = uri
        self.version = version
        self.path = path  # on the file system, when the URI names a file: rules resolve relative links with it
        self.parser = Parser()
        self._set_text(text)

    def _set_text(self, text: str) -> None:
        self.text = TextLines.from_text(text)
        self._change: Change | None = None
        self._whole = True
        self._snapshot: Snapshot | None = None
        self.revision = next(_revisions)

    @property
    def backlog(self) -> Backlog:
        """The backlog of the current text; parsed here and now when no other thread did yet."""
        parser = self.parser
        if parser.revision != self.revision:
            self.snapshot()
            parser.parse()
        return parser.backlog  # type: ignore[return-value]

    @property
    def parsed(self) -> bool:
        """Whether ``backlog`` is ready without parsing."""
        return self.parser.revision == self.revision

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines of the current snapshot (without terminators)."""
        return self.backlog.lines  # type: ignore[return-value]

    @property
    def source(self) -> str:
        return self.text.text

    def snapshot(self) -> Snapshot:
        """The current text as a ``Snapshot``, posted to the parser (once per revision and version)."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.revision != self.revision or snapshot.version != self.version:
            if snapshot is not None and snapshot.revision == self.revision:
                lines = snapshot.lines  # only the version moved on
            else:
                # A Backlog is a snapshot that outlives later edits (a publish scheduled for it, a
                # request being answered), so it gets its own immutable copy of the lines: sharing
                # the mutable list would let the next edit change the text under its blocks.
                lines = tuple(self.text.lines)
            snapshot = Snapshot(self.revision, self.version, lines, self._change, self._whole)
            self._change, self._whole = None, False
            self._snapshot = snapshot
            self.parser.post(snapshot)
        return snapshot

    def apply_change(self, start: Position, end: Position, new_text: str) -> None:
        """Replace the text from ``start`` to ``end`` (code points); the lines it touched are read again later."""
        first, old_last, new_last = self.text.replace(start, end, new_text)
        if not self._whole:
            self._change = compose(self._change, (first, old_last, new_last))
        self.revision = next(_revisions)

    def replace_all(self, text: str) -> None:
        """Take a whole new text (a full-document change)."""
        self._set_text(text)


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


# The parser is imported on first use, not with this module: mistletoe alone takes some
# 170 ms to import, and the server answers ``initialize`` before any document arrives.


def _parse_all(lines: tuple[str, ...]) -> Backlog:
    from .parse import parse_lines

    try:
        return parse_lines(lines)
    except Exception:
        logger.exception("The parser failed on the whole document; it is kept as plain text")
        return Backlog(lines, ())


def _reparse(old: Backlog, lines: tuple[str, ...], first: int, old_last: int, new_last: int) -> Backlog:
    from .parse import reparse

    try:
        return reparse(old, lines, first, old_last, new_last)
    except Exception:
        logger.exception("Re-parsing lines %d-%d failed; parsing the whole document instead", first, new_last)
    return _parse_all(lines)
