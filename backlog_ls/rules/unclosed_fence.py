"""unclosed-fence (BL205): a code fence that is never closed, so GitHub shows the rest of the file as code.

A fenced code block ends only at a line of the same fence character, at least as long, with
nothing else on it: "```bash" does not close a block, it is text inside it. A fence left open,
or a stray fence line after a block already closed (the usual case: a block with a fence nested
in it, whose inner closing fence ended the outer block, so that the outer closing fence opens a
new one), turns everything below into code: its tasks, headings and links are gone from the
page, and from every count backlog-ls makes, for backlog-ls reads the file as GitHub does.

The finding is on the fence line and says how much it hides. The fix closes the block where the
author most likely meant, before the next heading or task list below it (or at the end of the
file); it is never applied by ``check --fix``, since only the author knows where the code ends.

Bad:

    ## Setup
    ```bash
    make install

    ## Tasks
    - [ ] Ship it

Good:

    ## Setup
    ```bash
    make install
    ```

    ## Tasks
    - [ ] Ship it
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..model import Block, Span
from . import WARNING, Context, Edit, Finding, Fix, Rule

_OPENING = re.compile(r"(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_TASK = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\](?:[ \t]|$)")


def _closes(line: str, fence: str) -> bool:
    return re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*", line) is not None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    if block.kind != "code":
        return
    lines = context.backlog.lines
    opening = _OPENING.match(lines[block.start_line])
    if opening is None:
        return  # indented code
    fence = opening.group("fence")
    if fence[0] == "`" and "`" in opening.group("info"):
        return
    closed = block.end_line > block.start_line and _closes(lines[block.end_line], fence)
    hidden = range(block.start_line + 1, block.end_line if closed else block.end_line + 1)
    tasks = sum(1 for line in hidden if _TASK.match(lines[line]))
    headings = sum(1 for line in hidden if _HEADING.match(lines[line]))
    what = " and ".join(part for part in (tasks and _plural(tasks, "task"), headings and _plural(headings, "heading")) if part)
    with_what = f", with {what}," if what else ""
    if not closed:
        if not any(lines[line].strip() for line in hidden):
            return
        message = (
            f"This fence is never closed: GitHub shows the remaining {_plural(len(hidden), 'line')}{with_what} as code."
        )
    else:
        # Closed, but past a line that was meant to open the next block: the fences pair up
        # the other way round from there on, and what lies between them is shown as code.
        # Only a bare fence is taken for a stray one: a fence with an info string was meant to open.
        if opening.group("info").strip():
            return
        meant = next((line for line in hidden if _opens_inside(lines[line], fence)), None)
        if meant is None or not what:
            return
        message = (
            f"Stray fence: it opens a code block that closes only at line {block.end_line + 1}, since "
            f"'{lines[meant].strip()}' on line {meant + 1} opens no block inside it; GitHub shows "
            f"{_plural(len(hidden), 'line')}{with_what} as code, and the fences below pair up the other way round."
        )
    span = Span.on_line(block.start_line, len(opening.group("indent")), len(lines[block.start_line].rstrip()))
    fixes = [_closing_fix(lines, block, hidden, fence, opening.group("indent"))]
    if closed:
        fixes.insert(0, _deletion_fix(lines, block.start_line))
    yield RULE.finding(span, message, fixes)


def _deletion_fix(lines: Sequence[str], line: int) -> Fix:
    """Delete the stray fence line: the fences below then pair up as their info strings say."""
    if line + 1 < len(lines):
        span = Span(line, 0, line + 1, 0)
    else:
        span = Span(line - 1, len(lines[line - 1]), line, len(lines[line]))
    return Fix(f"Delete the stray fence on line {line + 1}", (Edit(span, ""),), safe=False, preferred=True)


def _opens_inside(line: str, fence: str) -> bool:
    """A fence line with an info string that would open a block like this one (GitHub takes it as code)."""
    match = _OPENING.match(line)
    return (
        match is not None
        and match.group("fence")[0] == fence[0]
        and len(match.group("fence")) >= len(fence)
        and bool(match.group("info").strip())
    )


def _closing_fix(lines: Sequence[str], block: Block, hidden: range, fence: str, indent: str) -> Fix:
    """Close the block before the first heading or task below its fence, else at the end of the text."""
    target = next((line for line in hidden if _HEADING.match(lines[line]) or _TASK.match(lines[line])), None)
    if target is None:
        end = block.end_line
        edit = Edit(Span.on_line(end, len(lines[end]), len(lines[end])), f"\n{indent}{fence}")
        return Fix(f"Close the code block at the end of the file (after line {end + 1})", (edit,), safe=False)
    last = target - 1
    while last > block.start_line and not lines[last].strip():
        last -= 1
    edit = Edit(Span.on_line(last, len(lines[last]), len(lines[last])), f"\n{indent}{fence}")
    what = "heading" if _HEADING.match(lines[target]) else "task list"
    return Fix(f"Close the code block before the next {what} (line {target + 1})", (edit,), safe=False)


RULE = Rule(
    name="unclosed-fence",
    code="BL205",
    severity=WARNING,
    summary="A code fence never closed (or a stray fence after a closed block): GitHub shows the rest of the file as code.",
    check_block=_check_block,
)
