"""What a task waits for, in the editor: the hover that lists its blockers with their states, and the
definition that jumps from a blocker's name to the task it names. Pure: a backlog and a position in,
plain values out; the dependencies themselves are ``dependencies.graph``'s.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..config import Settings
from ..dependencies import TRACKER, Dependency, Elsewhere, describe, graph
from ..model import Backlog, Span


@attrs.frozen
class Place:
    """Where a blocker is: a span in this document (``uri`` None) or in another file."""

    span: Span
    uri: str | None = None


def _on_blocker(dependencies: list[Dependency], line: int, column: int) -> Dependency | None:
    return next(
        (d for d in dependencies if d.blocker is not None and d.blocker.span.contains(line, column)),
        None,
    )


def blockers_hover(
    backlog: Backlog,
    line: int,
    column: int,
    *,
    settings: Settings | None = None,
    tracker: Any = None,
    elsewhere: Elsewhere | None = None,
    on_name_only: bool = False,
) -> tuple[str, Span] | None:
    """On a blocker's name (or, unless ``on_name_only``, on the first line of a task that waits for
    something): what the task waits for, each blocker with its state."""
    found = graph(backlog, settings, tracker=tracker, elsewhere=elsewhere)
    if not found.dependencies:
        return None
    near = [d for d in found.dependencies if d.span.start_line <= line <= d.span.end_line or d.task.line == line]
    named = _on_blocker(near, line, column)
    if named is not None:
        task, span = named.task, named.blocker.span
    elif on_name_only:
        return None
    else:
        task = next((d.task for d in near if d.task.line == line and d.task.span.contains(line, column)), None)
        if task is None:
            return None
        span = task.span
    dependencies = found.of(task)
    still_open = sum(1 for d in dependencies if d.is_open)
    unknown = sum(1 for d in dependencies if d.state is None)
    counts = [f"{still_open} of {len(dependencies)} still open"] if still_open else []
    if unknown:
        counts.append(f"{unknown} unknown")
    lines = [f"**Waits for** ({', '.join(counts) or 'all done'})", ""]
    for dependency in dependencies:
        where = " (on the tracker)" if dependency.origin == TRACKER else ""
        lines.append(f"- {describe(dependency)}{where}")
    return "\n".join(lines), span


def blocker_definition(
    backlog: Backlog,
    line: int,
    column: int,
    *,
    settings: Settings | None = None,
    tracker: Any = None,
    elsewhere: Elsewhere | None = None,
) -> Place | None:
    """On a blocker's name: the task it names, here or in another file (an issue has no place to go)."""
    found = graph(backlog, settings, tracker=tracker, elsewhere=elsewhere)
    named = _on_blocker([d for d in found.dependencies if d.span.start_line <= line <= d.span.end_line], line, column)
    if named is None:
        return None
    if named.target is not None:
        return Place(named.target.span)
    where = named.elsewhere
    if where is not None and where.uri is not None:
        return Place(where.span or Span.on_line(where.line, 0, 0), where.uri)
    return None
