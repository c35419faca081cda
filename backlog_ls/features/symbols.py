"""The document outline: sections holding their task trees.

Sections nest by heading level; under a section come its tasks, each with the
tasks nested below it. A plain bullet appears only when tasks hang below it
(it groups them, so the outline keeps that grouping); other bullets are prose.
Items before the first heading come first, at the top level. A task's detail is its
state ("done", "open", a state's meaning such as "in progress", or the box as written,
"[*]"); a section's is its progress ("3/5 done"), the figure the progress hints show
(``features.progress``): a cancelled task is left out of the total. A heading written as a task ("### Task 1.1: Parser ✅") is a
task whose subtasks are its section's: its detail is its state and their progress
("done, 3/5 done").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..config import Settings
from ..model import Backlog, Item, Section, Span
from ..states import state_meanings
from .progress import Counts, progress

SECTION = "section"
TASK = "task"
BULLET = "bullet"

DONE = "done"
OPEN = "open"


@attrs.frozen
class Symbol:
    """One outline entry. ``span`` is its whole extent, ``selection_span`` its name."""

    name: str
    kind: str  # SECTION | TASK | BULLET
    detail: str | None
    span: Span
    selection_span: Span
    children: tuple[Symbol, ...] = ()


def document_symbols(backlog: Backlog, settings: Settings | None = None) -> list[Symbol]:
    meanings = state_meanings(settings)
    figures = progress(backlog, settings).sections
    symbols = _item_symbols(backlog.preamble_items, backlog.lines, meanings)
    symbols.extend(_section_symbol(section, backlog.lines, meanings, figures) for section in backlog.sections)
    return symbols


def task_state(item: Item, meanings: dict[str, str] | None = None) -> str:
    """How the outline names a checkbox: "done", "open", its meaning ("in progress"), or the box as written."""
    if item.is_checked:
        return DONE
    if item.checkbox in (" ", "\t"):
        return OPEN
    meaning = (meanings or state_meanings(None)).get(item.checkbox or "")
    return meaning or f"[{item.checkbox}]"


def _section_symbol(
    section: Section, lines: Sequence[str], meanings: dict[str, str], figures: Mapping[int, Counts]
) -> Symbol:
    """The section's symbol; its detail is its progress (subsections included)."""
    children = _item_symbols(section.items, lines, meanings)
    children.extend(_section_symbol(child, lines, meanings, figures) for child in section.children)
    figure = figures.get(section.heading.span.start_line)
    progress_text = f"{figure.done}/{figure.total} done" if figure is not None and figure.total else None
    detail = progress_text
    if section.is_task:
        # A heading written as a task: its state, then its subtasks' progress.
        state = DONE if section.heading.is_checked else OPEN
        detail = f"{state}, {progress_text}" if progress_text else state
    return Symbol(
        name=_one_line(section.title) or "(untitled section)",
        kind=TASK if section.is_task else SECTION,
        detail=detail,
        span=section.span,
        selection_span=section.heading.title_span,
        children=tuple(children),
    )


def _item_symbols(items: Iterable[Item], lines: Sequence[str], meanings: dict[str, str]) -> list[Symbol]:
    symbols = []
    for item in items:
        symbol = _item_symbol(item, lines, meanings)
        if symbol is not None:
            symbols.append(symbol)
    return symbols


def _item_symbol(item: Item, lines: Sequence[str], meanings: dict[str, str]) -> Symbol | None:
    children = tuple(_item_symbols(item.children, lines, meanings))
    if not item.is_task and not children:
        return None
    return Symbol(
        name=_one_line(item.first_line_text) or ("(empty task)" if item.is_task else "(empty item)"),
        kind=TASK if item.is_task else BULLET,
        detail=task_state(item, meanings) if item.is_task else None,
        span=item.span,
        selection_span=_item_name_span(item, lines),
        children=children,
    )


def _item_name_span(item: Item, lines: Sequence[str]) -> Span:
    """The item's text on its first line; the marker and checkbox when that line has no text."""
    line = item.line
    source = lines[line] if line < len(lines) else ""
    start = item.text_span.start_col if item.text_span.start_line == line else len(source)
    own_text = source[start:].rstrip()
    if own_text:
        return Span.on_line(line, start, start + len(own_text))
    head_end = item.checkbox_span.end_col if item.checkbox_span is not None else item.marker_span.end_col
    return Span.on_line(line, item.marker_span.start_col, head_end)


def _one_line(text: str) -> str:
    """Outline names are single lines: a setext title or a wrapped name joins its lines."""
    return " ".join(text.split()) if "\n" in text or "\t" in text else text.strip()
