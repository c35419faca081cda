"""missing-project-rfc (BL402): a project RFC cited by number or by a root link, which the project does not have.

Plans name their design documents: ``RFC 0093`` (a leading zero is the project's
own numbering; ``RFC 2378`` is the IETF's) or a link into the RFC folder. This rule
looks the citation up among the RFCs found in the project (``docs/rfcs``, ``rfcs``,
``rfc``, ``docs/rfc``, ``text``, or the folders of ``[rfc] dirs``) and reports:

- ``RFC 0093`` / ``RFC-0093`` when no RFC file carries that number;
- a link written from the repository root (``[x](/docs/rfcs/0093-x.md)``) to a file
  that is not there, which ``broken-link`` cannot check (it does not know the root).

A relative link to a missing RFC file (``[x](../rfcs/0093-x.md)``) is reported by
``broken-link`` (BL401), with the closest file name as a fix, and not twice here.
The rule stays quiet when the project has no RFC folder, or before the language
server has finished reading it.

In these examples the project has ``docs/rfcs/0093-proxy-lazy-loading.md``.

Bad:

    - [ ] Lazy-load the proxy (RFC 0039).

Good:

    - [ ] Lazy-load the proxy (RFC 0093).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rfc.cite import PROJECT, citations
from ..rfc.resolve import display_path, folders_label, target_path
from . import WARNING, Context, Finding, Rule


def _check(context: Context) -> Iterator[Finding]:
    rfcs = context.rfcs
    projects = getattr(rfcs, "projects", None)
    if projects is None or not projects.complete or not projects.folders:
        return
    for citation in citations(context.backlog):
        if citation.kind != PROJECT:
            continue
        if citation.target is None:
            if not projects.numbered(citation.number):
                yield RULE.finding(
                    citation.span,
                    f"No project RFC {citation.text[3:].strip(' -#')}: {folders_label(projects)} "
                    f"has no file numbered {citation.number}.",
                )
            continue
        if not citation.target.strip().startswith("/") or citation.target.strip().startswith("//"):
            continue  # relative links are broken-link's
        path = target_path(citation.target, context.path, projects.root)
        if path is None or projects.at(path) is not None:
            continue
        files = context.files
        if files is not None and files.exists(path):
            continue
        if files is None and not projects.in_folder(path):
            continue  # without a file system only the RFC folders are known
        yield RULE.finding(
            citation.link.target_span if citation.link is not None else citation.span,
            f"No project RFC file '{display_path(path, projects)}'.",
        )


RULE = Rule(
    name="missing-project-rfc",
    code="BL402",
    severity=WARNING,
    summary="'RFC 0093' or a root link ('/docs/rfcs/...') naming a project RFC that no file in the RFC folders is.",
    check=_check,
)
