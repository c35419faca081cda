"""The backlog outline an editor's Backlog view draws: sections with their progress, and their tasks.

Pure: a parsed backlog and its settings in, plain values out (``convert.outline_file_json``
turns them into the ``backlog-ls/outline`` answer). The server owns this data so that
no editor parses Markdown a second time.

A section's counts are the progress hints' own (``features.progress``): its tasks and its
subsections', by what each state means, the cancelled left out of the total. A task is
ready to start when it is open or in progress (not deferred) and nothing it waits for is
still open: the dependency graph says which (``dependencies.graph``, as ``report --next``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..config import Settings
from ..dependencies import graph
from ..model import Backlog, Item, Section, Span
from ..states import DEFERRED as DEFERRED_KIND, state_kinds, state_meanings, task_kind
from .progress import DONE_STATE, IN_PROGRESS_STATE, NOTHING, OPEN_STATE, Counts, StateReader, progress
from .symbols import _item_name_span, _one_line, task_state

# The kind of a task's state, as the view shows it (an icon each): ``progress``'s states, and
# DEFERRED apart (counted as open, drawn as put off).
OPEN = OPEN_STATE
IN_PROGRESS = IN_PROGRESS_STATE
DEFERRED = "deferred"


@attrs.frozen
class OutlineTask:
    name: str
    span: Span  # the task's name on its first line
    state: str  # the checkbox as written: " ", "x", "~" ...
    meaning: str  # "open", "done", "in progress", "[*]" ...
    kind: str  # "open", "in_progress", "done", "cancelled" or "deferred"
    ready: bool
    subtasks: tuple[OutlineTask, ...] = ()


@attrs.frozen
class OutlineSection:
    title: str
    level: int
    span: Span  # the heading's title
    counts: Counts
    tasks: tuple[OutlineTask, ...]
    sections: tuple[OutlineSection, ...]
    task: OutlineTask | None = None  # a heading written as a task: its own state


@attrs.frozen
class FileOutline:
    counts: Counts
    tasks: tuple[OutlineTask, ...]  # before the first heading
    sections: tuple[OutlineSection, ...]


# Emphasis and code marks a tree label would show literally ("**Task 1.1:** Set up" -> "Task 1.1: Set up").
_MARKS = re.compile(r"\*\*|__|`")


def plain_name(text: str) -> str:
    return _MARKS.sub("", _one_line(text))


def file_outline(backlog: Backlog, settings: Settings | None = None, *, tracker: Any = None, elsewhere: Any = None) -> FileOutline:
    """The outline of one backlog; its figures are ``features.progress``'s (the inlay hints' own), its
    ready flags ``dependencies.graph``'s (``tracker`` and ``elsewhere`` resolve blockers that are issues
    or tasks of other files; without them such a blocker keeps its task waiting)."""
    figures = progress(backlog, settings)
    ready_lines = frozenset(node.line for node in graph(backlog, settings, tracker=tracker, elsewhere=elsewhere).ready())
    builder = _Builder(backlog.lines, settings, figures.sections, ready_lines)
    return FileOutline(
        counts=figures.whole,
        tasks=builder.tasks(backlog.preamble_items),
        sections=tuple(builder.section(section) for section in backlog.sections),
    )


class _Builder:
    def __init__(self, lines: Sequence[str], settings: Settings | None, figures: Mapping[int, Counts], ready_lines: frozenset[int]):
        self.lines = lines
        self.meanings = state_meanings(settings)
        self.kinds = state_kinds(settings)
        self.states = StateReader(settings)
        self.figures = figures
        self.ready_lines = ready_lines

    def _kind(self, item: Item) -> str:
        """``progress``'s state of the task, DEFERRED told apart from open (for its icon)."""
        kind = self.states.of(item)
        if kind == OPEN and task_kind(item, self.kinds) == DEFERRED_KIND:
            return DEFERRED
        return kind

    def is_ready(self, kind: str, line: int) -> bool:
        return kind in (OPEN, IN_PROGRESS) and line in self.ready_lines

    def section(self, section: Section) -> OutlineSection:
        heading_task = None
        if section.is_task:
            # Its subtasks are the section's; it counts as one task in the sections above it.
            kind = DONE_STATE if section.heading.is_checked else OPEN
            heading_task = OutlineTask(
                name=plain_name(section.title),
                span=section.heading.title_span,
                state="x" if kind == DONE_STATE else " ",
                meaning=kind,
                kind=kind,
                ready=self.is_ready(kind, section.heading.span.start_line),
            )
        return OutlineSection(
            title=plain_name(section.title) or "(untitled section)",
            level=section.heading.level,
            span=section.heading.title_span,
            counts=self.figures.get(section.heading.span.start_line, NOTHING),
            tasks=self.tasks(section.items),
            sections=tuple(self.section(child) for child in section.children),
            task=heading_task,
        )

    def tasks(self, items: Iterable[Item]) -> tuple[OutlineTask, ...]:
        """The tasks among ``items``, with their subtasks (a plain bullet's tasks take its place)."""
        found: list[OutlineTask] = []
        for item in items:
            subtasks = self.tasks(item.children)
            if not item.is_task:
                found.extend(subtasks)
                continue
            kind = self._kind(item)
            found.append(
                OutlineTask(
                    name=plain_name(item.first_line_text) or "(empty task)",
                    span=_item_name_span(item, self.lines),
                    state=item.checkbox or " ",
                    meaning=task_state(item, self.meanings),
                    kind=kind,
                    ready=self.is_ready(kind, item.line),
                    subtasks=subtasks,
                )
            )
        return tuple(found)
