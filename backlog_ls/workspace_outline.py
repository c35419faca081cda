"""The ``backlog-ls/outline`` answer: every backlog of the workspace, its sections and their tasks.

Open documents are read as the editor holds them (unsaved edits included); the other
backlogs of the workspace folders come from disk (``providers.backlog_files``), the
files ``backlog-ls check`` would read. No LSP library here: the server module passes
the documents, their settings and the position encoding, and sends the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from . import convert
from .config import Settings
from .features.outline import Ready, file_outline
from .files import Selection
from .model import Backlog
from .workspace import Document

logger = logging.getLogger(__name__)

OUTLINE_REQUEST = "backlog-ls/outline"


@attrs.frozen
class OutlineInput:
    """One document to outline, with what decides whether it is a backlog."""

    document: Document
    settings: Settings
    root: str | None  # its configuration's folder: include/exclude globs are relative to it


def is_backlog(path: str | None, backlog: Backlog, settings: Settings, root: str | None) -> bool:
    """Whether the rules check this document: its configuration includes it, or (by default) it holds tasks."""
    has_tasks = bool(backlog.task_list or backlog.problems)
    if path is None:
        return has_tasks
    return Selection.of(settings.include, settings.exclude, root).wants_document(path, has_tasks)


def outline_answer(
    inputs: Iterable[OutlineInput], encoding: str, ready_for: Callable[[Backlog], Ready | None] | None = None
) -> dict[str, Any]:
    """``{"files": [...]}`` in path order (untitled documents last); any thread.

    ``ready_for(backlog)`` gives the rule that says which open tasks may start (their blockers).
    """
    found = []
    for entry in inputs:
        document = entry.document
        try:
            backlog = document.backlog
            if not is_backlog(document.path, backlog, entry.settings, entry.root):
                continue
            ready = ready_for(backlog) if ready_for is not None else None
            outline = file_outline(backlog, entry.settings, ready)
            found.append(convert.outline_file_json(outline, document.uri, document.path, backlog.lines, encoding))
        except Exception:  # one document that fails must not empty the whole view
            logger.exception("Could not outline %s", document.uri)
    found.sort(key=lambda file: (file["path"] is None, file["path"] or file["uri"]))
    return {"files": found}
