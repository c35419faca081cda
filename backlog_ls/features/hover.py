"""Hover: what the text under the cursor means. Pure: a backlog and a position in, Markdown out.

So far: on a ticked checkbox, the document's own Definition of Done, so the author
sees the criteria while ticking.
"""

from __future__ import annotations

import attrs

from ..model import Backlog, Span
from .dod import definition_of_done, hover_text


@attrs.frozen
class HoverResult:
    markdown: str
    span: Span


def hover(backlog: Backlog, line: int, column: int) -> HoverResult | None:
    task = next(
        (
            task
            for task in backlog.task_list
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
