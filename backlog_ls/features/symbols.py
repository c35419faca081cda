"""The document outline: sections holding their task trees.

Sections nest by heading level; under a section come its tasks, each with the
tasks nested below it. A plain bullet appears only when tasks hang below it
(it groups them, so the outline keeps that grouping); other bullets are prose.
Items before the first heading come first, at the top level. A task's detail is its
state ("done", "open", or the box as written, "[~]"); a section's is its progress ("3/5 done").
A heading written as a task ("### Task 1.1: Parser ✅") is a task whose subtasks are its section's:
its detail is its state and their progress ("done, 3/5 done").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ..model import Backlog, Item, Section, Span

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


def document_symbols(backlog: Backlog) -> list[Symbol]:
    symbols = _item_symbols(backlog.preamble_items, backlog.lines)
    symbols.extend(_section_symbol(section, backlog.lines)[0] for section in backlog.sections)
    return symbols


def task_state(item: Item) -> str:
    """How the outline names a checkbox: "done", "open", or the box as written ("[~]")."""
    if item.is_checked:
        return DONE
    if item.checkbox in (" ", "\t"):
        return OPEN
    return f"[{item.checkbox}]"


def _section_symbol(section: Section, lines: Sequence[str]) -> tuple[Symbol, int, int]:
    """The section's symbol, with its done and total task counts (subsections included)."""
    children = _item_symbols(section.items, lines)
    done = total = 0
    for task in section.tasks():
        total += 1
        done += task.is_checked
    for child in section.children:
        symbol, child_done, child_total = _section_symbol(child, lines)
        children.append(symbol)
        done += child_done
        total += child_total
    progress = f"{done}/{total} done" if total else None
    detail = progress
    if section.is_task:
        # A heading written as a task: its state, then its subtasks' progress; it counts as one
        # task in the sections above it, beside its subtasks.
        state = DONE if section.heading.is_checked else OPEN
        detail = f"{state}, {progress}" if progress else state
        total += 1
        done += section.heading.is_checked
    symbol = Symbol(
        name=_one_line(section.title) or "(untitled section)",
        kind=TASK if section.is_task else SECTION,
        detail=detail,
        span=section.span,
        selection_span=section.heading.title_span,
        children=tuple(children),
    )
    return symbol, done, total


def _item_symbols(items: Iterable[Item], lines: Sequence[str]) -> list[Symbol]:
    symbols = []
    for item in items:
        symbol = _item_symbol(item, lines)
        if symbol is not None:
            symbols.append(symbol)
    return symbols


def _item_symbol(item: Item, lines: Sequence[str]) -> Symbol | None:
    children = tuple(_item_symbols(item.children, lines))
    if not item.is_task and not children:
        return None
    return Symbol(
        name=_one_line(item.first_line_text) or ("(empty task)" if item.is_task else "(empty item)"),
        kind=TASK if item.is_task else BULLET,
        detail=task_state(item) if item.is_task else None,
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
