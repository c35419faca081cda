"""stale-progress (BL310): a progress figure the backlog states that its tasks no longer bear out.

Backlogs state their own progress, and it goes stale: ``**Completed**: 79 (63.7%)``
over 64 ticked tasks of 124. The common forms are recognised:

- ``Completed: 79 (63.7%)``, ``Progress: 12/20``, ``12 of 20 done``, ``✅ 12/20`` on a
  line of their own (a paragraph or a bullet): they summarise the section they stand in
  (its subsections included), or the whole document when they stand before the first
  section below the title;
- Org-style cookies ``[3/7]`` and ``[43%]`` on a heading (the tasks of its section) or
  on a task (its subtasks), counting as Org does the tasks one level down, not their
  subtasks; an empty ``[/]`` or ``[%]`` asks to be filled, as Org does.

Counts follow the state meanings (see malformed-task): a cancelled task is left out,
only done tasks are done. A scope without tasks is left alone. The fix, applied by
``check --fix`` and fix-all, writes the true figure in the same form.

Bad:

    ## Parser [1/3]
    - [x] Lexer
    - [x] Grammar
    - [ ] Errors

Good:

    ## Parser [2/3]
    - [x] Lexer
    - [x] Grammar
    - [ ] Errors
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..memo import MISSING, BlockMemo, LineageMemo, long_list_values
from ..model import LONG_LIST_ITEMS, Block, Item, Section, Span, first_tasks as _first_tasks
from ..states import CANCELLED, DONE, OPEN, state_kinds, task_kind
from . import WARNING, Context, Edit, Finding, Fix, Rule

_LABEL = r"(?:completed|complete|done|finished|progress)"
_BOLD = r"[*_]{0,2}"
# "Completed: 79 (63.7%)"
_COUNT_PERCENT = re.compile(
    rf"\b{_LABEL}{_BOLD}[ \t]*:{_BOLD}[ \t]*(?P<done>\d+)[ \t]*\((?P<percent>\d+(?:[.,]\d+)?)[ \t]*%\)", re.IGNORECASE
)
# "Progress: 12/20", "✅ 12/20"
_DIGIT = re.compile(r"\d")
_RATIO = re.compile(
    rf"(?:\b{_LABEL}{_BOLD}[ \t]*:{_BOLD}|✅)[ \t]*(?P<done>\d+)[ \t]*/[ \t]*(?P<total>\d+)\b(?![ \t]*[/.:-]\d)", re.IGNORECASE
)
# "12 of 20 done"
_OF = re.compile(r"\b(?P<done>\d+)[ \t]+of[ \t]+(?P<total>\d+)[ \t]+(?:tasks[ \t]+)?(?:done|complete|completed|finished)\b", re.IGNORECASE)
# Org cookies: "[3/7]", "[43%]", and the empty "[/]", "[%]"
_COOKIE = re.compile(r"\[(?:(?P<done>\d*)/(?P<total>\d*)|(?P<percent>\d*)%)\]")


def _counts(tasks: Iterable[Item], kinds) -> tuple[int, int]:
    done = total = 0
    for task in tasks:
        kind = task_kind(task, kinds)
        if kind == CANCELLED:
            continue
        total += 1
        done += kind == DONE
    return done, total


def _percent_text(done: int, total: int, written: str) -> str:
    decimals = len(re.split(r"[.,]", written)[1]) if re.search(r"[.,]", written) else 0
    value = f"{100 * done / total:.{decimals}f}"
    return value.replace(".", ",") if "," in written else value


def _section_tasks(section: Section) -> Iterator[Item]:
    for inner in section.walk():
        yield from inner.tasks()


def _cookie_tasks(section: Section) -> Iterator[Item]:
    """What a heading's cookie counts, as Org does: the tasks of the section (and its subsections), not their subtasks."""
    for inner in section.walk():
        yield from _first_tasks(inner.items)


# Where a block states a figure: ("cookie", task) for a task with a cookie in its text, ("line", number)
# for a leaf bullet or a paragraph line that states one. Found once per block; most blocks state none,
# and none wherever they sit (Enter above them), so the rest of a keystroke's blocks cost a lookup.
_SITES = BlockMemo(empty_moves=True)
# A top-level item of a long list -> whether it (or an item below it) states a figure: a keystroke in
# a list of 2,000 tasks reads one item again, not the list.
_ITEM_STATES = LineageMemo()


def _item_sites(items: Iterable[Item], lines) -> Iterator[tuple[str, Any]]:
    for item in items:
        if item.is_task:
            span = item.text_span
            end = span.end_col if span.end_line == span.start_line else len(lines[span.start_line])
            if "[" in item.first_line_text and _COOKIE.search(lines[span.start_line], span.start_col, end):
                yield "cookie", item
        elif not item.children and _states_figure(lines[item.text_span.start_line]):
            yield "line", item.text_span.start_line


