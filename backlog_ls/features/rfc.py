"""RFCs in the editor: hover, document links, go to definition and completion. Pure.

Every function takes the parsed document, the document's path and an ``Rfcs``
(the project's RFC files and the shipped IETF index, see ``backlog_ls.rfc``) and
returns plain values; ``convert.py`` makes protocol values of them.

- Hover on ``RFC 2378``: title, authors, date, status, what obsoletes or updates it
  and a link to the RFC Editor. On a project RFC (a link into the RFC folder, or
  ``RFC 0093``): title, status, summary and path.
- Document links: ``RFC 2378`` to https://www.rfc-editor.org/rfc/rfc2378; a project
  RFC citation to its file.
- Definition: a project RFC citation opens its file.
- Completion after ``RFC ``, ``RFC-``, ``RFC #``, after ``**RFC**: `` (or ``RFC:`` at
  the start of a line) and inside a link target: the project's RFCs, inserted as a
  Markdown link whose path is relative to the document and whose text follows the
  links the document already has; IETF RFCs by number or by title words.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from ..model import Backlog, Span
from ..rfc import (
    NO_PROJECT_RFCS,
    ProjectRfc,
    ProjectRfcs,
    Rfcs,
    relative_link,
    root_relative,
)
from ..rfc.cite import (
    IETF,
    PROJECT,
    Citation,
    block_citations,
    citation_at,
    citations,
    definitions_generation,
    items_citations,
    numbers_in_text,
)
from ..rfc.ietf import IetfIndex, IetfRfc, document_name, url
from ..rfc.resolve import cited_rfcs, display_path, target_path
from .block_links import LinkSource
from .completion import (
    FILE,
    REFERENCE,
    CompletionItem,
    CompletionRequest,
    CompletionResult,
)

IETF_LIMIT = 50  # IETF RFCs offered at once; more come as the user types
STYLE_SAMPLES = 40  # project RFC links read to learn how the document writes them


def _projects(rfcs: Rfcs | None) -> ProjectRfcs:
    return getattr(rfcs, "projects", None) or NO_PROJECT_RFCS


def _ietf(rfcs: Rfcs | None) -> IetfIndex | None:
    return getattr(rfcs, "ietf", None)


_NOT_READ = object()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Plain text made safe to put in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# --- hover --------------------------------------------------------------------------------------


def ietf_markdown(number: int, index: IetfIndex | None) -> str:
    """What is known of IETF RFC ``number``, as Markdown."""
    link = f"[{url(number)}]({url(number)})"
    entry = index.get(number) if index is not None else None
    if entry is None:
        if index is None:
            return f"**RFC {number}**\n\n{link}"
        return f"**RFC {number}** is not in the RFC index (up to RFC {index.last}).\n\n{link}"
    if not entry.issued:
        return f"**RFC {number}** was never issued.\n\n{link}"
    parts = [f"**RFC {number}**: {_md(entry.title)}"]
    facts = [_md(fact) for fact in (entry.authors, entry.date, entry.status_name) if fact]
    if facts:
        parts.append(" · ".join(facts))
    relations = []
    for label, references in (
        ("Obsoleted by", entry.obsoleted_by),
        ("Updated by", entry.updated_by),
        ("Obsoletes", entry.obsoletes),
        ("Updates", entry.updates),
    ):
        if references:
            relations.append(f"{label} {', '.join(document_name(r) for r in references)}")
    if relations:
        parts.append(" · ".join(relations))
    parts.append(link)
    return "\n\n".join(parts)


def project_markdown(rfc: ProjectRfc, projects: ProjectRfcs) -> str:
    parts = [f"**{rfc.label}**: {_md(rfc.title)}"]
    if rfc.status:
        parts.append(f"Status: **{_md(rfc.status)}**")
    if rfc.summary:
        parts.append(_md(rfc.summary))
    parts.append(f"`{display_path(rfc.path, projects)}`")
    return "\n\n".join(parts)


def _missing_project_markdown(citation: Citation, projects: ProjectRfcs, path: str | None) -> str:
    if not projects.complete:
        return f"**{citation.text if citation.target is None else 'RFC ' + str(citation.number)}**: the project's RFCs are still being read."
    if citation.target is not None:
        resolved = target_path(citation.target, path, projects.root)
        shown = display_path(resolved, projects) if resolved else citation.target
        return f"**RFC {citation.number}**: no RFC file `{shown}` in the project."
    return f"**{_md(citation.text)}**: no project RFC has this number."


def rfc_hover(backlog: Backlog, line: int, column: int, rfcs: Rfcs | None, path: str | None) -> tuple[str, Span] | None:
    """Markdown about the RFC cited under the cursor, and the span it covers; None when there is none."""
    citation = citation_at(backlog, line, column)
    if citation is None:
        return None
    projects = _projects(rfcs)
    if citation.kind == PROJECT:
        found = cited_rfcs(citation, projects, path)
        if not found:
            return _missing_project_markdown(citation, projects, path), citation.span
        return "\n\n---\n\n".join(project_markdown(rfc, projects) for rfc in found), citation.span
    sections = [project_markdown(rfc, projects) for rfc in projects.numbered(citation.number)] if not citation.link else []
    sections.append(ietf_markdown(citation.number, _ietf(rfcs)))
    return "\n\n---\n\n".join(sections), citation.span


# --- document links and definition ---------------------------------------------------------------


@attrs.frozen
class RfcLink:
    span: Span
    target: str  # a URI
    tooltip: str | None = None


@functools.lru_cache(maxsize=1024)
def file_uri(path: str) -> str:
    return Path(path).as_uri()


def rfc_document_links(backlog: Backlog, rfcs: Rfcs | None, path: str | None) -> list[RfcLink]:
    """``RFC NNNN`` to the RFC Editor; project RFC citations to their files."""
    return _rfc_links(citations(backlog), rfcs, path)


def rfc_link_source(backlog: Backlog, rfcs: Rfcs | None, path: str | None) -> LinkSource:
    """``rfc_document_links`` one block at a time (``features.block_links``)."""
    key = (_projects(rfcs), getattr(rfcs, "ietf_source", None), path, definitions_generation(backlog))
    return LinkSource(
        "RFC links",
        key,
        lambda block: _rfc_links(block_citations(backlog, block), rfcs, path),
        lambda items: _rfc_links(items_citations(backlog, items), rfcs, path),
    )


def _rfc_links(found_citations: Iterable[Citation], rfcs: Rfcs | None, path: str | None) -> list[RfcLink]:
    projects = _projects(rfcs)
    index: Any = _NOT_READ  # read at the first IETF citation: most documents have none
    found: list[RfcLink] = []
    for citation in found_citations:
        if citation.kind == IETF:
            if citation.link is not None or citation.hashed:
                continue  # already a link; or another series' numbering
            if projects.numbered(citation.number):
                continue
            if index is _NOT_READ:
                index = _ietf(rfcs)
            entry = index.get(citation.number) if index is not None else None
            tooltip = f"RFC {citation.number}: {entry.title}" if entry is not None and entry.issued else None
            found.append(RfcLink(citation.span, url(citation.number), tooltip))
            continue
        targets = _project_paths(citation, projects, path)
        if len(targets) == 1:
            rfc = projects.at(targets[0])
            tooltip = f"{rfc.label}: {rfc.title}" if rfc is not None else None
            span = citation.link.target_span if citation.link is not None else citation.span
            found.append(RfcLink(span, file_uri(targets[0]), tooltip))
    return found


def _project_paths(citation: Citation, projects: ProjectRfcs, path: str | None) -> list[str]:
    if citation.target is not None:
        resolved = target_path(citation.target, path, projects.root)
        return [resolved] if resolved is not None else []
    return [rfc.path for rfc in projects.numbered(citation.number)]


def rfc_definition(backlog: Backlog, line: int, column: int, rfcs: Rfcs | None, path: str | None) -> list[str]:
    """The files a project RFC citation under the cursor names (absolute paths); [] for anything else."""
    citation = citation_at(backlog, line, column)
    if citation is None or citation.kind != PROJECT:
        return []
    projects = _projects(rfcs)
    found = cited_rfcs(citation, projects, path)
    if found:
        return [rfc.path for rfc in found]
    return _project_paths(citation, projects, path) if citation.target is not None else []


# --- completion ----------------------------------------------------------------------------------

_LINK_TARGET = re.compile(r"\[(?P<text>[^\[\]]*)\]\((?P<query>[^()\s]*)$")
_BOLD_LABEL = re.compile(r"(?:^|[\s(>])(?:\*\*|__)RFCs?(?:(?:\*\*|__)[ \t]*:|[ \t]*:(?:\*\*|__))[ \t]*(?P<query>[^\s\[\]()]*)$", re.IGNORECASE)
_PLAIN_LABEL = re.compile(r"^[ \t>]*(?:[-*+][ \t]+(?:\[.\][ \t]+)?)?RFCs?:[ \t]*(?P<query>[^\s\[\]()]*)$", re.IGNORECASE)
_RFC_WORD = re.compile(r"(?<![\w/\[])(?P<lead>RFC(?P<sep>[ \t]?#[ \t]?|[ \t]|-))(?P<query>[\w.]*)$")


def rfc_completions(request: CompletionRequest) -> CompletionResult | None:
    before = request.before
    if "RFC" not in before and "rfc" not in before.lower() and "](" not in before:
        return None
    match = _LINK_TARGET.search(before)
    if match is not None:
        return _in_link_target(request, match)
    match = _BOLD_LABEL.search(before) or _PLAIN_LABEL.search(before)
    if match is not None:
        return _after_label(request, match)
    match = _RFC_WORD.search(before)
    if match is not None:
        return _after_rfc_word(request, match)
    return None


def _query_span(request: CompletionRequest, start: int) -> Span:
    return Span.on_line(request.line, start, request.column)


def _project_matches(projects: ProjectRfcs, query: str) -> list[ProjectRfc]:
    query = query.strip().lower()
    if not query:
        return list(projects.rfcs)
    if query.isdigit():
        bare = query.lstrip("0")
        return [rfc for rfc in projects.rfcs if rfc.digits.startswith(query) or (bare and str(rfc.number).startswith(bare))]
    words = [" " + word for word in re.split(r"[\W_]+", query) if word]
    found = []
    for rfc in projects.rfcs:
        haystack = " " + " ".join(re.split(r"[\W_]+", f"{rfc.title} {rfc.name}".lower())) + " "
        if all(word in haystack for word in words):
            found.append(rfc)
    return found


def _ietf_matches(index: IetfIndex | None, query: str, backlog: Backlog) -> tuple[list[int], bool]:
    """IETF RFC numbers for the query, and whether the list was cut."""
    if index is None:
        return [], False
    query = query.strip()
    if not query:
        cited = sorted({c.number for c in citations(backlog) if c.kind == IETF and c.number in index})
        return cited[:IETF_LIMIT], True
    if query.isdigit():
        if query.startswith("0"):
            return [], False  # a leading zero: the project's numbering
        wanted = int(query)
        candidates = [wanted] if wanted in index else []
        candidates += [n for n in index.numbers() if n != wanted and str(n).startswith(query)]  # ascending
        found: list[int] = []
        for number in candidates:
            entry = index.get(number)
            if entry is not None and entry.issued:
                if len(found) == IETF_LIMIT:
                    return found, True
                found.append(number)
        return found, False
    return index.search(query, IETF_LIMIT)


def _ietf_item(index: IetfIndex, number: int, span: Span, new_text: str, rank: int, filter_prefix: str = "") -> CompletionItem | None:
    entry: IetfRfc | None = index.get(number)
    if entry is None or not entry.issued:
        return None
    return CompletionItem(
        label=f"RFC {number}",
        new_text=new_text,
        span=span,
        kind=REFERENCE,
        detail=entry.title,
        documentation=ietf_markdown(number, index),
        filter_text=f"{filter_prefix}{number} {entry.title}",
        sort_text=f"1-{rank:04d}",
    )


def _project_item(
    rfc: ProjectRfc, projects: ProjectRfcs, span: Span, new_text: str, filter_text: str, rank: int
) -> CompletionItem:
    return CompletionItem(
        label=f"{rfc.label}: {rfc.title}",
        new_text=new_text,
        span=span,
        kind=FILE,
        detail=rfc.status or display_path(rfc.path, projects),
        documentation=project_markdown(rfc, projects),
        filter_text=filter_text,
        sort_text=f"0-{rank:04d}",
    )


def _after_rfc_word(request: CompletionRequest, match: re.Match) -> CompletionResult:
    """``RFC 23|``, ``RFC-00|``, ``RFC #|``: project RFCs as links, IETF RFCs as numbers."""
    projects = _projects(request.rfcs)
    query = match.group("query")
    separator = match.group("sep")
    items: list[CompletionItem] = []
    lead_span = _query_span(request, match.start("lead"))
    for rank, rfc in enumerate(_project_matches(projects, query)):
        text = f"RFC{separator}{rfc.digits or rfc.number}"
        link = f"[{_link_text(text)}]({_target(request.path, rfc, projects)})"
        items.append(_project_item(rfc, projects, lead_span, link, f"{text} {rfc.title}", rank))
    index = _ietf(request.rfcs)
    numbers, cut = _ietf_matches(index, query, request.backlog)
    query_span = _query_span(request, match.start("query"))
    for rank, number in enumerate(numbers):
        item = _ietf_item(index, number, query_span, str(number), rank)
        if item is not None:
            items.append(item)
    return CompletionResult(tuple(items), incomplete=cut or not query or not projects.complete)


