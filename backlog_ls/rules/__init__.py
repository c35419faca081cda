"""Diagnostic rules: one module per rule, all run by ``check``.

The CLI and the language server both call ``check``; neither has rules of its own.
A rule is a module-level ``Rule`` value: a stable name and code, a default
severity, an optional options class, and a ``check`` function from a ``Context``
to ``Finding``s. A finding carries its fixes, computed once: the server ships
them in ``Diagnostic.data`` and ``check --fix`` applies the safe ones.
"""

from __future__ import annotations

import logging
from itertools import chain
from operator import attrgetter
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cached_property
from typing import Any, Protocol

import attrs
import cattrs

from .. import checkpoint
from ..config import OFF, Settings
from ..memo import MISSING, LineageMemo
from ..model import LONG_LIST_ITEMS, Backlog, Block, Item, Span, lineage_of
from ..patching import same_from_bottom, same_from_top

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
    """Another place that belongs to a finding (one cause, many lines): in the same document,
    or in the file at ``path`` (a cross-file rule), whose line there is ``line_text``."""

    span: Span
    message: str
    path: str | None = None
    line_text: str = ""  # the other file's line: its columns in the client's units need it

    def lines_in(self, lines: Sequence[str]) -> Sequence[str]:
        """The lines ``span`` counts in: ``lines`` (the finding's document), or the one known line of the other file."""
        return lines if self.path is None else _OneLine(self.span.start_line, self.line_text)


class _OneLine(Sequence[str]):
    """A file of which one line is known (the rest read as empty)."""

    def __init__(self, number: int, text: str):
        self.number, self.text = number, text

    def __len__(self) -> int:
        return self.number + 1

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.text if index == self.number else ""


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

    # Optional (``providers.files.DiskFiles`` has them): with them, a rule may keep what it read
    # from one check to the next while the stamps of what it read stay the same.
    #   stamp(path) -> tuple | None: what changes when the file or folder does; None: cannot vouch.
    #   symlinks(folder) -> frozenset[str]: the names of the symbolic links in a folder.


@attrs.frozen
class Rule:
    """A rule checks the whole document (``check``) or one block at a time (``check_block``,
    ``check_item``).

    A block rule's findings may depend only on the block (its items, its lines) and the
    settings: the engine then remembers them per block, and after a keystroke only the
    block that changed is checked again. ``check_item`` finds what lies within one top-level
    item of a block (its whole tree) and may depend on that item alone: remembered per item,
    so a keystroke inside a list of 2,000 tasks checks one item again, not the list.
    ``check_block`` then finds only what belongs to the block itself (the parser's problems).

    A block (or item) moved by whole lines (Enter above it) has the same text, so it has
    the same findings, moved: when ``lines_in_text`` is False (no message or fix title names
    a line number) they are moved, else found again, but only where there were any.
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
    check_item: Callable[[Context, Item], Iterable[Finding]] | None = None
    lines_in_text: bool = True  # whether a message or fix title may name a line ("line 12"): see above
    memo: Any = attrs.field(factory=lambda: _new_memo(), eq=False, repr=False)
    item_memo: Any = attrs.field(factory=lambda: _new_memo(), eq=False, repr=False)

    @property
    def severities(self) -> tuple[str, ...]:
        """Every severity this rule reports at (before the configuration sets another)."""
        return (self.severity, *(severity for severity, _ in self.variants))

    def run(self, context: Context) -> Iterable[Finding]:
        if self.check is not None:
            yield from self.check(context)
        if self.check_block is not None or self.check_item is not None:
            yield from _block_findings(self, context)

    def finding(
        self,
        span: Span,
        message: str,
        fixes: Iterable[Fix] = (),
        severity: str | None = None,
        related: Iterable[Related] = (),
    ) -> Finding:
        return Finding(self.name, self.code, severity or self.severity, span, message, tuple(fixes), tuple(related))


class LastRun:
    """A whole-document rule's findings from its last run, with what it read to find them: a
    keystroke that changed none of it (typing in a task with no RFC link) gets them back as they were.

    ``inputs`` must hold everything the findings depend on, compared with ==: the values that
    memos give back are the very objects of the last run while their blocks live, and compare
    by identity first, so the comparison costs little more than a pass over them.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[Any, tuple[Finding, ...]] | None = None

    def findings(self, inputs: Any, compute: Callable[[], Iterable[Finding]]) -> tuple[Finding, ...]:
        last = self._last  # read once: another thread's check may replace it meanwhile
        if last is not None and last[0] == inputs:
            return last[1]
        found = tuple(compute())
        self._last = (inputs, found)
        return found


