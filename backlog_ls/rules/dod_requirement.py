"""dod-requirement (BL304): a ticked task that misses a criterion of the configured Definition of Done.

Each ``[[dod.require]]`` entry of the configuration is a criterion every ticked task
must meet: ``pattern`` is a Python regular expression searched in the task's text
and in everything nested under it (subtasks, notes, links); ``message`` is what the
finding says; ``sections``, when given, limits the criterion to tasks under a
heading whose title matches one of its globs (``fnmatch`` style, case-insensitive,
any enclosing heading). A ticked task that meets a criterion covers the tasks
nested under it, and so does a list item whose own text matches: the subtasks of a
task that links its pull request need not each repeat the link.

    [[dod.require]]
    pattern = 'https://github\\.com/.+/pull/\\d+'
    message = "Link the pull request that delivered the task."
    sections = ["Phase *"]

A pattern that is not a valid regular expression is skipped (the configuration
check reports it). The fix "Untick this task" is offered but never applied by
``check --fix``.

Bad:

    ## Phase 2: Query Protocol

    - [x] Parse queries

Good:

    ## Phase 2: Query Protocol

    - [x] Parse queries (https://github.com/acme/pharos/pull/41)
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterator, Mapping, Sequence

from ..model import Item, Section
from . import WARNING, Context, Edit, Finding, Fix, Rule
from .done_with_open_subtasks import DONE, state_kinds

log = logging.getLogger(__name__)
_warned: set[str] = set()

# A criterion ready to test: compiled pattern, message, lower-cased section globs.
_Criterion = tuple[re.Pattern, str, tuple[str, ...]]


def _criteria(context: Context) -> list[_Criterion]:
    criteria: list[_Criterion] = []
    for requirement in context.settings.dod.require:
        try:
            pattern = re.compile(requirement.pattern)
        except (re.error, TypeError, ValueError) as error:
            if requirement.pattern not in _warned:  # once, not on every keystroke
                _warned.add(requirement.pattern)
                log.warning("dod.require: skipping the pattern %r: %s", requirement.pattern, error)
            continue
        globs = tuple(str(glob).lower() for glob in requirement.sections)
        criteria.append((pattern, str(requirement.message), globs))
    return criteria


class _Checker:
    """Checks one criterion; one pass per criterion keeps the loop over a 20,000-task file lean."""

    def __init__(self, lines: Sequence[str], kinds: Mapping[str, str], criterion: _Criterion):
        self.lines = lines
        self.kinds = kinds
        self.search = criterion[0].search
        self.message = f"Definition of Done: {criterion[1]}"
        self.found: list[Finding] = []

    def items(self, items: Sequence[Item]) -> None:
        search, kind = self.search, self.kinds.get
        for item in items:
            children = item.children
            checkbox = item.checkbox
            if checkbox is not None and kind(checkbox) == DONE:
                if search(item.text):
                    continue  # met here, and so for everything below
                if item.span.end_line > item.text_span.end_line and search(self._nested_text(item)):
                    continue  # met below: the subtasks are steps of a task that meets it
                self._report(item)
                if children:
                    self.items(children)
            elif children and not search(item.text):
                self.items(children)

    def _nested_text(self, item: Item) -> str:
        """The lines under the item's own text: subtasks, notes, code blocks."""
        return "\n".join(self.lines[item.text_span.end_line + 1 : item.span.end_line + 1])

    def _report(self, item: Item) -> None:
        span = item.checkbox_span
        assert span is not None
        fix = Fix("Untick this task", (Edit(span, "[ ]"),), safe=False)
        self.found.append(RULE.finding(span, self.message, (fix,)))


def _in_sections(section: Section, globs: tuple[str, ...], inside: bool) -> Iterator[Section]:
    """The sections (this one and below) under a heading that matches one of ``globs``."""
    inside = inside or not globs or any(fnmatch.fnmatchcase(section.title.lower(), glob) for glob in globs)
    if inside:
        yield section
    for child in section.children:
        yield from _in_sections(child, globs, inside)


def _check(context: Context) -> Iterator[Finding]:
    criteria = _criteria(context)
    if not criteria:
        return iter(())
    backlog = context.backlog
    kinds = state_kinds(context.settings)
    found: list[Finding] = []
    for criterion in criteria:
        checker = _Checker(backlog.lines, kinds, criterion)
        globs = criterion[2]
        if not globs:
            checker.items(backlog.preamble_items)
        for root in backlog.sections:
            for section in _in_sections(root, globs, False):
                if section.items:
                    checker.items(section.items)
        found.extend(checker.found)
    return iter(found)


RULE = Rule(
    name="dod-requirement",
    code="BL304",
    severity=WARNING,
    summary="A ticked task misses a criterion of the Definition of Done configured in [[dod.require]].",
    check=_check,
)