def _after_label(request: CompletionRequest, match: re.Match) -> CompletionResult:
    """``**RFC**: |``: the project's RFCs as links in the document's style; IETF RFCs once something is typed."""
    projects = _projects(request.rfcs)
    query = match.group("query")
    span = _query_span(request, match.start("query"))
    style = link_style(request.backlog, projects, request.path)
    items: list[CompletionItem] = []
    for rank, rfc in enumerate(_project_matches(projects, query)):
        target = _target(request.path, rfc, projects)
        link = f"[{_link_text(style(rfc, target))}]({target})"
        items.append(_project_item(rfc, projects, span, link, f"{rfc.digits} {rfc.title} {target}", rank))
    cut = False
    if query:
        index = _ietf(request.rfcs)
        numbers, cut = _ietf_matches(index, query, request.backlog)
        for rank, number in enumerate(numbers):
            item = _ietf_item(index, number, span, f"RFC {number}", rank)
            if item is not None:
                items.append(item)
    return CompletionResult(tuple(items), incomplete=cut or not query or not projects.complete)


def _in_link_target(request: CompletionRequest, match: re.Match) -> CompletionResult | None:
    """``[text](|``: paths to the project's RFCs; the RFC Editor URL when the text names an IETF RFC."""
    projects = _projects(request.rfcs)
    query = match.group("query")
    if query.startswith(("http:", "https:", "mailto:", "#")):
        return None
    span = _query_span(request, match.start("query"))
    items: list[CompletionItem] = []
    named = numbers_in_text(match.group("text"))
    index = _ietf(request.rfcs)
    for number in named:
        if projects.numbered(number) or index is None:
            continue
        entry = index.get(number)
        if entry is not None and entry.issued:
            items.append(
                CompletionItem(
                    label=url(number),
                    new_text=url(number),
                    span=span,
                    kind=REFERENCE,
                    detail=f"RFC {number}: {entry.title}",
                    documentation=ietf_markdown(number, index),
                    filter_text=f"{query}{url(number)}" if query else url(number),
                    sort_text="0-0000",
                )
            )
    preferred = set(named)
    rfcs = sorted(projects.rfcs, key=lambda rfc: (rfc.number not in preferred, rfc.number, rfc.name))
    for rank, rfc in enumerate(rfcs):
        target = _target(request.path, rfc, projects)
        items.append(_project_item(rfc, projects, span, target, target, rank + 1))
    if not items and projects.complete:
        return None
    return CompletionResult(tuple(items), incomplete=not projects.complete)


