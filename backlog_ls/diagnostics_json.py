"""One document's findings as a JSON array of diagnostics, each encoded once and reused.

After a keystroke in a 20,000-task backlog almost every finding is the one of the keystroke
before, and converting and encoding thousands of them again cost more than finding them:
a diagnostic is reused while its finding and the lines it touches stay the same (told by
identity first: the rules hand back the very finding objects, on the very line strings, for
what a keystroke did not touch). After an Enter every finding below it is the same finding
moved down a line (the rules move them, ``rules.shift_findings``), and the findings are sorted
by place: the one as many from the end in the last call is the one it was moved from, compared
field by field, without a key (``_moved_copy``; others are found by a key without their place).
Its diagnostic is the one before with each line number moved the same: a %-template of its line
numbers, made the first time it moves, filled in (``_placed``), instead of converting and encoding
the finding again. Pure: the server keeps one ``DiagnosticsJson`` per open document, used by one
check at a time, so its caches are never shared between threads.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence

from . import checkpoint, convert
from .model import Span
from .rules import Finding

logger = logging.getLogger(__name__)

# Cached diagnostics are encoded without the document version, which changes with every
# edit; this stand-in marks where it goes.
VERSION_SLOT = "@@backlog-ls-version@@"
VERSION_SLOT_JSON = json.dumps(VERSION_SLOT)

# A line number in compact JSON: the only key "line" is a position's (a string's own quotes are escaped).
_LINE_NUMBER = re.compile(r'"line":(\d+)')


# A finding's diagnostic: (its JSON, its key without its place or None, its first line, its JSON as
# a %-template of its line numbers and those counted from its first (``_template``), or None until it moves).
Entry = tuple[str, "tuple | None", int, "tuple[str, tuple[int, ...] | int] | None"]
# A finding's row: (the finding, the text of its one line or None, the text of each line it touches
# when it is not on one line with no fixes or related places (None then), its entry).
Row = tuple[Finding, "str | None", "tuple[str, ...] | None", Entry]


def moved_json(fragment: str, delta: int) -> str:
    """An encoded diagnostic of a finding moved down by ``delta`` whole lines, from the encoding
    of the finding where it was: every place of it lies in its document and moves with it."""
    return _placed((fragment, None, 0, None), delta)[0]


class DiagnosticsJson:
    """``encode(...)``: the findings as diagnostics, reusing what the last call encoded."""

    __slots__ = ("_by_finding", "_encoding", "_last", "_placeless", "_rows", "_slack")

    def __init__(self, slack: int = 1024) -> None:
        self._slack = slack  # how many more keys without a place than twice the findings are kept
        self._encoding: str | None = None
        # id(finding) -> its row, of the last call. A rule that found nothing new returns the very
        # Finding objects of the check before (7,176 of 7,185 after a keystroke at 20,000 tasks), on
        # the very line strings: those are told by identity, without building and hashing a key for each.
        self._last: dict[int, Row] = {}
        # The same rows in the order of the last call's findings: after an Enter the findings below it
        # are those of the rows as many from the end, moved (``_moved_copy``), told without a key.
        self._rows: list[Row] = []
        # A finding's key without its place (what its diagnostic reads but its line, ``_placeless_key``)
        # -> its entry: of the findings encoded since the last pruning
        self._placeless: dict[tuple, Entry] = {}
        # (finding, the lines it touches) -> its entry, of the last call's findings on several lines:
        # built when a finding is not found by its place (a line in another file), once per call.
        self._by_finding: dict[tuple, Entry] | None = None

    def encode(self, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str, uri: str) -> str:
        if encoding != self._encoding:
            self._encoding, self._last, self._placeless, self._rows = encoding, {}, {}, []
        last, rows = self._last, self._rows
        self._by_finding = None
        below = len(rows) - len(found)  # a finding's row from the end in the last call, less its index
        current: dict[int, Row] = {}
        new_rows: list[Row] = []
        add_row = new_rows.append
        fragments = []
        append = fragments.append
        count = len(lines)
        for index, finding in enumerate(found):
            if not index & 255:
                checkpoint.reached()
            try:
                span = finding.span
                start = span.start_line
                line = lines[start] if start == span.end_line and 0 <= start < count and not finding.related and not finding.fixes else None
                touched = None if line is not None else convert.lines_touched(finding, lines)
                seen = last.get(id(finding))
                if seen is not None and seen[0] is finding and (seen[1] is line if line is not None else seen[2] == touched):
                    row = seen  # its diagnostic as it was, in the row as it was
                else:
                    aligned = rows[index + below] if 0 <= index + below < len(rows) else None
                    row = (finding, line, touched, self._entry(finding, line, touched, aligned, lines, encoding, uri))
                current[id(finding)] = row
                add_row(row)
                append(row[3][0])
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        self._last, self._rows, self._by_finding = current, new_rows, None
        if len(self._placeless) > 2 * len(current) + self._slack:
            # A key without a place names its diagnostic wherever it is, so an old one is never wrong,
            # only kept for nothing: those of the findings gone are dropped now and then.
            self._placeless = {seen[3][1]: seen[3] for seen in current.values() if seen[3][1] is not None}
        # The version goes in once, over the whole text: the stand-in is a JSON string that no
        # diagnostic's own text can hold (its quotes would be escaped there), so only the slots match.
        return ("[" + ",".join(fragments) + "]").replace(VERSION_SLOT_JSON, json.dumps(version))

    def _entry(
        self, finding: Finding, line: str | None, touched: tuple[str, ...] | None, aligned: Row | None,
        lines: Sequence[str], encoding: str, uri: str,
    ) -> Entry:
        """The entry of a finding not encoded last time (or not on these lines): that of the last call's
        finding as many from the end when it is this one moved (an Enter above), else that of an equal
        finding found by its key, else encoded afresh."""
        if line is not None:
            # Told without a key: on the same line text (so the same columns in the client's units), the same finding moved.
            if aligned is not None and aligned[1] is line and _moved_copy(finding, aligned[0]):
                return _placed(aligned[3], finding.span.start_line)
            touched = (line,)
        elif finding.related and any(related.path is not None for related in finding.related):
            # Not found again by its place (``_encoded``): by an equal finding's.
            if self._by_finding is None:
                self._by_finding = {(seen[0], seen[2]): seen[3] for seen in self._last.values() if seen[2] is not None}
            entry = self._by_finding.get((finding, touched))
            if entry is not None:
                return entry
        entry = _encoded(finding, touched, lines, encoding, uri, self._placeless)
        if entry[1] is not None:
            self._placeless[entry[1]] = entry
        return entry


def _moved_copy(finding: Finding, was: Finding) -> bool:
    """Whether ``finding`` is ``was`` moved by whole lines (``shift_findings``), for findings on one line
    with no fixes or related places."""
    span, place = finding.span, was.span
    return (
        place.start_col == span.start_col
        and place.end_col == span.end_col
        and finding.message == was.message
        and finding.code == was.code
        and finding.rule == was.rule
        and finding.severity == was.severity
    )


def _placed(entry: Entry, first: int) -> Entry:
    """``entry`` of a finding moved to line ``first``: its JSON with each line number moved the same."""
    if entry[2] == first:
        return entry
    template = entry[3] or _template(entry[0], entry[2])
    text, relative = template
    numbers = (first,) * relative if isinstance(relative, int) else tuple([first + line for line in relative])
    return text % numbers, entry[1], first, template


def _encoded(
    finding: Finding, touched: tuple[str, ...], lines: Sequence[str], encoding: str, uri: str, placeless: dict[tuple, Entry]
) -> Entry:
    """A finding not encoded last time: the one it was moved from with its line numbers written anew, or encoded afresh."""
    first = finding.span.start_line
    key = _placeless_key(finding, first, encoding, touched)
    if key is not None:
        moved_from = placeless.get(key)
        if moved_from is not None:
            return _placed(moved_from, first)
    fragment = json.dumps(
        convert.diagnostic_json(finding, lines, encoding, VERSION_SLOT, uri),
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return fragment, key, first, None


def _placeless_key(finding: Finding, first: int, encoding: str, touched: tuple[str, ...]) -> tuple | None:
    """All that the finding's diagnostic reads but its line ``first``: equal for a finding and its copy
    moved by whole lines (``shift_findings``), built from the fields rather than by moving the finding
    to line 0 (a new Finding, Fix and Edit each, and their hashes: 10 µs a finding with a fix)."""
    span = finding.span
    place = (span.start_col, span.end_line - first, span.end_col)
    if not finding.fixes and not finding.related:  # most findings: all their diagnostic says, but the line
        return (finding.rule, finding.code, finding.severity, finding.message, *place, encoding, *touched)
    if any(related.path is not None for related in finding.related):  # a line in another file does not move
        return None
    fixes = tuple(
        (fix.title, fix.safe, fix.preferred, tuple((_relative(edit.span, first), edit.new_text) for edit in fix.edits)) for fix in finding.fixes
    )
    related = tuple((_relative(other.span, first), other.message, other.line_text) for other in finding.related)
    return (finding.rule, finding.code, finding.severity, finding.message, place, fixes, related, encoding, *touched)


def _relative(span: Span, first: int) -> tuple[int, int, int, int]:
    return span.start_line - first, span.start_col, span.end_line - first, span.end_col


def _template(fragment: str, first: int) -> tuple[str, tuple[int, ...] | int]:
    """An encoded diagnostic of a finding on line ``first`` as a %-template of its line numbers, and
    those counted from ``first`` (their count alone when all are ``first``: most findings lie on one
    line and have no fixes): made the first time it moves, to write it anywhere with one ``%``."""
    relative: list[int] = []

    def hole(number: re.Match) -> str:
        relative.append(int(number.group(1)) - first)
        return '"line":%d'

    text = _LINE_NUMBER.sub(hole, fragment.replace("%", "%%"))
    return text, (len(relative) if not any(relative) else tuple(relative))
