"""How ``backlog-ls check`` shows findings: one writer per ``--format``.

Every writer takes the same input, the findings of each checked file, and writes
to a stream; adding a format is one function and one entry in ``FORMATS``.
Writers print findings only: the human summary is separate (``summary``) so that
stdout stays machine-readable in every format.

Positions shown to users are 1-based lines and 1-based columns counted in code
points; an end column is exclusive, so a one-character finding at column 3 has
``end_column`` 4. SARIF is the exception: its columns count UTF-16 code units,
the format's default ``columnKind``, which GitHub code scanning expects.
"""

from __future__ import annotations

import json
import os
import posixpath
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from . import __version__
from .rules import Finding, Rule, all_rules
from .text import UTF16, column_of

TOOL_NAME = "backlog-ls"
# Where the documentation is published. Until the project has a public home this is the
# repository path it will most likely have; change it here (and only here) when it moves.
HOMEPAGE = "https://github.com/backlog-ls/backlog-ls"
RULES_DOC_URL = f"{HOMEPAGE}/blob/main/docs/rules.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@attrs.frozen
class FileResult:
    """The findings of one checked file; ``path`` as the user should see it.

    ``lines`` is the checked text's lines, for formats that count columns in other
    units than code points (SARIF); without them columns are taken as they are.
    """

    path: str
    findings: tuple[Finding, ...]
    lines: tuple[str, ...] | None = attrs.field(default=None, eq=False, repr=False)
    # A file that could not be checked: why ("permission denied"), and whether it was only
    # skipped (a binary file, a notice) rather than failed (an error).
    unreadable: str | None = None
    skipped: bool = False
    # What the cross-file rules need of the file (``rules.across_files.FileFacts``), when they run.
    facts: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def notice_severity(self) -> str:
        return "info" if self.skipped else "error"


@attrs.frozen
class Location:
    """A finding's span in the 1-based numbering editors and terminals show."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, finding: Finding) -> Location:
        return cls.of_span(finding.span)

    @classmethod
    def of_span(cls, span: Any) -> Location:
        return cls(span.start_line + 1, span.start_col + 1, span.end_line + 1, span.end_col + 1)


def _one_line(message: str) -> str:
    # One finding per line is what makes the text format greppable and parseable.
    return " ".join(message.split("\n")) if "\n" in message else message


def write_text(results: Sequence[FileResult], out: TextIO) -> None:
    """``path:line:col: severity code message``, the shape compilers use and editors jump to."""
    for result in results:
        for finding in result.findings:
            where = Location.of(finding)
            also = ""
            if finding.related:
                # One finding per cause: its other lines follow on the same line, still one line per finding.
                also = f" (also {_related_places(finding.related, result.path)})"
            out.write(
                f"{result.path}:{where.line}:{where.column}: "
                f"{finding.severity} {finding.code} {_one_line(finding.message)}{also}\n"
            )


def _related_places(related: Iterable[Any], path: str) -> str:
    """"lines 4, 9", and "ROADMAP.md:4" for a line of another file (a cross-file rule's)."""
    here = [str(other.span.start_line + 1) for other in related if other.path is None]
    places = ["lines " + ", ".join(here)] if here else []
    places += [f"{_shown_path(other.path, path)}:{other.span.start_line + 1}" for other in related if other.path is not None]
    return ", ".join(places)


def _shown_path(other: str, path: str) -> str:
    """Another file's path as this run shows paths: relative when ``path`` is."""
    return other if os.path.isabs(path) else os.path.relpath(other)


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
        "related": [_related_record(other) for other in finding.related],
    }


def _related_record(other: Any) -> dict[str, object]:
    where = Location.of_span(other.span)
    return {
        "line": where.line,
        "column": where.column,
        "end_line": where.end_line,
        "end_column": where.end_column,
        "message": other.message,
        **({"path": other.path} if other.path is not None else {}),
    }


def write_json(results: Sequence[FileResult], out: TextIO) -> None:
    """One JSON list of every finding; ASCII-escaped so any terminal encoding carries it intact."""
    records = [finding_record(result.path, finding) for result in results for finding in result.findings]
    records += [_unreadable_record(result) for result in results if result.unreadable is not None]
    json.dump(records, out, indent=2)
    out.write("\n")


def _unreadable_record(result: FileResult) -> dict[str, object]:
    """A file that was not checked, in the shape of a finding on its first line (code "unreadable")."""
    return {
        "path": result.path,
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 1,
        "rule": "unreadable-file",
        "code": "unreadable",
        "severity": result.notice_severity,
        "message": result.unreadable,
        "fixable": False,
    }


# --- SARIF 2.1.0 ---------------------------------------------------------------------------------

