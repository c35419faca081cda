"""Completion: what may be typed at the cursor. Pure: a request in, items out.

Each kind of completion is a *provider*: a function from a ``CompletionRequest`` to
a ``CompletionResult`` (or None when the cursor is not its business). ``complete``
asks every provider in ``PROVIDERS`` and merges what they offer; a provider that
raises is logged and left out. To add one (issue numbers after ``#``, say), write
``def issue_completions(request) -> CompletionResult | None`` in its own module and
append it to ``PROVIDERS``; add its trigger characters to ``TRIGGER_CHARACTERS``.

Items carry the span they replace (code points on the cursor's line), the text that
replaces it and any edits beside it; ``convert.completion_list_text`` turns them into the
protocol's form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs

from ..model import Backlog, Span
from ..rules import Edit

log = logging.getLogger(__name__)

# Item kinds, mapped to the protocol's CompletionItemKind in convert.py.
REFERENCE = "reference"
FILE = "file"
TEXT = "text"


@attrs.frozen
class CompletionRequest:
    """Where the cursor is and what the providers may consult."""

    backlog: Backlog
    line: int
    column: int  # code points
    path: str | None = None  # the document's file system path
    trigger: str | None = None  # the character that triggered the request, if any
    rfcs: Any = None  # backlog_ls.rfc.Rfcs
    issues: Any = None  # backlog_ls.features.issues.IssueContext: the tracker source, cited numbers, settings
    files: Any = None  # backlog_ls.features.links.Listing: folders' entries and files' anchors

    @property
    def line_text(self) -> str:
        lines = self.backlog.lines
        return lines[self.line] if 0 <= self.line < len(lines) else ""

    @property
    def before(self) -> str:
        """The text of the line before the cursor."""
        return self.line_text[: self.column]


@attrs.frozen
class CompletionItem:
    label: str
    new_text: str
    span: Span  # what ``new_text`` replaces
    kind: str = TEXT
    detail: str | None = None
    documentation: str | None = None  # Markdown
    filter_text: str | None = None  # matched against the text of ``span`` as the user types
    sort_text: str | None = None
    # Edits outside ``span`` applied with it (text to put before what the user typed). Clients match and
    # insert the main edit as a word, so it must continue what was typed and hold no space.
    additional: tuple[Edit, ...] = ()


@attrs.frozen
class CompletionResult:
    items: tuple[CompletionItem, ...]
    incomplete: bool = False  # ask again as the user types: the list was cut or depends on more text


Provider = Callable[[CompletionRequest], "CompletionResult | None"]


def _rfc_provider(request: CompletionRequest) -> CompletionResult | None:
    from .rfc import rfc_completions

    return rfc_completions(request)


def _issue_provider(request: CompletionRequest) -> CompletionResult | None:
    from .issues import issue_completions

    return issue_completions(request)


def _link_provider(request: CompletionRequest) -> CompletionResult | None:
    from .links import link_completions

    return link_completions(request, request.files)


PROVIDERS: list[Provider] = [_rfc_provider, _issue_provider, _link_provider]

# Characters after which editors ask for completions without being told to.
TRIGGER_CHARACTERS = [" ", "-", "#", "/", "("]


def complete(request: CompletionRequest, providers: list[Provider] | None = None) -> CompletionResult | None:
    """Every provider's items for the request; None when none has anything to offer."""
    items: list[CompletionItem] = []
    incomplete = False
    answered = False
    for provider in PROVIDERS if providers is None else providers:
        try:
            result = provider(request)
        except Exception:
            log.exception("A completion provider failed")
            continue
        if result is None:
            continue
        answered = True
        items.extend(result.items)
        incomplete = incomplete or result.incomplete
    if not answered:
        return None
    return CompletionResult(tuple(items), incomplete)