def _target(document_path: str | None, rfc: ProjectRfc, projects: ProjectRfcs) -> str:
    if document_path:
        return relative_link(document_path, rfc.path)
    relative = root_relative(projects.root, rfc.path)
    return relative if relative is not None else file_uri(rfc.path)


def _link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# --- the document's own way of writing RFC links --------------------------------------------------

_LABEL = re.compile(r"RFC(?P<sep>[ \t]?#?[ \t]?|-)(?P<digits>\d+)")
_LABEL_TITLE = re.compile(r"RFC(?P<sep>[ \t]?#?[ \t]?|-)(?P<digits>\d+)(?P<join>\s*[:\-–—]\s*|\s+)(?P<title>\S.*)")

Style = Callable[[ProjectRfc, str], str]  # (rfc, relative target) -> link text


def _style_of(text: str, target: str, rfc: ProjectRfc | None, projects: ProjectRfcs, resolved: str | None) -> tuple | None:
    stripped = text.strip().strip("`")
    if stripped == target:
        return ("target",)
    if resolved is not None and stripped == root_relative(projects.root, resolved):
        return ("root",)
    name = os.path.basename(target.split("#", 1)[0])
    if stripped == name:
        return ("name",)
    if stripped == os.path.splitext(name)[0]:
        return ("stem",)
    match = _LABEL.fullmatch(stripped)
    if match is not None:
        return ("label", match.group("sep"))
    match = _LABEL_TITLE.fullmatch(stripped)
    if match is not None:
        return ("label-title", match.group("sep"), match.group("join"))
    if rfc is not None and stripped.casefold() == rfc.title.casefold():
        return ("title",)
    return None


