"""duplicate-rfc-number (BL403): one RFC number naming two different documents.

An RFC number is how people, commits and other documents refer to a design: when
two files share it ("0068-dependency-management.md" and "0068-cnb-library.md"),
"RFC 0068" no longer says which one is meant. Reported:

- in this document, a link to a second file with a number already linked to another
  file, naming the line of the first;
- the first citation in this document of a number that two RFC files of the project
  carry (when the project's RFC folders are known), naming the files.

Renumber one of the RFCs (rename the file and update its links).

Bad:

    **RFC**: [docs/rfcs/0068-dependency-management.md](../rfcs/0068-dependency-management.md)
    **RFC**: [docs/rfcs/0068-cnb-library.md](../rfcs/0068-cnb-library.md)

Good:

    **RFC**: [docs/rfcs/0068-dependency-management.md](../rfcs/0068-dependency-management.md)
    **RFC**: [docs/rfcs/0070-cnb-library.md](../rfcs/0070-cnb-library.md)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..rfc import NO_PROJECT_RFCS
from ..rfc.cite import PROJECT, Citation, citations
from ..rfc.resolve import display_path, folders_label, target_path
from . import WARNING, Context, Finding, LastRun, Rule


def _identity(citation: Citation, path: str | None, root: str | None) -> str:
    """What file a project link names: its absolute path when known, else its target without a fragment."""
    target = citation.target or ""
    resolved = target_path(target, path, root)
    if resolved is not None:
        return os.path.normcase(resolved)
    return target.split("#", 1)[0].split("?", 1)[0].strip().lstrip("./")


def _written_number(citation: Citation, projects) -> str:
    found = projects.numbered(citation.number)
    if found and found[0].digits:
        return found[0].digits
    name = os.path.basename((citation.target or "").split("#", 1)[0])
    digits = name.split("-", 1)[0].split("_", 1)[0]
    return digits if digits.isdigit() else str(citation.number)


def _check(context: Context) -> Iterator[Finding]:
    rfcs = context.rfcs
    projects = getattr(rfcs, "projects", None) or NO_PROJECT_RFCS
    project_citations = [c for c in citations(context.backlog) if c.kind == PROJECT]
    if not project_citations:
        return
    # The findings depend on these alone: typing elsewhere than in a project RFC link finds them again.
    yield from _LAST.findings((project_citations, context.path, projects), lambda: _findings(context, project_citations, projects))


_LAST = LastRun()


def _findings(context: Context, project_citations: list[Citation], projects) -> list[Finding]:
    root = projects.root
    first_file: dict[int, tuple[str, Citation]] = {}  # number -> (identity, first link to it)
    reported: set[int] = set()  # numbers with a finding in this document
    findings: list[Finding] = []
    identities: dict[str, str] = {}
    written: dict[tuple[int, str | None], str] = {}  # (number, target) -> the number as the finding writes it
    for citation in project_citations:
        if citation.target is None:
            continue
        identity = identities.get(citation.target)
        if identity is None:
            identity = identities[citation.target] = _identity(citation, context.path, root)
        first = first_file.get(citation.number)
        if first is None:
            first_file[citation.number] = (identity, citation)
        elif first[0] != identity:
            number = written.get((citation.number, citation.target))
            if number is None:
                number = written[citation.number, citation.target] = _written_number(citation, projects)
            findings.append(
                RULE.finding(
                    citation.span,
                    f"RFC {number} names two documents: '{first[1].target}' (line {first[1].span.start_line + 1}) "
                    f"and '{citation.target}'.",
                )
            )
            reported.add(citation.number)
    if projects.complete and projects.rfcs:
        seen: set[int] = set()
        for citation in project_citations:
            number = citation.number
            if number in seen:
                continue
            seen.add(number)
            shared = projects.numbered(number)
            if len(shared) < 2 or number in reported:
                continue
            names = " and ".join(f"'{display_path(rfc.path, projects)}'" for rfc in shared)
            digits = shared[0].digits or str(number)
            findings.append(
                RULE.finding(
                    citation.span,
                    f"{len(shared)} project RFCs are numbered {digits} in {folders_label(projects)}: {names}.",
                )
            )
    findings.sort(key=lambda finding: finding.span)
    return findings


RULE = Rule(
    name="duplicate-rfc-number",
    code="BL403",
    severity=WARNING,
    summary="One RFC number naming two different documents (two linked files, or two files in the RFC folder).",
    check=_check,
)