_options_converter = cattrs.Converter()


def _new_memo():
    return LineageMemo()  # findings hold spans, never the block's items: safe on the lineage


def _block_findings(rule: Rule, context: Context) -> list:
    """Every block's findings from ``check_block`` and ``check_item``, each block checked once while it lives.

    Remembered per block lineage with the line the block started at: a block moved by
    whole lines is found again. Written as one tight loop: it runs over every block of
    the document, for every block rule, on every keystroke.
    """
    settings = context.settings
    found: list = []
    memo = rule.memo
    peek = memo.peek
    for block in context.backlog.blocks:
        lineage = block.lineage
        entry = peek(lineage, settings)
        if entry is MISSING or (entry and entry[0] != block.start_line):
            findings = _remember(rule, memo, lineage, block.start_line, entry, settings, lambda: _findings_of_block(rule, context, block))
        else:
            findings = entry[1] if entry else entry
        if findings:
            found.extend(findings)
    return found




def _findings_of_block(rule: Rule, context: Context, block: Block) -> tuple[Finding, ...]:
    found: list = [] if rule.check_block is None else list(rule.check_block(context, block))
    check_item = rule.check_item
    if check_item is None:
        return tuple(found)
    if block.item_count < LONG_LIST_ITEMS:
        for item in block.items:
            found.extend(check_item(context, item))
        return tuple(found)
    settings = context.settings
    memo = rule.item_memo
    for item in block.items:
        lineage = lineage_of(item)
        entry = memo.peek(lineage, settings)
        start = item.span.start_line
        if entry is MISSING or (entry and entry[0] != start):
            findings = _remember(rule, memo, lineage, start, entry, settings, lambda: tuple(check_item(context, item)))
        else:
            findings = entry[1] if entry else entry
        if findings:
            found.extend(findings)
    return tuple(found)


def _remember(rule: Rule, memo: Any, lineage: Any, start: int, entry: Any, settings: Any, compute: Callable[[], tuple]) -> tuple:
    """The findings of a block or item that starts at ``start``: those remembered (``entry``) moved there, or found again."""
    if entry is MISSING or rule.lines_in_text:
        findings = compute()
    else:
        findings = shift_findings(entry[1], start - entry[0])
    # No findings are none wherever the block sits: kept as () alone, the most of a long list.
    memo.put(lineage, (start, findings) if findings else (), settings)
    return findings


