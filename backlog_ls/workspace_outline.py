"""The ``backlog-ls/outline`` answer: every backlog of the workspace, its sections and their tasks.

Open documents are read as the editor holds them (unsaved edits included); the other
backlogs of the workspace folders are read from disk (``providers.backlog_files``), and
their outline is kept until the file, its settings or the position encoding change, so
an unchanged file is not parsed again. No LSP library here: the server module passes
the documents, their settings and the encoding, and sends the answer.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

import attrs

from . import convert
from .config import Settings
from .dependencies import graph
from .features.outline import file_outline
from .providers.project_files import Selection
from .model import Backlog
from .providers.backlog_files import read_backlog, stamp

logger = logging.getLogger(__name__)

OUTLINE_REQUEST = "backlog-ls/outline"

@attrs.frozen
class Entry:
    """One file to outline: an open document's parsed text (``backlog``), or a file on disk (``backlog`` None)."""

    uri: str
    path: str | None
    settings: Settings
    root: str | None  # its configuration's folder: include/exclude globs are relative to it
    backlog: Backlog | None = None
    # What resolves blockers beyond the file: the tracker's cached issues, tasks of other files
    # (``dependencies.graph``); without them such a blocker keeps its task waiting.
    tracker: Any = None
    elsewhere: Any = None


def is_backlog(path: str | None, backlog: Backlog, settings: Settings, root: str | None) -> bool:
    """Whether the rules check this document: its configuration includes it, or (by default) it holds tasks."""
    has_tasks = backlog.has_tasks or bool(backlog.problems)
    if path is None:
        return has_tasks
    return Selection.of(settings.include, settings.exclude, root).wants_document(path, has_tasks)


class WorkspaceOutline:
    """Builds the answer; keeps the outline of each file on disk until it changes. Any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # path -> (what it was made from, the lookup of other files it used, its JSON)
        self._disk: dict[str, tuple[Any, Any, dict[str, Any] | None]] = {}

    def answer(self, entries: Iterable[Entry], encoding: str) -> dict[str, Any]:
        """``{"files": [...]}`` in path order (untitled documents last)."""
        found = []
        on_disk = set()
        for entry in entries:
            try:
                if entry.backlog is None and entry.path is not None:
                    on_disk.add(entry.path)
                    outline = self._from_disk(entry, encoding)
                else:
                    outline = self._outline(entry, entry.backlog, encoding)
            except Exception:  # one file that fails must not empty the whole view
                logger.exception("Could not outline %s", entry.uri)
                outline = None
            if outline is not None:
                found.append(outline)
        with self._lock:  # files gone from the workspace, or open now, are dropped
            for path in [path for path in self._disk if path not in on_disk]:
                del self._disk[path]
        found.sort(key=lambda file: (file["path"] is None, os.path.normcase(file["path"] or file["uri"])))
        return {"files": found}

    def _from_disk(self, entry: Entry, encoding: str) -> dict[str, Any] | None:
        assert entry.path is not None
        made_from = (stamp(entry.path), entry.settings, entry.root, encoding, entry.uri)
        with self._lock:
            cached = self._disk.get(entry.path)
        # A file none of whose tasks waits for another is outlined the same whatever the other files say.
        if cached is not None and _same(cached[0], made_from) and (cached[1] is None or cached[1] is entry.elsewhere):
            return cached[2]
        text = read_backlog(entry.path)
        from .parse import parse

        backlog = None if text is None else parse(text)
        outline = self._outline(entry, backlog, encoding)
        waits = backlog is not None and bool(graph(backlog, entry.settings, tracker=entry.tracker, elsewhere=entry.elsewhere).dependencies)
        with self._lock:
            self._disk[entry.path] = (made_from, entry.elsewhere if waits else None, outline)
        return outline

    def _outline(self, entry: Entry, backlog: Backlog | None, encoding: str) -> dict[str, Any] | None:
        if backlog is None or not is_backlog(entry.path, backlog, entry.settings, entry.root):
            return None
        outline = file_outline(backlog, entry.settings, tracker=entry.tracker, elsewhere=entry.elsewhere)
        return convert.outline_file_json(outline, entry.uri, entry.path, backlog.lines, encoding)


def _same(before: tuple, now: tuple) -> bool:
    """The same file stamp, settings object, root, encoding and URI (settings compared by identity: cheap)."""
    return before[0] == now[0] and before[1] is now[1] and before[2:] == now[2:]
