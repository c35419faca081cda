"""How ``backlog-ls check`` shows findings: one writer per ``--format``.

Every writer takes the same input, the findings of each checked file, and writes
to a stream; adding a format (sarif, github annotations) is one function and
one entry in ``FORMATS``. Writers print findings only: the human summary is
separate (``summary``) so that stdout stays machine-readable in every format.

Positions shown to users are 1-based lines and 1-based columns counted in code
points; an end column is exclusive, so a one-character finding at column 3 has
``end_column`` 4.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TextIO

import attrs

from .rules import Finding


@attrs.frozen
class FileResult:
    """The findings of one checked file; ``path`` as the user should see it."""

    path: str
    findings: tuple[Finding, ...]


@attrs.frozen
class Location:
    """A finding's span in the 1-based numbering editors and terminals show."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, finding: Finding) -> Location:
        span = finding.span
        return cls(span.start_line + 1, span.start_col + 1, span.end_line + 1, span.end_col + 1)


def _one_line(message: str) -> str:
    # One finding per line is what makes the text format greppable and parseable.
    return " ".join(message.split("\n")) if "\n" in message else message


def write_text(results: Sequence[FileResult], out: TextIO) -> None:
    """``path:line:col: severity code message``, the shape compilers use and editors jump to."""
    for result in results:
        for finding in result.findings:
            where = Location.of(finding)
            out.write(
                f"{result.path}:{where.line}:{where.column}: "
                f"{finding.severity} {finding.code} {_one_line(finding.message)}\n"
            )


def finding_record(path: str, finding: Finding) -> dict[str, object]:
    where = Location.of(finding)
    return {
        "path": path,
        "line": where.line,
        "column": where.column,
        "end_line": where.end_line,
        "end_column": where.end_column,
        "rule": finding.rule,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "fixable": finding.fixable,
    }


def write_json(results: Sequence[FileResult], out: TextIO) -> None:
    """One JSON list of every finding; ASCII-escaped so any terminal encoding carries it intact."""
    records = [finding_record(result.path, finding) for result in results for finding in result.findings]
    json.dump(records, out, indent=2)
    out.write("\n")


Writer = Callable[[Sequence[FileResult], TextIO], None]

FORMATS: dict[str, Writer] = {
    "text": write_text,
    "json": write_json,
}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary(results: Sequence[FileResult]) -> str:
    """One line for people: ``Found 3 findings (1 fixable) in 2 of 5 files.`` or ``No findings in 5 files.``"""
    findings = [finding for result in results for finding in result.findings]
    if not findings:
        return f"No findings in {_count(len(results), 'file')}."
    fixable = sum(1 for finding in findings if finding.fixable)
    fixable_note = f" ({fixable} fixable)" if fixable else ""
    affected = sum(1 for result in results if result.findings)
    where = _count(affected, "file") if affected == len(results) else f"{affected} of {_count(len(results), 'file')}"
    return f"Found {_count(len(findings), 'finding')}{fixable_note} in {where}."