def link_style(backlog: Backlog, projects: ProjectRfcs, path: str | None) -> Style:
    """How this document writes the text of its project RFC links, as a function; the most common way wins.

    Recognised: the target itself, the path from the repository root ("docs/rfcs/0026-x.md",
    as 002 writes), the file name, its stem, "RFC 0026", "RFC-0026: Title" and the title.
    Without any project RFC link the text is "RFC 0026: Title".
    """
    styles: Counter[tuple] = Counter()
    wrapped: Counter[bool] = Counter()
    sampled = 0
    for citation in citations(backlog):
        if citation.kind != PROJECT or citation.link is None:
            continue
        sampled += 1
        if sampled > STYLE_SAMPLES:
            break  # a document keeps to one way; a 20,000-task backlog need not be read whole
        resolved = target_path(citation.target or "", path, projects.root)
        rfc = projects.at(resolved) if resolved is not None else None
        style = _style_of(citation.link.text, citation.target or "", rfc, projects, resolved)
        if style is not None:
            styles[style] += 1
            wrapped[citation.link.text.strip().startswith("`")] += 1
    style = styles.most_common(1)[0][0] if styles else ("label-title", " ", ": ")
    code = bool(wrapped) and wrapped.most_common(1)[0][0]

    def render(rfc: ProjectRfc, target: str) -> str:
        digits = rfc.digits or str(rfc.number)
        kind = style[0]
        if kind == "target":
            text = target
        elif kind == "root":
            text = root_relative(projects.root, rfc.path) or target
        elif kind == "name":
            text = rfc.name
        elif kind == "stem":
            text = os.path.splitext(rfc.name)[0]
        elif kind == "label":
            text = f"RFC{style[1]}{digits}"
        elif kind == "title":
            text = rfc.title
        else:
            text = f"RFC{style[1]}{digits}{style[2]}{rfc.title}"
        return f"`{text}`" if code else text

    return render

