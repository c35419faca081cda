"""Inline rule fixtures in the style of rust-analyzer: the expected finding is drawn under its line.

    text = '''
    - [x] **Task 1.1 (#TBD):** ship it
                      ^^^^ BL102 warning: Finished task names a placeholder ...
    '''

An annotation line holds only white space, a run of ``^`` under the columns the
finding covers (code points of the line above), then ``CODE severity: message``.
A finding on an empty range is drawn with a single ``|``. Annotation lines are
removed before parsing, so line numbers are those of the real document.
"""

from __future__ import annotations

import re
import textwrap

from backlog_ls.config import Settings, from_toml
from backlog_ls.model import Span
from backlog_ls.parse import parse
from backlog_ls.rules import Finding, Fix, check

_ANNOTATION = re.compile(r"^(?P<lead>\s*)(?P<marks>\^+|\|)\s+(?P<code>BL\d{3})\s+(?P<severity>\w+):\s(?P<message>.*)$")


def split_annotations(annotated: str) -> tuple[str, list[tuple[str, str, Span, str]]]:
    """The document without its annotation lines, and the expected (code, severity, span, message)."""
    text_lines: list[str] = []
    expected: list[tuple[str, str, Span, str]] = []
    for raw in textwrap.dedent(annotated).lstrip("\n").split("\n"):
        match = _ANNOTATION.match(raw)
        if match and text_lines:
            line = len(text_lines) - 1
            start = len(match.group("lead"))
            width = 0 if match.group("marks") == "|" else len(match.group("marks"))
            expected.append(
                (match.group("code"), match.group("severity"), Span(line, start, line, start + width), match.group("message"))
            )
        else:
            text_lines.append(raw)
    return "\n".join(text_lines), expected


def findings_for(text: str, *, rule: str | None = None, config: str = "", **check_options) -> list[Finding]:
    settings = Settings()
    if config:
        settings, errors = from_toml(textwrap.dedent(config), ".backlog-ls.toml")
        assert errors == [], [str(e) for e in errors]
    found = check(parse(text), settings, **check_options)
    assert_documented_severities(found, settings)
    return [finding for finding in found if rule is None or rule in (finding.rule, finding.code)]


def assert_documented_severities(found: list[Finding], settings: Settings) -> None:
    """Each finding is at its rule's default severity or a documented variant's (docs/rules.md lists
    them), unless the configuration set the rule's severity."""
    from backlog_ls.rules import all_rules

    rules = {rule.code: rule for rule in all_rules()}
    for finding in found:
        rule = rules.get(finding.code)
        if rule is not None and settings.rule(rule.name).severity is None:
            assert finding.severity in rule.severities, (finding.code, finding.severity, finding.message)


def assert_findings(annotated: str, *, rule: str | None = None, config: str = "", **check_options) -> list[Finding]:
    """Check the annotated document and compare every finding (of ``rule``) with the annotations."""
    text, expected = split_annotations(annotated)
    found = findings_for(text, rule=rule, config=config, **check_options)
    actual = [(f.code, f.severity, f.span, f.message) for f in found]
    assert actual == sorted(expected, key=lambda e: (e[2], e[0])), "\n".join(
        ["findings differ; actual:"] + [f"  {a}" for a in actual] + ["expected:"] + [f"  {e}" for e in expected]
    )
    return found


def apply_fix(text: str, fix: Fix) -> str:
    """The document after one fix, applied the way an editor applies a WorkspaceEdit."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(line: int, column: int) -> int:
        return offsets[line] + column

    result = text
    for edit in sorted(fix.edits, key=lambda e: (e.span.start_line, e.span.start_col), reverse=True):
        start = offset(edit.span.start_line, edit.span.start_col)
        end = offset(edit.span.end_line, edit.span.end_col)
        result = result[:start] + edit.new_text + result[end:]
    return result


def fixed(annotated_or_text: str, *, rule: str, fix_index: int = 0, finding_index: int = 0, config: str = "") -> str:
    """The text after applying fix ``fix_index`` of finding ``finding_index`` of ``rule``."""
    text, _ = split_annotations(annotated_or_text)
    found = findings_for(text, rule=rule, config=config)
    return apply_fix(text, found[finding_index].fixes[fix_index])
