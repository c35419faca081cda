"""Task IDs of headings written as tasks ("### Task 1.1: Parser ✅"), for the task-ID rules.

A heading task is named by the ID its title starts with, like a list task; its phase is given by
the numbered headings above it (not its own number, which is its ID's).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Backlog, Heading, Section, TaskId
from .common import leading_number


def heading_task_ids(backlog: Backlog) -> list[TaskId]:
    return [heading.task_id for heading in backlog.headings if heading.task_id is not None]


def heading_tasks_with_phases(backlog: Backlog) -> Iterator[tuple[TaskId, tuple[tuple[Heading, int], ...]]]:
    """Each heading task's ID with the numbered headings above it, nearest first, and their phase numbers."""
    if all(heading.task_id is None for heading in backlog.headings):
        return  # most backlogs: no walk of the section tree (built on demand) after a keystroke
    yield from _heading_tasks(backlog.sections, ())


def _heading_tasks(sections: tuple[Section, ...], above: tuple[tuple[Heading, int], ...]) -> Iterator[tuple[TaskId, tuple[tuple[Heading, int], ...]]]:
    # A module function, not a closure calling itself: that would be a cycle for the collector.
    for section in sections:
        heading = section.heading
        if heading.task_id is not None:
            yield heading.task_id, above
        phase = leading_number(heading.number) if heading.number is not None else None
        inner = ((heading, phase), *above) if phase is not None and heading.task_id is None else above
        yield from _heading_tasks(section.children, inner)
