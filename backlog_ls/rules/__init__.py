"""Diagnostic rules: one module per rule, all run by ``check``.

The CLI and the language server both call ``check``; neither has rules of its own.
A rule is a module-level ``Rule`` value: a stable name and code, a default
severity, an optional options class, and a ``check`` function from a ``Context``
to ``Finding``s. A finding carries its fixes, computed once: the server ships
them in ``Diagnostic.data`` and ``check --fix`` applies the safe ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from functools import cached_property
from typing import Any, Protocol

import attrs
import cattrs

from ..config import OFF, Settings
from ..model import Backlog, Block, Span

ERROR = "error"
WARNING = "warning"
INFO = "info"
HINT = "hint"
SEVERITIES = (ERROR, WARNING, INFO, HINT)

log = logging.getLogger(__name__)


# Findings are reused across keystrokes (block rules remember them) and the server keys its
# encoded diagnostics on them: hashing each once, not on every lookup, matters at 7,000 findings.
@attrs.frozen(cache_hash=True)
class Edit:
    """Replace ``span`` (code points) with ``new_text``."""

    span: Span
    new_text: str


@attrs.frozen(cache_hash=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool = True  # applied by ``check --fix`` and "fix all" without asking
    preferred: bool = False  # the quick fix an editor offers first


@attrs.frozen(cache_hash=True)
class Related:
    """Another place in the same document that belongs to a finding (one cause, many lines)."""

    span: Span
    message: str


@attrs.frozen(cache_hash=True)
class Finding:
    rule: str  # the rule's name, e.g. "malformed-task"
    code: str  # its stable code, e.g. "BL201"
    severity: str
    span: Span
    message: str
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = ()  # LSP relatedInformation; one finding per cause, its other lines here

    @property
    def fixable(self) -> bool:
        return any(fix.safe for fix in self.fixes)


class Files(Protocol):
    """What rules may ask of the file system, answered by a provider (or a fake in tests)."""

    def exists(self, path: str) -> bool: ...

    def anchors(self, path: str) -> Collection[str] | None:
        """The heading anchors of a Markdown file, or None when it cannot be read."""


@attrs.frozen
class Rule:
    """A rule checks the whole document (``check``) or one block at a time (``check_block``).

    A block rule's findings may depend only on the block (its items, its lines) and the
    settings: the engine then remembers them per block, and after a keystroke only the
    block that changed is checked again.
    """

    name: str
    code: str
    severity: str
    summary: str
    check: Callable[[Context], Iterable[Finding]] | None = None
    options: type | None = None  # an attrs class; its fields are the [rules.<name>] keys
    check_block: Callable[[Context, Block], Iterable[Finding]] | None = None
    # The other severities a variant of this rule reports at, each with what it is:
    # (("warning", "a mistyped '[x]'"),). docs/rules.md lists them; a finding at any other is a bug.
    variants: tuple[tuple[str, str], ...] = ()
    memo: Any = attrs.field(factory=lambda: _new_memo(), eq=False, repr=False)

    @property
    def severities(self) -> tuple[str, ...]:
        """Every severity this rule reports at (before the configuration sets another)."""
        return (self.severity, *(severity for severity, _ in self.variants))

    def run(self, context: Context) -> Iterable[Finding]:
        if self.check is not None:
            yield from self.check(context)
        if self.check_block is not None:
            yield from _block_findings(self.memo, context, self.check_block)

    def finding(
        self,
        span: Span,
        message: str,
        fixes: Iterable[Fix] = (),
        severity: str | None = None,
        related: Iterable[Related] = (),
    ) -> Finding:
        return Finding(self.name, self.code, severity or self.severity, span, message, tuple(fixes), tuple(related))


_options_converter = cattrs.Converter()


def _new_memo():
    from ..memo import BlockMemo

    return BlockMemo()


def _block_findings(memo: Any, context: Context, check_block: Callable[[Context, Block], Iterable[Finding]]) -> list:
    """Every block's findings from ``check_block``, each block checked once while it lives.

    Written as one tight loop: it runs over every block of the document, for every
    block rule, on every keystroke.
    """
    from ..memo import MISSING

    settings = context.settings
    found: list = []
    peek = memo.peek
    for block in context.backlog.blocks:
        value = peek(block, settings)
        if value is MISSING:
            value = memo.put(block, tuple(check_block(context, block)), settings)
        if value:
            found.extend(value)
    return found


class Context:
    """What a rule sees: the parsed document, the settings, and the outside world through providers."""

    def __init__(
        self,
        backlog: Backlog,
        settings: Settings | None = None,
        *,
        path: str | None = None,
        files: Files | None = None,
        tracker: Any = None,
        rfcs: Any = None,
    ):
        self.backlog = backlog
        self.settings = settings or Settings()
        self.path = path  # the document's file system path, for relative links
        self.files = files
        self.tracker = tracker
        self.rfcs = rfcs  # backlog_ls.rfc.Rfcs: the project's RFCs and the IETF index; None: unknown
        self.encoding: str | None = None  # what the file was read as ("windows-1252"); None: UTF-8 or unknown
        # Tasks of the workspace's other files, for dependencies that name them
        # (``dependencies.Elsewhere``; the workspace index provides it). None: this file only.
        self.elsewhere: Any = None

    def options(self, rule: Rule) -> Any:
        if rule.options is None:
            return None
        raw = {key.replace("-", "_"): value for key, value in self.settings.rule(rule.name).options.items()}
        return _options_converter.structure(raw, rule.options)

    @cached_property
    def parents(self) -> dict[int, Any]:
        """id(item) -> its parent item, for rules that walk upwards."""
        return {id(item): parent for item, parent in self.backlog.walk_items()}


def all_rules() -> tuple[Rule, ...]:
    # Imported here so that each rule module can import this package for Rule and Finding.
    from . import registry

    return registry.RULES


def rule_by_name_or_code(key: str) -> Rule | None:
    for rule in all_rules():
        if key in (rule.name, rule.code):
            return rule
    return None


def _selected(rule: Rule, select: Collection[str] | None, ignore: Collection[str] | None) -> bool:
    def matches(keys: Collection[str]) -> bool:
        # "BL1" selects BL101..BL199, as ruff's prefixes do; names match whole.
        return any(key == rule.name or rule.code.startswith(key) for key in keys)

    if select and not matches(select):
        return False
    return not (ignore and matches(ignore))


def check(
    backlog: Backlog,
    settings: Settings | None = None,
    *,
    path: str | None = None,
    files: Files | None = None,
    tracker: Any = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
    rules: Iterable[Rule] | None = None,
    rfcs: Any = None,
    encoding: str | None = None,
    elsewhere: Any = None,
) -> list[Finding]:
    """Run the enabled rules over one parsed document; findings sorted by position.

    ``elsewhere`` finds the tasks of the workspace's other files (``dependencies.Elsewhere``).

    A rule that raises is logged and skipped: one broken rule must not take the others down.
    """
    from ..parse import collector_paused
    from .suppress import Suppressions

    with collector_paused():  # rules make many short-lived objects and no cycles
        return _check(backlog, settings, path, files, tracker, select, ignore, rules, Suppressions, rfcs, encoding, elsewhere)


def _check(
    backlog, settings, path, files, tracker, select, ignore, rules, Suppressions, rfcs=None, encoding=None, elsewhere=None
) -> list[Finding]:
    context = Context(backlog, settings, path=path, files=files, tracker=tracker, rfcs=rfcs)
    context.encoding = encoding
    context.elsewhere = elsewhere
    suppressions = Suppressions.of(backlog)
    found: list[Finding] = []
    for rule in all_rules() if rules is None else rules:
        configured = context.settings.rule(rule.name).severity
        if configured == OFF or not _selected(rule, select, ignore):
            continue
        if suppressions.whole_file(rule.name, rule.code):
            continue
        try:
            for finding in rule.run(context):
                if suppressions.ranges and suppressions.hides(rule.name, finding.span.start_line, rule.code):
                    continue
                if configured is not None and configured != finding.severity:
                    finding = attrs.evolve(finding, severity=configured)
                found.append(finding)
        except Exception:
            log.exception("rule %s failed; its findings are left out", rule.name)
    found.sort(key=lambda finding: (finding.span, finding.code))
    return found
