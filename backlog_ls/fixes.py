"""Applying fixes to text: pure, text and fixes in, new text out.

``check --fix`` uses it on files and the server's "fix all" on open documents,
so both make the very same edits. Nothing here reads or writes a file.

A finding offers at most one fix to apply without asking (``safe_fix``): its
preferred safe fix, else its first safe one. Fixes are alternatives, so applying
two of one finding's fixes would be wrong even where they do not overlap.

Edits are positioned in code points by (line, column), as every ``Span`` is.
Fixes whose edits overlap one already taken in the same pass are left for the
next pass: ``fix_all`` re-checks the new text and tries again, like ruff, until
no safe fix is left, nothing changes, or ``MAX_PASSES`` passes have run.
Everything outside the edits is kept byte for byte, line endings included; line
breaks inside inserted text take the document's line ending.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import attrs

from .model import Span
from .rules import Edit, Finding, Fix
from .text import TextLines, split_lines

MAX_PASSES = 10

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Position = tuple[int, int]


def safe_fix(finding: Finding) -> Fix | None:
    """The fix ``--fix`` applies for ``finding``: its preferred safe fix, else its first safe one."""
    safe = [fix for fix in finding.fixes if fix.safe]
    if not safe:
        return None
    return next((fix for fix in safe if fix.preferred), safe[0])


@attrs.frozen
class Applied:
    """The outcome of one pass: the new text, and which fixes went in or were left for later."""

    text: str
    applied: tuple[Fix, ...]
    skipped: tuple[Fix, ...]


def _bounds(edit: Edit) -> tuple[Position, Position]:
    span = edit.span
    start, end = (span.start_line, span.start_col), (span.end_line, span.end_col)
    return (start, end) if start <= end else (end, start)


def _conflict(a: tuple[Position, Position], b: tuple[Position, Position]) -> bool:
    """Two edits conflict when their ranges overlap, or both insert at one point (order unknown)."""
    (a_start, a_end), (b_start, b_end) = a, b
    if a_start == a_end == b_start == b_end:
        return True
    return a_start < b_end and b_start < a_end


def dominant_newline(text: str) -> str:
    """The line ending most lines of ``text`` use (the first one seen on a tie); "\\n" when none."""
    counts = Counter(match.group() for match in _LINE_BREAK.finditer(text))
    if not counts:
        return "\n"
    return max(counts, key=lambda ending: (counts[ending], -text.index(ending)))


def apply_fixes(text: str, fixes: Iterable[Fix]) -> Applied:
    """Apply each fix whose edits overlap neither each other nor an earlier accepted fix.

    Fixes are considered in the order given (findings come sorted by position), so
    when two collide the first wins and the second is returned in ``skipped``.
    """
    fixes = list(fixes)
    new_text, accepted = _apply(text, fixes)
    return Applied(
        new_text,
        tuple(fixes[index] for index in accepted),
        tuple(fix for index, fix in enumerate(fixes) if index not in accepted),
    )


def compatible(fixes: Sequence[Fix]) -> list[int]:
    """The indices of the fixes that can go in together: each one whose edits overlap
    neither each other nor those of an earlier accepted fix (the first wins)."""
    taken: list[tuple[Position, Position]] = []
    accepted: list[int] = []
    for index, fix in enumerate(fixes):
        bounds = [_bounds(edit) for edit in fix.edits]
        own_conflict = any(_conflict(a, b) for number, a in enumerate(bounds) for b in bounds[number + 1 :])
        if not fix.edits or own_conflict or any(_conflict(a, b) for a in bounds for b in taken):
            continue
        taken.extend(bounds)
        accepted.append(index)
    return accepted


def _apply(text: str, fixes: Sequence[Fix]) -> tuple[str, set[int]]:
    """``apply_fixes`` by index: the new text and the indices of the fixes that went in."""
    accepted = set(compatible(fixes))
    edits = [(_bounds(edit), edit.new_text) for index in sorted(accepted) for edit in fixes[index].edits]
    if not edits:
        return text, accepted

    newline = dominant_newline(text)
    document = TextLines.from_text(text)
    # Back to front, so no edit moves the positions of one still to come. On a shared start
    # the longer range goes first: an insertion at its start then lands before its new text.
    for (start, end), new_text in sorted(edits, key=lambda item: item[0], reverse=True):
        if newline != "\n":
            new_text = _LINE_BREAK.sub(newline, new_text)
        document.replace(start, end, new_text)
    return document.text, accepted


@attrs.frozen
class FixedFinding:
    """A finding that ``fix_all`` repaired, with the fix used and the pass (0-based) it went in."""

    finding: Finding
    fix: Fix
    pass_number: int


@attrs.frozen
class FixAllResult:
    text: str
    fixed: tuple[FixedFinding, ...]
    remaining: tuple[Finding, ...]  # the findings of the final text
    passes: int

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_all(
    text: str,
    find: Callable[[str], Sequence[Finding]],
    *,
    max_passes: int = MAX_PASSES,
    findings: Sequence[Finding] | None = None,
) -> FixAllResult:
    """Apply safe fixes, re-checking with ``find`` after each pass, until none applies.

    ``find`` maps a text to its findings (parse + rules); it is called once per pass
    plus once for the final text, whose findings are returned as ``remaining``.
    ``findings``, when given, are those of ``text`` (the editor's last check), saving one call.
    """
    fixed: list[FixedFinding] = []
    findings = list(find(text) if findings is None else findings)
    passes = 0
    while passes < max_passes:
        chosen = [(finding, fix) for finding in findings if (fix := safe_fix(finding)) is not None]
        if not chosen:
            break
        new_text, accepted = _apply(text, [fix for _, fix in chosen])
        if new_text == text:
            break  # fixes that change nothing would loop forever
        fixed.extend(FixedFinding(finding, fix, passes) for index, (finding, fix) in enumerate(chosen) if index in accepted)
        text = new_text
        passes += 1
        findings = list(find(text))
    return FixAllResult(text, tuple(fixed), tuple(findings), passes)


def text_edits(before: str, after: str) -> list[Edit]:
    """Small edits that turn ``before`` into ``after``: each run of changed lines is replaced,
    and a line changed in place only from its first to its last differing character. The
    editor's fix-all sends these for the text ``fix_all`` made, so that it equals ``--fix``."""
    old_lines, old_ends = split_lines(before)
    new_lines, new_ends = split_lines(after)
    old = [line + end for line, end in zip(old_lines, old_ends)]
    new = [line + end for line, end in zip(new_lines, new_ends)]
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1 and old_ends[i1:i2] == new_ends[j1:j2]:
            edits.extend(in_line_edit(number, old_lines[number], new_lines[j1 + number - i1]) for number in range(i1, i2))
            continue
        if i2 < len(old):
            end = (i2, 0)
        else:  # up to the end of the text (its last line has no line break)
            end = (i2 - 1, len(old_lines[i2 - 1]))
        edits.append(Edit(Span(i1, 0, *end), "".join(new[j1:j2])))
    return [edit for edit in edits if edit is not None]


def in_line_edit(number: int, old: str, new: str) -> Edit | None:
    """The edit of line ``number`` from ``old`` to ``new``: only the run between their common
    prefix and common suffix; None when they are equal."""
    if old == new:
        return None
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return Edit(Span.on_line(number, start, end_old), new[start:end_new])


def fix_all_edits(text: str, find: Callable[[str], Sequence[Finding]], findings: Sequence[Finding] | None = None) -> list[Edit]:
    """The editor's fix-all: the edits that take ``text`` where ``fix_all`` (what ``check --fix``
    runs) takes it, every pass included."""
    return text_edits(text, fix_all(text, find, findings=findings).text)