class _Bundles:
    """The block rules' findings, all rules together: one lookup per block (and per item of a long
    list) on a keystroke, not one per rule.

    Each block's (or top-level item's) entry is (the line it started at, the findings of each rule
    in ``rules``), or () when no rule found anything there, remembered per lineage under the settings
    and the rules: the same findings as ``Rule.run``'s, found and moved the same way.
    """

    def __init__(self) -> None:
        self._blocks = _new_memo()
        self._items = _new_memo()
        self._key: tuple = (None, ())
        # The last document's blocks with each one's entry, under the key: after a keystroke within
        # a line the blocks before and after the edit are the same objects, passed by with a scan in C.
        self._last: tuple[tuple, tuple[Block, ...], list] | None = None

    def key(self, settings: Any, rules: tuple[Rule, ...]) -> tuple:
        # The same object from one keystroke to the next, so that the memos compare it by identity.
        key = self._key
        if key[0] is not settings or key[1] != rules:
            key = self._key = (settings, rules)
        return key

    def findings(self, rules: tuple[Rule, ...], context: Context) -> list[list[Finding]]:
        """Each rule's findings over every block, in document order."""
        blocks = context.backlog.blocks
        key = self.key(context.settings, rules)
        last = self._last  # read once: another thread may replace it
        before = after = 0
        if last is not None and last[0] is key:
            _, old_blocks, old_entries = last
            before = same_from_top(old_blocks, blocks)
            after = same_from_bottom(old_blocks[before:], blocks[before:])
        entries = _entries(self._blocks, blocks[before : len(blocks) - after], _BLOCK_LINEAGE, _BLOCK_START,
                           lambda block: self._of_block(rules, context, block), key, rules)
        if before or after:
            entries = old_entries[:before] + entries + old_entries[len(old_entries) - after :]
        self._last = (key, blocks, entries)
        found: list[list[Finding]] = [[] for _ in rules]
        _add(entries, found)
        return found

    def _of_block(self, rules: tuple[Rule, ...], context: Context, block: Block) -> tuple[tuple[Finding, ...], ...]:
        if block.item_count < LONG_LIST_ITEMS:
            return tuple(_findings_of_block(rule, context, block) for rule in rules)
        # A long list, item by item: each item's findings kept, so an edit checks one item again.
        found: list[list[Finding]] = [[] if rule.check_block is None else list(rule.check_block(context, block)) for rule in rules]
        _gather(self._items, block.items, lineage_of, _ITEM_START, lambda item: tuple(_item_findings(rule, context, item) for rule in rules),
                self.key(context.settings, rules), rules, found)
        return tuple(tuple(findings) for findings in found)


# ``_gather`` reaches a ``checkpoint`` at every block (or item) whose index has none of these bits,
# one in 32: often enough for a request not to wait a millisecond, rarely enough to cost nothing.
_CHECKPOINT_MASK = 31
_BLOCK_LINEAGE = attrgetter("lineage")
_BLOCK_START = attrgetter("start_line")
_ITEM_START = attrgetter("span.start_line")


def _gather(memo: Any, nodes: Iterable[Any], lineage_of: Callable, start_of: Callable, compute: Callable[[Any], tuple],
            key: tuple, rules: tuple[Rule, ...], found: list[list[Finding]]) -> None:
    """Add each rule's findings in ``nodes`` (blocks, or items of a long list) to ``found``: remembered, moved, or computed."""
    _add(_entries(memo, nodes, lineage_of, start_of, compute, key, rules), found)


def _entries(memo: Any, nodes: Iterable[Any], lineage_of: Callable, start_of: Callable, compute: Callable[[Any], tuple],
             key: tuple, rules: tuple[Rule, ...]) -> list:
    """For each of ``nodes``, each rule's findings there (remembered, moved, or computed), or () when none has any."""
    entries: list = []
    add = entries.append
    peek = memo.peek
    for index, node in enumerate(nodes):
        if not index & _CHECKPOINT_MASK:
            checkpoint.reached()
        lineage = lineage_of(node)
        entry = peek(lineage, key)
        if entry is MISSING or (entry and entry[0] != start_of(node)):
            add(_remember_all(memo, lineage, start_of(node), entry, key, rules, lambda: compute(node)))
        else:
            add(entry[1] if entry else ())
    return entries


def _add(entries: list, found: list[list[Finding]]) -> None:
    """Each rule's findings of ``entries`` (``_entries``) added to its list in ``found``."""
    for per_rule in filter(None, entries):
        for into, findings in zip(found, per_rule):
            if findings:
                into.extend(findings)