_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}


def sarif_level(severity: str) -> str:
    return _SARIF_LEVELS.get(severity, "warning")


def artifact_uri(path: str) -> str:
    """A file's SARIF ``uri``: relative to the working directory with "/" when it lies below it,
    else a ``file:`` URI; percent-encoded either way, as a URI must be."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        relative = None
    if relative is None or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(absolute).as_uri()
    return urllib.parse.quote(relative.replace(os.sep, "/"), safe="/")


def _region(lines: Sequence[str] | None, span: Any) -> dict[str, int]:
    def column(line: int, col: int) -> int:
        return (column_of(lines, line, col, UTF16) if lines is not None else col) + 1

    return {
        "startLine": span.start_line + 1,
        "startColumn": column(span.start_line, span.start_col),
        "endLine": span.end_line + 1,
        "endColumn": column(span.end_line, span.end_col),
    }


def sarif_rule(rule: Rule) -> dict[str, object]:
    from .rules_doc import anchor

    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "helpUri": f"{RULES_DOC_URL}#{anchor(rule)}",
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "properties": {"tags": [rule.name]},
    }


def _sarif_fixes(result: FileResult, finding: Finding, uri: str) -> list[dict[str, object]]:
    fixes = []
    for fix in finding.fixes:
        if not fix.safe:
            continue
        replacements = [
            {"deletedRegion": _region(result.lines, edit.span), "insertedContent": {"text": edit.new_text}}
            for edit in fix.edits
        ]
        fixes.append(
            {
                "description": {"text": fix.title},
                "artifactChanges": [{"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}],
            }
        )
    return fixes


def sarif_log(results: Sequence[FileResult], rules: Iterable[Rule] | None = None) -> dict[str, object]:
    """One SARIF run with every rule described and one result per finding."""
    rules = list(all_rules() if rules is None else rules)
    known = {rule.code for rule in rules}
    # A finding of a rule the registry does not know (a test's fake rule) still gets a descriptor.
    for result in results:
        for finding in result.findings:
            if finding.code not in known:
                known.add(finding.code)
                rules.append(Rule(finding.rule, finding.code, finding.severity, finding.rule, lambda context: ()))
    index = {rule.code: number for number, rule in enumerate(rules)}
    sarif_results = []
    for result in results:
        uri = artifact_uri(result.path)
        for finding in result.findings:
            record: dict[str, object] = {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": sarif_level(finding.severity),
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": _region(result.lines, finding.span),
                        }
                    }
                ],
            }
            if finding.related:
                record["relatedLocations"] = [
                    {
                        "id": number,
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": uri if other.path is None else artifact_uri(_shown_path(other.path, result.path)),
                                "uriBaseId": "%SRCROOT%",
                            },
                            "region": _region(other.lines_in(result.lines) if result.lines is not None else None, other.span),
                        },
                        "message": {"text": other.message},
                    }
                    for number, other in enumerate(finding.related)
                ]
            fixes = _sarif_fixes(result, finding, uri)
            if fixes:
                record["fixes"] = fixes
            sarif_results.append(record)
    root_uri = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": [sarif_rule(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "columnKind": "utf16CodeUnits",
                "results": sarif_results,
                **_sarif_invocations(results),
            }
        ],
    }


def _sarif_invocations(results: Sequence[FileResult]) -> dict[str, object]:
    """Files that were not checked, as tool execution notifications (SARIF's place for them)."""
    notifications = [
        {
            "level": sarif_level(result.notice_severity),
            "message": {"text": f"{result.path}: {result.unreadable}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(result.path), "uriBaseId": "%SRCROOT%"}}}
            ],
        }
        for result in results
        if result.unreadable is not None
    ]
    if not notifications:
        return {}
    failed = any(not result.skipped for result in results if result.unreadable is not None)
    return {"invocations": [{"executionSuccessful": not failed, "toolExecutionNotifications": notifications}]}


def write_sarif(results: Sequence[FileResult], out: TextIO) -> None:
    json.dump(sarif_log(results), out, indent=2)
    out.write("\n")


# --- GitHub Actions workflow commands ------------------------------------------------------------

_GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}


