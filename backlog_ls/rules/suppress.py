"""Suppression comments, markdownlint's convention with our prefix.

    <!-- backlog-ls-disable missing-issue -->      ... until enabled again
    <!-- backlog-ls-enable missing-issue -->
    <!-- backlog-ls-disable-next-line -->          the next line only
    <!-- backlog-ls-disable-line BL101 -->         this line only
    <!-- backlog-ls-disable-file placeholder-issue -->

No rule name means every rule. Names and codes both work. Comments inside code
blocks are text, not directives.
"""

from __future__ import annotations

import re

import attrs

from ..model import Backlog

_DIRECTIVE = re.compile(
    r"<!--\s*backlog-ls-(?P<kind>disable-next-line|disable-line|disable-file|disable|enable)\b(?P<names>[^>]*?)\s*-->"
)
ALL = "*"


def _names(raw: str) -> frozenset[str]:
    names = frozenset(name for name in re.split(r"[\s,]+", raw.strip()) if name)
    return names or frozenset({ALL})


@attrs.frozen
class Suppressions:
    file_wide: frozenset[str] = frozenset()
    # (first line, last line inclusive, names) ranges where rules are off
    ranges: tuple[tuple[int, int, frozenset[str]], ...] = ()

    @classmethod
    def of(cls, backlog: Backlog) -> Suppressions:
        lines = backlog.lines
        code_lines = set()
        for block in backlog.blocks:
            if block.kind in ("code", "front-matter"):
                code_lines.update(range(block.start_line, block.end_line + 1))
        file_wide: set[str] = set()
        ranges: list[tuple[int, int, frozenset[str]]] = []
        open_since: dict[str, int] = {}  # name -> first disabled line
        last = len(lines) - 1
        for index, line in enumerate(lines):
            if "backlog-ls-" not in line or index in code_lines:
                continue
            for match in _DIRECTIVE.finditer(line):
                kind, names = match.group("kind"), _names(match.group("names"))
                if kind == "disable-file":
                    file_wide |= names
                elif kind == "disable-next-line":
                    ranges.append((index + 1, index + 1, names))
                elif kind == "disable-line":
                    ranges.append((index, index, names))
                elif kind == "disable":
                    for name in names:
                        open_since.setdefault(name, index)
                else:  # enable
                    closing = list(open_since) if ALL in names else [n for n in names if n in open_since]
                    for name in closing:
                        ranges.append((open_since.pop(name), index, frozenset({name})))
        for name, start in open_since.items():
            ranges.append((start, last, frozenset({name})))
        return cls(frozenset(file_wide), tuple(ranges))

    def whole_file(self, rule: str, code: str = "") -> bool:
        return bool(self.file_wide & {ALL, rule, code})

    def hides(self, rule: str, line: int, code: str = "") -> bool:
        keys = {ALL, rule, code}
        return any(start <= line <= end and names & keys for start, end, names in self.ranges)
