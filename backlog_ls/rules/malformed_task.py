"""malformed-task (BL201): a checkbox that Markdown will not render as one, an unknown state, or a typo of ``x``.

``[ x]``, ``[]`` and ``[x]text`` are shown as literal text by GitHub, and ``-[ ]``
is not even a list item, so the task silently drops out of every count. The
parser reports each with the text that repairs it; this rule words it (an error).

The alternate states in wide use (``[~]`` ``[/]`` in progress, ``[-]`` cancelled,
``[>]`` ``[→]`` deferred, ``[<]`` scheduled, ``[!]`` important, ``[?]`` question,
``[_]`` open) are understood without configuration, and ``states`` in the
configuration declares more (``states = { "*" = "starred" }``) or gives these
another meaning; alternate-state (BL206) says once per file how GitHub shows them.

A mark that looks like a mistyped or decorated ``x`` (``[c]``, ``[v]``, ``[×]``,
``[✓]``) is a warning with the fix ``[x]``; any other undeclared character is a
warning too, since only the author knows what it means.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Block, Item, Span
from ..states import TYPOS_OF_DONE
from . import ERROR, WARNING, Context, Edit, Finding, Fix, Rule

_PARSER_PROBLEMS = ("checkbox-malformed", "checkbox-missing-space")
# GitHub and CommonMark take a letter in brackets for text, so the parser leaves "[c] ..." as a plain item.
_LETTER_BOX = re.compile(r"\[(?P<state>[cCvV])\](?=[ \t]|$)")


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    """The parser's problems with a checkbox (a list's own: they are not kept per item)."""
    for problem in block.problems:
        if problem.code not in _PARSER_PROBLEMS:
            continue
        fixes = ()
        if problem.replacement is not None:
            fixes = (Fix(f"Write '{problem.replacement.strip()}'", (Edit(problem.span, problem.replacement),), preferred=True),)
        yield RULE.finding(problem.span, problem.message, fixes)


def _check_item(context: Context, item: Item) -> Iterator[Finding]:
    """Checkbox states nobody declared, in one top-level item and below it."""
    settings = context.settings
    known = settings.known_states()
    for task in item.walk():
        state = task.checkbox
        if state is None:
            box = _LETTER_BOX.match(task.text)
            if box is not None and box.group("state") not in settings.states:
                start = task.text_span
                yield _typo(Span.on_line(start.start_line, start.start_col, start.start_col + 3), box.group("state"))
            continue
        if state in known:
            continue
        span = task.checkbox_span
        if state in TYPOS_OF_DONE:
            yield _typo(span, state)
            continue
        yield RULE.finding(
            span,
            f"Unknown checkbox state '[{state}]': use '[ ]' or '[x]', or declare it in the configuration "
            f'(states = {{ "{state}" = "..." }}).',
            (
                Fix("Mark as open: '[ ]'", (Edit(span, "[ ]"),), safe=False),
                Fix("Mark as done: '[x]'", (Edit(span, "[x]"),), safe=False),
            ),
            severity=WARNING,
        )


def _typo(span: Span, state: str) -> Finding:
    return RULE.finding(
        span,
        f"'[{state}]' looks like a mistyped '[x]': GitHub shows it as text, not as a ticked box.",
        (Fix("Write '[x]'", (Edit(span, "[x]"),), preferred=True),),
        severity=WARNING,
    )


RULE = Rule(
    name="malformed-task",
    code="BL201",
    severity=ERROR,
    summary="A checkbox Markdown does not render ('[ x]', '[]', '[x]text', '-[ ]'): an error; "
    "a mistyped '[x]' ('[c]', '[×]') or an undeclared state: a warning.",
    check_block=_check_block,
    check_item=_check_item,
    lines_in_text=False,
    variants=(("warning", "a mark that looks like a mistyped '[x]' ('[c]', '[v]', '[×]'), or an undeclared state"),),
)
