"""The backlog outline an editor's Backlog view draws: sections with their progress, and their tasks.

Pure: a parsed backlog and its settings in, plain values out (``convert.outline_json``
turns them into the ``backlog-ls/outline`` answer). The server owns this data so that
no editor parses Markdown a second time.

A section's counts take its own tasks and its subsections' (a heading written as a
task counts as one task of the sections above it), by what each state means: a
cancelled task is left out of the total, an in-progress one is not done. A task is
ready to start when it is open (not begun, not deferred) and nothing it waits for is
still open: ``ready`` says which, so that the dependency rules decide it, not this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import attrs

from ..config import Settings
from ..model import Backlog, Item, Section, Span
from ..states import CANCELLED, DONE, kind_of_meaning, state_meanings
from .symbols import _item_name_span, _one_line, task_state

# The kind of a task's state, as the view shows it (an icon each).
OPEN = "open"
IN_PROGRESS = "in_progress"
# DONE, CANCELLED and DEFERRED as in ``states``.

_IN_PROGRESS_MEANINGS = frozenset({"in-progress", "doing", "started", "active", "wip", "ongoing"})


@attrs.frozen
class Counts:
    done: int = 0
    open: int = 0
    in_progress: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        """The tasks that count: every one but the cancelled."""
        return self.done + self.open + self.in_progress

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(mine + theirs for mine, theirs in zip(attrs.astuple(self), attrs.astuple(other))))

    @classmethod
    def of_kind(cls, kind: str) -> Counts:
        # A deferred task is not done: it counts as open.
        field = {DONE: "done", CANCELLED: "cancelled", IN_PROGRESS: "in_progress"}.get(kind, "open")
        return cls(**{field: 1})


@attrs.frozen
class OutlineTask:
    name: str
    span: Span  # the task's name on its first line
    state: str  # the checkbox as written: " ", "x", "~" ...
    meaning: str  # "open", "done", "in progress", "[*]" ...
    kind: str  # OPEN | IN_PROGRESS | DONE | CANCELLED | DEFERRED (``states.DEFERRED``)
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

    @property
    def weight(self) -> Counts:
        """What the section adds to the sections above it: its counts, and itself when its heading is a task."""
        return self.counts + Counts.of_kind(self.task.kind) if self.task is not None else self.counts


@attrs.frozen
class FileOutline:
    counts: Counts
    tasks: tuple[OutlineTask, ...]  # before the first heading
    sections: tuple[OutlineSection, ...]


# ready(task) -> whether the task may be started now; called for open tasks only.
Ready = Callable[[Item], bool]


def _always_ready(_item: Item) -> bool:
    return True


# Emphasis and code marks a tree label would show literally ("**Task 1.1:** Set up" -> "Task 1.1: Set up").
_MARKS = re.compile(r"\*\*|__|`")


def plain_name(text: str) -> str:
    return _MARKS.sub("", _one_line(text))


def kind_of_state(meaning: str) -> str:
    """OPEN, IN_PROGRESS, DONE, CANCELLED or DEFERRED for a state's meaning ("in progress" -> IN_PROGRESS)."""
    kind = kind_of_meaning(meaning)
    if kind == OPEN and meaning.strip().lower().replace("_", "-").replace(" ", "-") in _IN_PROGRESS_MEANINGS:
        return IN_PROGRESS
    return kind


def file_outline(backlog: Backlog, settings: Settings | None = None, ready: Ready | None = None) -> FileOutline:
    builder = _Builder(backlog.lines, state_meanings(settings), ready or _always_ready)
    tasks, counts = builder.tasks(backlog.preamble_items)
    sections = tuple(builder.section(section) for section in backlog.sections)
    for section in sections:
        counts += section.weight
    return FileOutline(counts=counts, tasks=tasks, sections=sections)


class _Builder:
    def __init__(self, lines: Sequence[str], meanings: dict[str, str], ready: Ready):
        self.lines = lines
        self.meanings = meanings
        self.ready = ready

    def section(self, section: Section) -> OutlineSection:
        tasks, counts = self.tasks(section.items)
        children = tuple(self.section(child) for child in section.children)
        for child in children:
            counts += child.weight
        heading_task = None
        if section.is_task:
            # Its subtasks are the section's; it counts as one task in the sections above it.
            kind = DONE if section.heading.is_checked else OPEN
            meaning = DONE if kind == DONE else OPEN
            heading_task = OutlineTask(
                name=plain_name(section.title),
                span=section.heading.title_span,
                state="x" if kind == DONE else " ",
                meaning=meaning,
                kind=kind,
                ready=kind == OPEN,
            )
        return OutlineSection(
            title=plain_name(section.title) or "(untitled section)",
            level=section.heading.level,
            span=section.heading.title_span,
            counts=counts,
            tasks=tasks,
            sections=children,
            task=heading_task,
        )

    def tasks(self, items: Iterable[Item]) -> tuple[tuple[OutlineTask, ...], Counts]:
        """The tasks among ``items`` (a plain bullet's tasks take its place) and their counts."""
        found: list[OutlineTask] = []
        counts = Counts()
        for item in items:
            subtasks, below = self.tasks(item.children)
            counts += below
            if not item.is_task:
                found.extend(subtasks)
                continue
            meaning = task_state(item, self.meanings)
            kind = kind_of_state(meaning)
            counts += Counts.of_kind(kind)
            found.append(
                OutlineTask(
                    name=plain_name(item.first_line_text) or "(empty task)",
                    span=_item_name_span(item, self.lines),
                    state=item.checkbox or " ",
                    meaning=meaning,
                    kind=kind,
                    ready=kind == OPEN and self.ready(item),
                    subtasks=subtasks,
                )
            )
        return tuple(found), counts
