"""obsoleted-rfc (BL405): an IETF RFC that a later RFC has obsoleted.

Building on an obsoleted RFC means building on rules that were changed: ``RFC 2616``
(HTTP/1.1) was replaced by RFC 7230-7235, themselves replaced by RFC 9110-9112.
The hint names the RFCs that obsoleted it and, when those were obsoleted in turn,
the current ones, from the RFC index shipped with backlog-ls. When exactly one RFC
is current, a fix (not applied by ``--fix``) writes its number instead.

Only tasks that build on an RFC are checked: a citation in a task's text or in
the notes below it. A remark in a table, a heading or prose ("the old RFC 2616
parser was dropped") is history, not a plan to follow the RFC.

Quiet when the line already says the RFC is obsolete ("obsoleted", "superseded",
"replaced"), for ``RFC #3519`` (how GitHub-hosted RFC series such as Rust's number
theirs), and for numbers the project's own RFCs use.

Bad:

    - [ ] Parse requests as RFC 2616 says.

Good:

    - [ ] Parse requests as RFC 9112 says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Span
from ..rfc import NO_PROJECT_RFCS
from ..rfc.cite import ietf_citations
from ..rfc.ietf import IetfIndex, document_name
from . import HINT, Context, Edit, Finding, Fix, Rule

_ALREADY_SAID = re.compile(r"obsolet|supersed|replaced|deprecated", re.IGNORECASE)
_MAX_DEPTH = 8


def current_successors(index: IetfIndex, number: int) -> list[int | str]:
    """The documents that replace ``number`` today: its obsoleting RFCs, followed while they are obsoleted too."""
    current: list[int | str] = []
    seen: set[int | str] = {number}
    frontier: list[int | str] = [number]
    for _ in range(_MAX_DEPTH):
        following: list[int | str] = []
        for reference in frontier:
            entry = index.get(reference) if isinstance(reference, int) else None
            successors = entry.obsoleted_by if entry is not None else ()
            if not successors:
                continue
            for successor in successors:
                if successor in seen:
                    continue
                seen.add(successor)
                nested = index.get(successor) if isinstance(successor, int) else None
                if nested is not None and nested.obsoleted_by:
                    following.append(successor)
                else:
                    current.append(successor)
        if not following:
            break
        frontier = following
    return sorted(current, key=lambda r: (isinstance(r, str), r if isinstance(r, int) else 0, str(r)))


def names(references) -> str:
    written = [document_name(reference) for reference in references]
    if len(written) <= 1:
        return "".join(written)
    return ", ".join(written[:-1]) + " and " + written[-1]


def _check(context: Context) -> Iterator[Finding]:
    rfcs = context.rfcs
    cited = ietf_citations(context.backlog)
    if not cited:
        return  # (most documents: the index is not even loaded)
    index = getattr(rfcs, "ietf", None)
    if index is None:
        return
    projects = getattr(rfcs, "projects", None) or NO_PROJECT_RFCS
    lines = context.backlog.lines
    task_lines: set[int] | None = None  # built on the first candidate: most documents cite no obsoleted RFC
    for citation in cited:
        if task_lines is None:
            task_lines = _task_lines(context)
        if citation.span.start_line not in task_lines:
            continue
        entry = index.get(citation.number)
        if entry is None or not entry.obsoleted_by:
            continue
        if projects.numbered(citation.number):
            continue
        if _ALREADY_SAID.search(lines[citation.span.start_line]):
            continue
        message = f"RFC {citation.number} ({entry.title}) is obsoleted by {names(entry.obsoleted_by)}"
        current = current_successors(index, citation.number)
        if current and list(current) != list(entry.obsoleted_by):
            message += f"; the current {'RFCs are' if len(current) > 1 else 'RFC is'} {names(current)}"
        message += "."
        fixes = ()
        if len(current) == 1 and isinstance(current[0], int):
            fixes = (Fix(f"Cite RFC {current[0]}", (Edit(_number_span(citation.span, citation.text), str(current[0])),), safe=False),)
        yield RULE.finding(citation.span, message, fixes)


def _task_lines(context: Context) -> set[int]:
    """Every line of every task, the notes below it included."""
    found: set[int] = set()
    for task in context.backlog.tasks():
        found.update(range(task.span.start_line, task.span.end_line + 1))
    return found


def _number_span(span: Span, text: str) -> Span:
    digits = re.search(r"\d+$", text)
    start = span.end_col - (len(digits.group()) if digits else 0)
    return Span(span.end_line, start, span.end_line, span.end_col)


RULE = Rule(
    name="obsoleted-rfc",
    code="BL405",
    severity=HINT,
    summary="An IETF RFC that later RFCs obsoleted; names what replaced it.",
    check=_check,
)
