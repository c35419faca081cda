"""Diagnostic rules: one module per rule, all run by ``check``.

The CLI and the language server both call ``check``; neither has rules of its own.
A rule is a module-level ``Rule`` value whose ``check`` function takes a
``Backlog`` and yields ``Finding``s. A finding carries its fix, computed once:
the server ships it in ``Diagnostic.data`` and ``check --fix`` applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import attrs

from ..model import Backlog, Span

ERROR = "error"
WARNING = "warning"
INFO = "info"
HINT = "hint"
SEVERITIES = (ERROR, WARNING, INFO, HINT)


@attrs.frozen
class Edit:
    """Replace ``span`` (code points) with ``new_text``."""

    span: Span
    new_text: str


@attrs.frozen
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool = True  # applied by ``check --fix`` without asking


@attrs.frozen
class Finding:
    rule: str  # the rule's name, e.g. "malformed-task"
    code: str  # its stable code, e.g. "BL201"
    severity: str
    span: Span
    message: str
    fixes: tuple[Fix, ...] = ()

    @property
    def fixable(self) -> bool:
        return bool(self.fixes)


@attrs.frozen
class Rule:
    name: str
    code: str
    severity: str
    summary: str
    check: Callable[[Backlog], Iterable[Finding]]

    def finding(self, span: Span, message: str, fixes: Iterable[Fix] = (), severity: str | None = None) -> Finding:
        return Finding(self.name, self.code, severity or self.severity, span, message, tuple(fixes))


def all_rules() -> tuple[Rule, ...]:
    # Imported here so that each rule module can import this one for Rule and Finding.
    from . import malformed_task

    return (malformed_task.RULE,)


def check(backlog: Backlog, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Run the rules over one parsed document; findings sorted by position."""
    found: list[Finding] = []
    for rule in all_rules() if rules is None else rules:
        found.extend(rule.check(backlog))
    found.sort(key=lambda finding: (finding.span, finding.code))
    return found


def iter_findings(backlog: Backlog) -> Iterator[Finding]:
    yield from check(backlog)
