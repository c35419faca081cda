"""open-in-finished-section (BL303): an open task in a section that says it is finished.

A section is declared finished by its heading or by a status line. The heading
counts when it ends with a check mark (``## Phase 2: Query Protocol ✅``), when a
status word follows a separator at its end (``## Phase 3 — Done``,
``## Phase 0 (done)``, ``## Phase 1: **Completed**``), or when the title is one
(``### Done``, ``## Completed Features``). A status line is a line such as
``**Status**: Completed`` or ``Status: ✅ Complete`` in the section's text before
its first list. The declaration covers the subsections, unless a subsection says
otherwise (``### Remaining``, ``### Follow-ups``, ``**Status:** Planned``).

Not a status: ``Definition of Done``, ``Phase 1 Done When:``,
``Complete Installation Guide``, or a check mark that merely decorates the start
of a heading (``## ✅ Success Criteria``); a qualifier such as "partially" or
"not yet" cancels it.

Each open task in such a section is reported on its checkbox; cancelled tasks
(a declared state such as ``"-" = "cancelled"``) are not open. The fix "Tick this
task" is offered but never applied by ``check --fix``: the task may really be open,
and then it is the section's status that is wrong.

Bad:

    ## Phase 2: Query Protocol ✅

    - [x] Parse queries
    - [ ] Support field aliases

Good:

    ## Phase 2: Query Protocol

    - [x] Parse queries
    - [ ] Support field aliases
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence

from ..model import Backlog, Block, Heading
from ..patching import same_from_bottom, same_from_top
from . import WARNING, Context, Edit, Finding, Fix, Related, Rule
from ..states import task_kind
from .done_with_open_subtasks import DONE, OPEN, state_kinds

_CHECK = "✅✔☑✓"
_DONE_WORD = r"(?:done|complete|completed|finished|shipped|delivered)"

# A status word after a separator (or a check mark) at the end of the title, perhaps
# followed by a parenthetical note and a check mark:
# "Phase 3 — Done", "Phase 0 (done)", "Phase 1: Done (all gaps fixed)", "Phase 4 ✅ COMPLETE", "[DONE]".
_STATUS_AT_END = re.compile(
    rf"(?:^|[-–—:|(\[/,{_CHECK}])\s*{_DONE_WORD}\s*[!.]?\s*[)\]]?\s*(?:\([^()]*\)\s*)?[{_CHECK}]?\s*$",
    re.IGNORECASE,
)
# A title that names a list of finished work: "Completed Features", "Finished", "Phases Completed", "What's Done".
_DONE_TITLE = re.compile(
    rf"^(?:(?:completed|finished)\b.*|(?:what'?s|what\s+is|\w+s)\s+{_DONE_WORD})$|已完成",
    re.IGNORECASE,
)
# A check mark after some text: "Phase 2: Query Protocol ✅", "Completed Features ✅".
_CHECK_AFTER_TEXT = re.compile(rf"[^\s{_CHECK}].*[{_CHECK}]")
_LEADING_CHECK = re.compile(rf"^[{_CHECK}]")
# Words that say a section is not (all) finished; they win over a done word in the same title.
_NOT_DONE = re.compile(
    r"\b(?:partial(?:ly)?|mostly|incomplete|not\s+(?:yet|done|started|complete|completed|finished)"
    r"|in[\s-]progress|wip|pending|remaining|blocked|todo|to[\s-]do|planned|deferred|on[\s-]hold|ongoing"
    r"|next\s+steps?|follow[\s-]?ups?|future|open\s+(?:tasks|items|issues|questions)|known\s+issues"
    r"|skipped|out\s+of\s+scope|defer|backlog|icebox|wishlist|optional|stretch|nice[\s-]to[\s-]haves?"
    r"|should[\s-]haves?|could[\s-]haves?|won'?t[\s-]haves?)\b|[🚧⏳🔄🔜⏸❌⬜☐🟡]",
    re.IGNORECASE,
)
_STATUS_LINE = re.compile(r"^\s*(?:>\s*)*[*_]*status[*_]*\s*[:：]\s*(?P<value>.*)$", re.IGNORECASE)
_STATUS_VALUE_DONE = re.compile(
    rf"^(?:\[[xX]\]\s*|[{_CHECK}]\s*|100\s*%\s*)*(?:(?:{_DONE_WORD}|merged|released|closed|resolved|implemented)\b|$)",
    re.IGNORECASE,
)
# A status that says the work is not finished: "Planned", "Not Started", "🚧 In progress", "Idea".
_STATUS_VALUE_OPEN = re.compile(
    r"^\W*(?:planned|planning|proposed|draft|idea|exploration|ready|awaiting|active|next|new|open|started|backlog"
    r"|not|in|on|wip|todo|pending|blocked|ongoing|paused)\b",
    re.IGNORECASE,
)
_EMPHASIS = re.compile(r"[*_]+|\ufe0f")


def _clean(text: str) -> str:
    return " ".join(_EMPHASIS.sub("", text).split())


def status_value(value: str) -> bool | None:
    """What the text after ``Status:`` says: True for finished ("Completed", "✅ Complete — all merged",
    "[x] Done"), False for unfinished ("Planned", "🚧 In progress", "Complete except the docs: partially"),
    None when it says neither ("All core features delivered", "Superseded by Sprint 109")."""
    value = _clean(value)
    if not value:
        return None
    if _NOT_DONE.search(value) or _STATUS_VALUE_OPEN.match(value):
        return False
    return True if _STATUS_VALUE_DONE.match(value) else None


def heading_status(heading: Heading) -> bool | None:
    """True when the heading declares its section finished, False when it declares it unfinished, else None.

    A heading written as a task and done ("## [x] Ship v1", "### Task 1.1: Parser ✅") is finished:
    its section's tasks are its subtasks.
    """
    status = title_status(heading.title, heading.number is not None)
    if status is None and heading.task_state == "x":
        return True
    return status


@functools.lru_cache(maxsize=4096)
def title_status(title: str, numbered: bool = False) -> bool | None:
    """``heading_status`` of a title; cached, as titles rarely change between two keystrokes."""
    title = _clean(title)
    if not title:
        return None
    if title.lower().startswith("status:"):
        return status_value(title.split(":", 1)[1])
    if _NOT_DONE.search(title):
        return False
    if _STATUS_AT_END.search(title) or _DONE_TITLE.search(title) or _CHECK_AFTER_TEXT.search(title):
        return True
    if numbered and _LEADING_CHECK.match(title):
        return True  # "✅ Phase 1: Foundation": a check mark on a numbered step is its status
    return None


def status_lines(backlog: Backlog) -> dict[int, tuple[bool | None, int]]:
    """Heading line -> (``status_value``, line) of the first status line in its section before the first list."""
    found: dict[int, tuple[bool | None, int]] = {}
    lines = backlog.lines
    heading_line: int | None = None  # the heading whose text is being read; None once a list was seen
    for block in backlog.blocks:
        if block.heading is not None:
            heading_line = block.heading.span.start_line
            continue
        if heading_line is None:
            continue
        if block.has_items:
            heading_line = None
            continue
        if block.kind not in ("paragraph", "quote"):
            continue
        for number in range(block.start_line, block.end_line + 1):
            line = lines[number]
            if "tatus" not in line and "TATUS" not in line:
                continue
            match = _STATUS_LINE.match(line)
            if match:
                found[heading_line] = (status_value(match.group("value")), number)
                heading_line = None
                break
    return found


def _title(heading: Heading, width: int = 60) -> str:
    title = " ".join(heading.title.replace("**", "").replace("__", "").split())
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


# The last run: (the task kinds, the document's blocks, the message in force at each block, the
# findings). A keystroke that changed list blocks alone, in a section not marked finished, changes
# no finding: the headings, status lines and open tasks of finished sections are as they were.
_last: tuple[Mapping[str, str], tuple[Block, ...], list[str | None], tuple[Finding, ...]] | None = None


def _check(context: Context) -> tuple[Finding, ...]:
    global _last
    blocks = context.backlog.blocks
    kinds = state_kinds(context.settings)
    last = _last  # read once: another thread may replace it
    if last is not None and last[0] == kinds:
        _, old_blocks, in_force, findings = last
        before = same_from_top(old_blocks, blocks)
        after = same_from_bottom(old_blocks[before:], blocks[before:])
        # The re-parse reads a few blocks before the edit again: a heading read again equal to the old one is the same.
        while before < min(len(old_blocks), len(blocks)) - after and old_blocks[before].heading is not None and old_blocks[before] == blocks[before]:
            before += 1
        old_middle, middle = old_blocks[before : len(old_blocks) - after], blocks[before : len(blocks) - after]
        if not old_middle and not middle:
            return findings
        if old_middle and in_force[before] is None and _lists_only(old_middle) and _lists_only(middle):
            _last = (kinds, blocks, in_force[:before] + [None] * len(middle) + in_force[len(in_force) - after :], findings)
            return findings
    in_force = []
    findings = tuple(_findings(context, kinds, in_force))
    _last = (kinds, blocks, in_force, findings)
    return findings


def _lists_only(blocks: Sequence[Block]) -> bool:
    """Whether every one of ``blocks`` is a list with items: none is a heading or a status line, and
    each ends the search for a status line alike."""
    return all(block.heading is None and block.has_items for block in blocks)


def _findings(context: Context, kinds: Mapping[str, str], in_force: list[str | None]) -> Iterator[Finding]:
    """The findings, with the message for open tasks in force at each block added to ``in_force``."""
    # One pass over the blocks with a stack of the headings in force, rather than over
    # Backlog.sections: building the section tree costs more than this whole rule.
    backlog = context.backlog
    statuses = status_lines(backlog)
    in_force_at = in_force.append
    # (heading level, the message for open tasks under it, or None when not declared finished)
    stack: list[tuple[int, str | None, int]] = []  # ... and the line of the heading that declared it
    open_tasks: dict[int, tuple[str, list]] = {}  # that line -> (message, its open tasks in order)
    for block in backlog.blocks:
        heading = block.heading
        if heading is not None:
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            message, origin = (stack[-1][1], stack[-1][2]) if stack else (None, -1)
            declared = heading_status(heading)
            line_status = statuses.get(heading.span.start_line, (None, 0))
            if declared is False or line_status[0] is False:
                message = None  # an explicit "not finished" wins, here and below
            elif declared:
                message = f"Open task in '{_title(heading)}', which is marked done."
                origin = heading.span.start_line
            elif line_status[0]:
                title = _title(heading)
                message = f"Open task in '{title}', which its status line (line {line_status[1] + 1}) marks done."
                origin = heading.span.start_line
            stack.append((heading.level, message, origin))
            in_force_at(message)
            continue
        message, origin = (stack[-1][1], stack[-1][2]) if stack else (None, -1)
        in_force_at(message)
        if message is None or not block.has_items:
            continue
        moved: set[int] = set()  # id() of items deferred or cancelled, themselves or by a task above
        for task, parent in block.walk:
            if task.checkbox is None:
                if parent is not None and id(parent) in moved:
                    moved.add(id(task))
                continue
            kind = task_kind(task, kinds)
            if kind != OPEN or (parent is not None and id(parent) in moved):
                if kind != DONE:
                    moved.add(id(task))  # its subtasks go where it goes
                continue
            if task.checkbox_span is not None:
                open_tasks.setdefault(origin, (message, []))[1].append(task)
    # One finding per finished section (one cause), its other open tasks as related lines.
    for message, tasks in open_tasks.values():
        first = tasks[0]
        if len(tasks) == 1:
            fix = Fix("Tick this task", (Edit(first.checkbox_span, "[x]"),), safe=False)
        else:
            message = f"{message[:-1]}; {len(tasks) - 1} more open {'task' if len(tasks) == 2 else 'tasks'} there."
            fix = Fix(f"Tick the {len(tasks)} open tasks", tuple(Edit(task.checkbox_span, "[x]") for task in tasks), safe=False)
        related = [Related(task.checkbox_span, "Open here too.") for task in tasks[1:]]
        yield RULE.finding(first.checkbox_span, message, (fix,), related=related)


RULE = Rule(
    name="open-in-finished-section",
    code="BL303",
    severity=WARNING,
    summary="An open task in a section whose heading or status line says it is finished.",
    check=_check,
)