def escape_data(text: str) -> str:
    """The message after ``::``, escaped as @actions/core does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: the data escapes, plus ":" and "," which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(results: Sequence[FileResult], out: TextIO) -> None:
    """One annotation per finding: ``::error file=f.md,line=1,col=3,endLine=1,endColumn=7,title=BL201 malformed-task::...``."""
    for result in results:
        path = result.path.replace(os.sep, "/") if os.sep != "/" else result.path
        path = posixpath.normpath(path)
        for finding in result.findings:
            where = Location.of(finding)
            properties = {
                "file": path,
                "line": where.line,
                "col": where.column,
                "endLine": where.end_line,
                "endColumn": where.end_column,
                "title": f"{finding.code} {finding.rule}",
            }
            rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
            command = _GITHUB_COMMANDS.get(finding.severity, "warning")
            out.write(f"::{command} {rendered}::{escape_data(finding.message)}\n")
        if result.unreadable is not None:
            command = _GITHUB_COMMANDS[result.notice_severity]
            out.write(f"::{command} file={escape_property(path)}::{escape_data(result.unreadable)}\n")


Writer = Callable[[Sequence[FileResult], TextIO], None]

FORMATS: dict[str, Writer] = {
    "text": write_text,
    "json": write_json,
    "sarif": write_sarif,
    "github": write_github,
}


# --- --fix and --statistics ----------------------------------------------------------------------


@attrs.frozen
class FixedRecord:
    """One finding ``--fix`` repaired, located in the text it was found in."""

    path: str
    finding: Finding
    title: str


def write_fixed_text(fixed: Sequence[FixedRecord], out: TextIO) -> None:
    """``path:line:col: fixed CODE title``, one per repaired finding."""
    for record in fixed:
        where = Location.of(record.finding)
        out.write(f"{record.path}:{where.line}:{where.column}: fixed {record.finding.code} {_one_line(record.title)}\n")


def fixed_summary(fixed: Sequence[FixedRecord]) -> str:
    files = len({record.path for record in fixed})
    return f"Fixed {_count(len(fixed), 'finding')} in {_count(files, 'file')}."


@attrs.frozen
class Statistic:
    code: str
    rule: str
    count: int
    fixable: int


def statistics(results: Sequence[FileResult]) -> list[Statistic]:
    """Findings counted per rule, the most frequent first (then by code)."""
    counts: Counter[tuple[str, str]] = Counter()
    fixable: Counter[tuple[str, str]] = Counter()
    for result in results:
        for finding in result.findings:
            counts[finding.code, finding.rule] += 1
            fixable[finding.code, finding.rule] += finding.fixable
    ordered = sorted(counts, key=lambda key: (-counts[key], key))
    return [Statistic(code, rule, counts[code, rule], fixable[code, rule]) for code, rule in ordered]


def write_statistics(results: Sequence[FileResult], out: TextIO, format: str = "text") -> None:
    """Like ``ruff --statistics``: ``count  code  name`` with ``[*]`` where every finding is fixable."""
    rows = statistics(results)
    if format == "json":
        json.dump([attrs.asdict(row) for row in rows], out, indent=2)
        out.write("\n")
        return
    width = max((len(str(row.count)) for row in rows), default=1)
    code_width = max((len(row.code) for row in rows), default=0)
    for row in rows:
        mark = "[*]" if row.fixable == row.count else "[-]" if row.fixable else "   "
        out.write(f"{row.count:>{width}}\t{row.code:<{code_width}}\t{mark} {row.rule}\n")


# --- `backlog-ls rules` --------------------------------------------------------------------------


def rule_record(rule: Rule) -> dict[str, object]:
    from .rules_doc import options_of

    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity,
        "summary": rule.summary,
        "options": {option.key: _jsonable(option.value) for option in options_of(rule)},
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if attrs.has(type(value)):
        return _jsonable(attrs.asdict(value))
    return str(value)


def write_rules_table(rules: Sequence[Rule], out: TextIO) -> None:
    header = ("CODE", "NAME", "SEVERITY", "SUMMARY")
    rows = [header] + [(rule.code, rule.name, rule.severity, " ".join(rule.summary.split())) for rule in rules]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] + "\n")


def write_rules_json(rules: Sequence[Rule], out: TextIO) -> None:
    json.dump([rule_record(rule) for rule in rules], out, indent=2)
    out.write("\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary(results: Sequence[FileResult]) -> str:
    """One line for people: ``Found 3 findings (1 fixable) in 2 of 5 files.`` or ``No findings in 5 files.``

    Files that were not checked (each named on stderr already) are not counted.
    """
    results = [result for result in results if result.unreadable is None]
    findings = [finding for result in results for finding in result.findings]
    if not findings:
        return f"No findings in {_count(len(results), 'file')}."
    fixable = sum(1 for finding in findings if finding.fixable)
    fixable_note = f" ({fixable} fixable)" if fixable else ""
    affected = sum(1 for result in results if result.findings)
    where = _count(affected, "file") if affected == len(results) else f"{affected} of {_count(len(results), 'file')}"
    return f"Found {_count(len(findings), 'finding')}{fixable_note} in {where}."
