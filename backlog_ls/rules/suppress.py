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
from collections.abc import Sequence

import attrs

from ..model import Backlog, Block
from .common import BlockValues


def _directives(block: Block, lines: Sequence[str]) -> tuple[tuple[int, str, frozenset[str]], ...]:
    """(line, kind, names) of every directive in a block; none in code or front matter."""
    if block.kind in ("code", "front-matter"):
        return ()
    found = []
    for index in range(block.start_line, block.end_line + 1):
        line = lines[index]
        if "backlog-ls-" not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            found.append((index, match.group("kind"), _names(match.group("names"))))
    return tuple(found)


# Directives of each block, found once per block (a keystroke re-reads one block). Most blocks
# have none, and none wherever they sit: a block moved by Enter above it is not read again.
_DIRECTIVES = BlockValues(_directives)


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
        # Once per parse: the rules' check and the cross-file facts (``across_files.facts_of``) of one
        # keystroke both ask.
        found = backlog.__dict__.get("_suppressions")
        if found is None:
            found = backlog.__dict__["_suppressions"] = cls._read(backlog)
        return found

    @classmethod
    def _read(cls, backlog: Backlog) -> Suppressions:
        lines = backlog.lines
        file_wide: set[str] = set()
        ranges: list[tuple[int, int, frozenset[str]]] = []
        open_since: dict[str, int] = {}  # name -> first disabled line
        last = len(lines) - 1
        for _, directives in _DIRECTIVES.each(backlog.blocks, lines):
            for index, kind, names in directives:
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
