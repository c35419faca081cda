"""Editing actions as plain values: a title, the kind of action, and minimal edits.

The pure features ``tick``, ``formatting`` and ``split`` return these; ``convert.py``
turns them into code actions tied to the document version. Edits are ``rules.Edit``
values (code point spans), so ``fixes.apply_fixes`` applies them in tests as the
editor would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ..model import Backlog, Item, Span
from ..rules import Edit

REWRITE = "rewrite"  # a refactoring on the item under the cursor: refactor.rewrite
SELECTION = "selection"  # an action over the selected lines: source.backlog-ls.*


@attrs.frozen
class Action:
    title: str
    edits: tuple[Edit, ...]
    kind: str = REWRITE
    preferred: bool = False


def own_lines(item: Item) -> range:
    """The lines of an item's own text (its first line and continuation lines, not its children)."""
    last = max(item.text_span.end_line, item.span.start_line)
    if item.children:
        last = min(last, item.children[0].span.start_line - 1)
    # Never empty: in "10. + a" the first child starts on the item's own first line.
    return range(item.span.start_line, max(last, item.span.start_line) + 1)


def item_at(backlog: Backlog, line: int, *, tasks_only: bool = True) -> tuple[Item, Item | None] | None:
    """The innermost (task) item whose own text holds ``line``, with its parent."""
    found = None
    for item, parent in backlog.item_pairs:
        if item.span.start_line > line:
            break
        if tasks_only and not item.is_task:
            continue
        if line in own_lines(item):
            found = (item, parent)
    return found


def items_in(backlog: Backlog, first_line: int, last_line: int) -> list[tuple[Item, Item | None]]:
    """Every item whose first line lies in ``first_line..last_line``, in document order."""
    return [(item, parent) for item, parent in backlog.item_pairs if first_line <= item.span.start_line <= last_line]


def parents_of(backlog: Backlog) -> dict[int, Item | None]:
    return {id(item): parent for item, parent in backlog.item_pairs}


def line_edits(before: Sequence[str], after: Sequence[str]) -> list[Edit]:
    """Minimal edits from one list of lines to another of the same length: per changed line,
    only the run of characters between the common prefix and the common suffix."""
    from ..fixes import in_line_edit

    found = (in_line_edit(number, old, new) for number, (old, new) in enumerate(zip(before, after)))
    return [edit for edit in found if edit is not None]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text after ``edits`` (which must not overlap): for tests and previews."""
    from ..fixes import apply_fixes
    from ..rules import Fix

    edits = tuple(edits)
    if not edits:
        return text
    applied = apply_fixes(text, [Fix("edits", edits)])
    if not applied.applied:
        raise ValueError("the edits overlap")
    return applied.text
