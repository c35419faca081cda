"""Hover: what the text under the cursor means. Pure: a backlog and a position in, Markdown out.

On a ticked checkbox, the document's own Definition of Done, so the author sees
the criteria while ticking; on an RFC citation, what the RFC is (``features/rfc.py``).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..config import Settings
from ..model import Backlog, Span
from .blockers import blockers_hover
from .dod import definition_of_done, hover_text
from .issues import issue_hover
from .rfc import rfc_hover


@attrs.frozen
class HoverResult:
    markdown: str
    span: Span


def hover(
    backlog: Backlog,
    line: int,
    column: int,
    *,
    rfcs: Any = None,
    path: str | None = None,
    issues: Any = None,
    settings: Settings | None = None,
    elsewhere: Any = None,
) -> HoverResult | None:
    """``issues`` is the tracker's ``IssueSource`` (None: no tracker): read from its cache, never awaited.

    On a blocker's name ("blocked by #12") what the task waits for comes before the issue's own
    hover; elsewhere on a task's line, after every other hover.
    """
    found = _checkbox_hover(backlog, line, column)
    if found is not None:
        return found
    rfc = rfc_hover(backlog, line, column, rfcs, path)
    if rfc is not None:
        return HoverResult(*rfc)
    options = {"settings": settings, "tracker": issues, "elsewhere": elsewhere}
    waits = blockers_hover(backlog, line, column, on_name_only=True, **options)
    if waits is not None:
        return HoverResult(*waits)
    issue = issue_hover(backlog, line, column, issues)
    if issue is not None:
        return HoverResult(*issue)
    waits = blockers_hover(backlog, line, column, **options)
    if waits is not None:
        return HoverResult(*waits)
    return None


def _checkbox_hover(backlog: Backlog, line: int, column: int) -> HoverResult | None:
    # Only the block under the cursor is looked at: a 20,000-task backlog is not walked per hover.
    block = backlog.block_at(line)
    if block is None or not block.has_items:
        return None
    task = next(
        (
            task
            for task, _parent in block.walk
            if task.line == line and task.checkbox_span is not None and task.checkbox_span.contains(line, column)
        ),
        None,
    )
    if task is None or not task.is_checked:
        return None
    dod = definition_of_done(backlog)
    if dod is None:
        return None
    return HoverResult(hover_text(dod), task.checkbox_span)
