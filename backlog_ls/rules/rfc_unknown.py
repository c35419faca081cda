"""unknown-rfc (BL406): ``RFC NNNN`` where no IETF RFC has that number and no project RFC does either.

A mistyped RFC number sends every reader to the wrong document or to none. Checked
against the IETF RFC index shipped with backlog-ls (up to RFC 9552, March 2024)
and the project's own RFCs:

- a number the RFC Editor never issued ("RFC 14 was never issued");
- a number inside the index's range that it does not list;
- a number far beyond its end (more than 1,000 past it): numbers just beyond it may
  be RFCs newer than the index and are left alone.

Quiet for ``RFC #3519`` (how GitHub-hosted RFC series such as Rust's number theirs)
and for numbers the project's RFCs carry; ``RFC 0093`` (a leading zero) is a project
RFC and is checked by ``missing-project-rfc``.

Bad:

    - [ ] Implement the RFC 23780 directory protocol.

Good:

    - [ ] Implement the RFC 2378 directory protocol.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rfc import NO_PROJECT_RFCS
from ..rfc.cite import ietf_citations
from . import WARNING, Context, Finding, Rule

FAR_BEYOND = 1000


def _check(context: Context) -> Iterator[Finding]:
    rfcs = context.rfcs
    cited = ietf_citations(context.backlog)
    if not cited:
        return  # (most documents: the index is not even loaded)
    index = getattr(rfcs, "ietf", None)
    if index is None or not index.last:
        return
    projects = getattr(rfcs, "projects", None) or NO_PROJECT_RFCS
    for citation in cited:
        number = citation.number
        entry = index.get(number)
        if entry is not None and entry.issued:
            continue
        if projects.numbered(number) or not projects.complete:
            continue
        if entry is not None:
            message = f"RFC {number} was never issued, and no project RFC has that number."
        elif number <= index.last:
            message = f"No RFC {number}: the RFC index has no such number, and no project RFC has it."
        elif number > index.last + FAR_BEYOND:
            message = f"No RFC {number}: the RFC index ends at RFC {index.last}, and no project RFC has that number."
        else:
            continue
        yield RULE.finding(citation.span, message)


RULE = Rule(
    name="unknown-rfc",
    code="BL406",
    severity=WARNING,
    summary="'RFC NNNN' where the IETF never issued that number and no project RFC carries it.",
    check=_check,
)