def _remember_all(memo: Any, lineage: Any, start: int, entry: Any, key: tuple, rules: tuple[Rule, ...],
                  compute: Callable[[], tuple]) -> tuple:
    """As ``_remember``, for every rule at once: each rule's findings moved where its messages name
    no line, else found again (only where there were any)."""
    if entry is MISSING:
        per_rule = compute()
    else:
        fresh = None
        moved = []
        for index, (rule, findings) in enumerate(zip(rules, entry[1])):
            if findings and rule.lines_in_text:
                if fresh is None:
                    fresh = compute()
                findings = fresh[index]
            elif findings:
                findings = shift_findings(findings, start - entry[0])
            moved.append(findings)
        per_rule = tuple(moved)
    memo.put(lineage, (start, per_rule) if any(per_rule) else (), key)
    return per_rule


def _item_findings(rule: Rule, context: Context, item: Item) -> tuple[Finding, ...]:
    return () if rule.check_item is None else tuple(rule.check_item(context, item))


_BUNDLES = _Bundles()


def shift_findings(findings: tuple[Finding, ...], delta: int) -> tuple[Finding, ...]:
    """``findings`` moved down by ``delta`` whole lines: their ranges, their fixes' edits, their related lines here."""
    return tuple([_shifted(finding, delta) for finding in findings])


def _shifted(finding: Finding, delta: int) -> Finding:
    fixes, related = finding.fixes, finding.related
    if fixes:
        fixes = tuple(
            Fix(fix.title, tuple(Edit(edit.span.shifted(delta), edit.new_text) for edit in fix.edits), fix.safe, fix.preferred)
            for fix in fixes
        )
    if related:
        related = tuple(
            other if other.path is not None else Related(other.span.shifted(delta), other.message, None, other.line_text)
            for other in related
        )
    # Most findings have neither fixes nor related lines (their empty tuples are kept): one new value each.
    return Finding(finding.rule, finding.code, finding.severity, finding.span.shifted(delta), finding.message, fixes, related)


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


def selected(rule: Rule, select: Collection[str] | None, ignore: Collection[str] | None) -> bool:
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


def _bundled(rules: tuple[Rule, ...], context: Context) -> dict[str, list[Finding]]:
    """The block rules' findings by rule name, all found together (``_Bundles``); {} when one of
    them fails, so that each runs alone and only the failing one's findings are left out."""
    if not rules:
        return {}
    try:
        return {rule.name: findings for rule, findings in zip(rules, _BUNDLES.findings(rules, context))}
    except Exception:
        return {}


def _check(
    backlog, settings, path, files, tracker, select, ignore, rules, Suppressions, rfcs=None, encoding=None, elsewhere=None
) -> list[Finding]:
    context = Context(backlog, settings, path=path, files=files, tracker=tracker, rfcs=rfcs)
    context.encoding = encoding
    context.elsewhere = elsewhere
    suppressions = Suppressions.of(backlog)
    settings = context.settings
    enabled: list[tuple[Rule, Any]] = []
    for rule in all_rules() if rules is None else rules:
        configured = settings.rule(rule.name).severity
        if configured == OFF or not selected(rule, select, ignore):
            continue
        if suppressions.whole_file(rule.name, rule.code):
            continue
        enabled.append((rule, configured))
    block_findings = _bundled(tuple(rule for rule, _ in enabled if rule.check_block is not None or rule.check_item is not None), context)
    found: list[Finding] = []
    for rule, configured in enabled:
        checkpoint.reached()  # outside the try: a stopped check is not a failing rule
        try:
            if rule.name in block_findings:
                findings: Iterable[Finding] = block_findings[rule.name]
                if rule.check is not None:
                    findings = chain(rule.check(context), findings)
            else:
                findings = rule.run(context)
            for finding in findings:
                if suppressions.ranges and suppressions.hides(rule.name, finding.span.start_line, rule.code):
                    continue
                if configured is not None and configured != finding.severity:
                    finding = attrs.evolve(finding, severity=configured)
                found.append(finding)
        except Exception:
            log.exception("rule %s failed; its findings are left out", rule.name)
    found.sort(key=lambda finding: (finding.span, finding.code))
    return found
