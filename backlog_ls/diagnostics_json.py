"""One document's findings as a JSON array of diagnostics, each encoded once and reused.

After a keystroke in a 20,000-task backlog almost every finding is the one of the keystroke
before, and converting and encoding thousands of them again cost more than finding them:
a diagnostic is reused while its finding and the lines it touches stay the same. After an
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

    __slots__ = ("_fragments", "_placeless", "_slack")

    def __init__(self, slack: int = 1024) -> None:
        self._slack = slack  # how many more keys without a place than twice the findings are kept
        # (finding, encoding, its lines' texts) -> (JSON, its key without a place or None, first line)
        self._fragments: dict[tuple, tuple[str, tuple | None, int]] = {}
        # The same without the place (the finding moved to line 0, or what its diagnostic reads
        # but its line) -> (JSON, first line): of the findings encoded since the last pruning
        self._placeless: dict[tuple, tuple[str, int]] = {}

    def encode(self, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str, uri: str) -> str:
        previous, placeless = self._fragments, self._placeless
        current: dict[tuple, tuple[str, tuple | None, int]] = {}
        version_text = json.dumps(version)
        fragments = []
        for index, finding in enumerate(found):
            if not index & 255:
                checkpoint.reached()
            try:
                touched = convert.lines_touched(finding, lines)
                finding_key = (finding, encoding, *touched)
                entry = previous.get(finding_key)
                if entry is None:
                    entry = _encoded(finding, touched, lines, encoding, uri, placeless)
                    if entry[1] is not None:
                        placeless[entry[1]] = (entry[0], entry[2])
                current[finding_key] = entry
                fragments.append(entry[0].replace(VERSION_SLOT_JSON, version_text, 1))
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        self._fragments = current
        if len(placeless) > 2 * len(current) + self._slack:
            # A key without a place names its diagnostic wherever it is, so an old one is never wrong,
            # only kept for nothing: those of the findings gone are dropped now and then.
            self._placeless = {entry[1]: (entry[0], entry[2]) for entry in current.values() if entry[1] is not None}
        return "[" + ",".join(fragments) + "]"


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
