"""Each open document's diagnostics as JSON, each one encoded once and reused while it stays the same.

After a keystroke in a big backlog almost every finding is the one of the keystroke before,
and converting and encoding thousands of them again cost more than finding them. After
Enter, every finding below the cursor is the one before moved down a line: the rules move
them (``rules.shift_findings``) and here their JSON moves with them, its line numbers
rewritten, rather than being built and encoded again.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence

from .. import convert
from ..rules import Finding, shift_findings

logger = logging.getLogger(__name__)

# Cached diagnostics are encoded without the document version, which changes with every
# edit; this stand-in marks where it goes.
VERSION_SLOT = "@@backlog-ls-version@@"
VERSION_SLOT_JSON = json.dumps(VERSION_SLOT)

# A position's line in a diagnostic's JSON ({"line":N,"character":M}). Inside a JSON string a
# quote is escaped (\"), so '{"line":' is never part of a message or an edit's text.
_LINE = re.compile(r'\{"line":(\d+)')
# Shapes kept beyond twice the findings before those of findings gone are dropped.
_SHAPES_SPARE = 64


def moved_down(fragment: str, delta: int) -> str:
    """A diagnostic's JSON with every position moved down ``delta`` lines."""
    return _LINE.sub(lambda found: '{"line":' + str(int(found.group(1)) + delta), fragment)


def _movable(finding: Finding) -> bool:
    # Related lines in another file stay where they are when this file's lines move.
    return all(related.path is None for related in finding.related)


class EncodedDiagnostics:
    """One document's diagnostics cache. One check per document runs at a time, so it is
    never shared between threads."""

    def __init__(self) -> None:
        # (finding, encoding, the lines it touches) -> (its JSON, its key at line 0 or None)
        self._by_finding: dict[tuple, tuple[str, tuple | None]] = {}
        # (the finding moved to line 0, encoding, the lines it touches) -> (a first line, its JSON there):
        # kept across checks (a finding's JSON at a line never changes), and pruned when it grows
        self._by_shape: dict[tuple, tuple[int, str]] = {}

    def encode(self, uri: str, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str) -> str:
        """The findings as a JSON array of diagnostics for ``version`` of the document."""
        previous, shapes = self._by_finding, self._by_shape
        current: dict[tuple, tuple[str, tuple | None]] = {}
        version_text = json.dumps(version)
        fragments = []
        for finding in found:
            try:
                touched = convert.lines_touched(finding, lines)
                key = (finding, encoding, *touched)
                cached = previous.get(key)
                if cached is None:
                    cached = self._encoded(finding, touched, lines, encoding, uri, shapes)
                current[key] = cached
                fragments.append(cached[0].replace(VERSION_SLOT_JSON, version_text, 1))
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        self._by_finding = current
        if len(shapes) > 2 * len(current) + _SHAPES_SPARE:  # the shapes of findings gone: dropped
            self._by_shape = {
                shape: (key[0].span.start_line, fragment) for key, (fragment, shape) in current.items() if shape is not None
            }
        return "[" + ",".join(fragments) + "]"

    @staticmethod
    def _encoded(
        finding: Finding, touched: tuple[str, ...], lines: Sequence[str], encoding: str, uri: str, shapes: dict
    ) -> tuple[str, tuple | None]:
        """A finding not seen at this place: moved from another place, or encoded anew."""
        shape = None
        if _movable(finding):
            start = finding.span.start_line
            shape = (shift_findings((finding,), -start)[0], encoding, *touched)
            moved = shapes.get(shape)
            if moved is not None:
                return moved_down(moved[1], start - moved[0]), shape
        fragment = json.dumps(
            convert.diagnostic_json(finding, lines, encoding, VERSION_SLOT, uri), separators=(",", ":"), ensure_ascii=True
        )
        if shape is not None:
            shapes[shape] = (finding.span.start_line, fragment)
        return fragment, shape
