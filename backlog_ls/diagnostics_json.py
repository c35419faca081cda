"""One document's findings as a JSON array of diagnostics, each encoded once and reused.

After a keystroke in a 20,000-task backlog almost every finding is the one of the keystroke
before, and converting and encoding thousands of them again cost more than finding them:
a diagnostic is reused while its finding and the lines it touches stay the same (told by
identity first: the rules hand back the very finding objects, on the very line strings, for
what a keystroke did not touch). After an
Enter every finding below it is the same finding moved down a line (the rules move them,
``rules.shift_findings``); its diagnostic is the one before with each line number moved the
same, which is written anew from the old JSON instead of converting and encoding the finding
again. Pure: the server keeps one ``DiagnosticsJson`` per open document, used by one check
at a time, so its caches are never shared between threads.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence

from . import checkpoint, convert
from .rules import Finding, shift_findings

logger = logging.getLogger(__name__)

# Cached diagnostics are encoded without the document version, which changes with every
# edit; this stand-in marks where it goes.
VERSION_SLOT = "@@backlog-ls-version@@"
VERSION_SLOT_JSON = json.dumps(VERSION_SLOT)

# A line number in compact JSON: the only key "line" is a position's (a string's own quotes are escaped).
_LINE_NUMBER = re.compile(r'"line":(\d+)')


def moved_json(fragment: str, delta: int) -> str:
    """An encoded diagnostic of a finding moved down by ``delta`` whole lines, from the encoding
    of the finding where it was: every place of it lies in its document and moves with it."""
    return _LINE_NUMBER.sub(lambda number: f'"line":{int(number.group(1)) + delta}', fragment)


class DiagnosticsJson:
    """``encode(...)``: the findings as diagnostics, reusing what the last call encoded."""

    __slots__ = ("_encoding", "_last", "_placeless", "_slack")

    def __init__(self, slack: int = 1024) -> None:
        self._slack = slack  # how many more keys without a place than twice the findings are kept
        self._encoding: str | None = None
        # id(finding) -> (the finding, its line (None when it touches several), its key, its entry),
        # of the last call. A rule that found nothing new returns the very Finding objects of the
        # check before (7,176 of 7,185 after a keystroke at 20,000 tasks), on the very line strings:
        # those are told by identity, without building and hashing a key for each.
        self._last: dict[int, tuple[Finding, str | None, tuple, tuple[str, tuple | None, int]]] = {}
        # A finding's key without its place (the finding moved to line 0, or what its diagnostic
        # reads but its line) -> (JSON, first line): of the findings encoded since the last pruning
        self._placeless: dict[tuple, tuple[str, int]] = {}

    def encode(self, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str, uri: str) -> str:
        if encoding != self._encoding:
            self._encoding, self._last, self._placeless = encoding, {}, {}
        last, placeless = self._last, self._placeless
        by_key: dict[tuple, tuple[str, tuple | None, int]] | None = None  # the last call's by key, when first needed
        current: dict[int, tuple[Finding, str | None, tuple, tuple[str, tuple | None, int]]] = {}
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
                # (finding, encoding, the text of each line it touches): with the finding itself,
                # everything its diagnostic's client-unit columns depend on.
                touched = (line,) if line is not None else convert.lines_touched(finding, lines)
                seen = last.get(id(finding))
                if seen is not None and seen[0] is finding and (seen[1] is line if line is not None else seen[2][2:] == touched):
                    key, entry = seen[2], seen[3]
                else:
                    key = (finding, encoding, *touched)
                    entry = None
                    if any(related.path is not None for related in finding.related):
                        # Not found again by its place (``_encoded``): by an equal finding's key.
                        if by_key is None:
                            by_key = {seen[2]: seen[3] for seen in last.values()}
                        entry = by_key.get(key)
                    if entry is None:
                        entry = _encoded(finding, key[2:], lines, encoding, uri, placeless)
                        if entry[1] is not None:
                            placeless[entry[1]] = (entry[0], entry[2])
                current[id(finding)] = (finding, line, key, entry)
                append(entry[0])
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        self._last = current
        if len(placeless) > 2 * len(current) + self._slack:
            # A key without a place names its diagnostic wherever it is, so an old one is never wrong,
            # only kept for nothing: those of the findings gone are dropped now and then.
            self._placeless = {seen[3][1]: (seen[3][0], seen[3][2]) for seen in current.values() if seen[3][1] is not None}
        # The version goes in once, over the whole text: the stand-in is a JSON string that no
        # diagnostic's own text can hold (its quotes would be escaped there), so only the slots match.
        return ("[" + ",".join(fragments) + "]").replace(VERSION_SLOT_JSON, json.dumps(version))


def _encoded(
    finding: Finding, touched: tuple[str, ...], lines: Sequence[str], encoding: str, uri: str, placeless: dict[tuple, tuple[str, int]]
) -> tuple[str, tuple | None, int]:
    """A finding not encoded last time: the one it was moved from rewritten, or encoded afresh."""
    span = finding.span
    first = span.start_line
    key = None
    if not finding.fixes and not finding.related:  # most findings: all their diagnostic says, but the line
        key = (finding.rule, finding.code, finding.severity, finding.message, span.start_col, span.end_line - first, span.end_col, encoding, *touched)
    elif all(related.path is None for related in finding.related):  # a line in another file does not move
        key = (shift_findings((finding,), -first)[0], encoding, *touched)
    if key is not None:
        moved_from = placeless.get(key)
        if moved_from is not None:
            fragment, was = moved_from
            return (fragment if was == first else moved_json(fragment, first - was)), key, first
    fragment = json.dumps(
        convert.diagnostic_json(finding, lines, encoding, VERSION_SLOT, uri),
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return fragment, key, first