def _sites(block: Block, lines) -> tuple[tuple[str, Any], ...]:
    if block.kind == "paragraph":
        return tuple(("line", number) for number in range(block.start_line, block.end_line + 1) if _states_figure(lines[number]))
    if block.kind != "list":
        return ()
    if block.item_count < LONG_LIST_ITEMS:
        return tuple(_item_sites((item for item, _ in block.walk), lines))
    return tuple(long_list_values(block.items, _ITEM_STATES, lambda item: tuple(_item_sites(item.walk(), lines))))


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    kinds = state_kinds(context.settings)
    lines = backlog.lines
    peek, put = _SITES.peek, _SITES.put
    for block in backlog.blocks:
        kind = block.kind
        if kind == "heading":
            heading = block.heading
            if heading is None or "[" not in heading.title:
                continue
            section = backlog.section_at(heading.span.start_line)
            if section is not None:
                counts = _counts(_cookie_tasks(section), kinds)
                yield from _cookies(lines, heading.title_span, counts)
            continue
        if kind != "list" and kind != "paragraph":
            continue
        sites = peek(block)
        if sites is MISSING:
            sites = put(block, _sites(block, lines))
        for site, where in sites:
            if site == "cookie":
                yield from _cookies(lines, where.text_span, _counts(_first_tasks(where.children), kinds))
            else:
                yield from _statements(context, lines, where, kinds)


def _scope_counts(context: Context, line: int, kinds) -> tuple[int, int]:
    """What a stated figure on ``line`` summarises: its section, or the document above the first section."""
    backlog = context.backlog
    section = backlog.section_at(line)
    top = section is None or (
        section.heading.level == 1 and all(child.span.start_line > line for child in section.children)
        and not any(item.line < line for item in section.items)
    )
    if top:
        return _counts(backlog.tasks(), kinds)
    return _counts(_section_tasks(section), kinds)


_FIGURES = (_COUNT_PERCENT, _RATIO, _OF)


def _figure_start(text: str) -> int:
    # A deep list's indentation and a deep quote's markers state nothing, and no figure starts on
    # them: the search starts after them (a quote 4,800 levels deep was 11 MB of ">" searched
    # line by line, a second of every check).
    return len(text) - len(text.lstrip(" \t>"))


def _states_figure(text: str) -> bool:
    if _DIGIT.search(text) is None:  # most lines state no figure: one C-level scan rules them out
        return False
    start = _figure_start(text)
    return any(pattern.search(text, start) for pattern in _FIGURES)


def _statements(context: Context, lines, number: int, kinds) -> Iterator[Finding]:
    text = lines[number]
    counts = None
    start = _figure_start(text)
    for pattern in _FIGURES:
        for match in pattern.finditer(text, start):
            if counts is None:
                counts = _scope_counts(context, number, kinds)
            if counts[1] == 0:
                return
            yield from _figure(number, match, counts)


def _cookies(lines, span: Span, counts: tuple[int, int]) -> Iterator[Finding]:
    if counts[1] == 0:
        return
    line = lines[span.start_line]
    end = span.end_col if span.end_line == span.start_line else len(line)
    for match in _COOKIE.finditer(line, span.start_col, end):
        yield from _figure(span.start_line, match, counts, cookie=True)


def _figure(number: int, match: re.Match, counts: tuple[int, int], cookie: bool = False) -> Iterator[Finding]:
    done, total = counts
    groups = match.groupdict()
    edits: list[Edit] = []
    stated: list[str] = []
    if groups.get("done") is not None:
        if groups["done"] != str(done):
            edits.append(Edit(Span.on_line(number, *match.span("done")), str(done)))
        stated.append(groups["done"])
    if groups.get("total") is not None:
        if groups["total"] != str(total):
            edits.append(Edit(Span.on_line(number, *match.span("total")), str(total)))
        stated.append(groups["total"])
    if groups.get("percent") is not None:
        written = groups["percent"]
        true = _percent_text(done, total, written) if written else str(round(100 * done / total))
        if written != true:
            edits.append(Edit(Span.on_line(number, *match.span("percent")), true))
    if not edits:
        return
    figure = match.group(0)
    verb = "task is" if total == 1 else "tasks are"
    truth = f"{done} of {total} {verb} done ({round(100 * done / total)}%)"
    if cookie and not any(groups.get(key) for key in ("done", "total", "percent")):
        message = f"The progress cookie '{figure}' is empty: {truth}."
        title = "Fill in the progress"
    else:
        message = f"The stated progress '{figure}' is stale: {truth}."
        title = "Write the true progress"
    yield RULE.finding(Span.on_line(number, *match.span()), message, (Fix(title, tuple(edits), preferred=True),))


RULE = Rule(
    name="stale-progress",
    code="BL310",
    severity=WARNING,
    summary="A stated progress figure ('Completed: 79 (63.7%)', 'Progress: 12/20', '[3/7]', '[43%]') the tasks disagree with.",
    check=_check,
)
